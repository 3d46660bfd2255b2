"""Engine creation for the catalog: one place that knows how SQLite and PostgreSQL differ.

SQLite is the embedded default, so it is tuned for several processes (a crawler and parse workers)
sharing one file: WAL journal, a generous busy timeout, foreign keys on, and write transactions opened
with `BEGIN IMMEDIATE` so two writers queue on the lock at the start instead of failing with
"database is locked" when one of them tries to upgrade a read lock half-way through.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool

DEFAULT_URL = "sqlite:///./govbudget-data/catalog.sqlite3"
WRITE_OPTION = "govbudget_write"
SQLITE_BUSY_TIMEOUT_S = 60.0
# What a catalog call raises when the database is unreachable, restarting or locked past the busy
# timeout: a transient error, worth retrying (the catalog's counterpart of `StoreUnavailable`).
CatalogUnavailable = OperationalError


def _json_default(value: Any) -> Any:
    """Amounts are decimal strings by contract; be forgiving if a Decimal or a date slips through."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def normalise_url(url: str | Path | None) -> URL:
    """A SQLAlchemy URL from a URL string, a bare file path (SQLite), or None (the embedded default)."""
    text = str(url) if url is not None else DEFAULT_URL
    if "://" not in text:
        text = f"sqlite:///{Path(text).expanduser()}"
    parsed = make_url(text)
    if parsed.drivername == "postgresql":  # psycopg 3 is the driver we ship
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    if not in_memory:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
        poolclass=StaticPool if in_memory else None,
        json_serializer=_dumps,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite's own would be DEFERRED).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        if not in_memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def make_engine(url: str | Path | None = None) -> Engine:
    """An engine for the catalog at `url` (see `normalise_url`), creating a SQLite file's folder."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    backend = parsed.get_backend_name()
    if backend != "postgresql":
        raise ValueError(f"unsupported catalog database: {backend} (use SQLite or PostgreSQL)")
    return create_engine(parsed, pool_pre_ping=True, json_serializer=_dumps)
