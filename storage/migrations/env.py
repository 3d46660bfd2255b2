"""Alembic environment for the catalog.

Programmatic use (the normal path) passes an open connection in `config.attributes["connection"]`, so
the migration runs inside the caller's transaction — the one that holds the PostgreSQL advisory lock.
Command-line use takes the URL from `-x url=...` or the `sqlalchemy.url` option.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from govbudget.storage.catalog_models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("give the catalog URL with -x url=... or sqlalchemy.url")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported for the catalog")
run_migrations_online()
