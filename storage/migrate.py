"""Apply the catalog's Alembic migrations programmatically, safely from many processes at once.

Every `Catalog` calls `upgrade` on open, so a fresh database needs no setup step. Two workers starting
together must not both run CREATE TABLE: on PostgreSQL the whole upgrade runs in one transaction holding
a transaction-scoped advisory lock (the second process waits, then finds the schema at head); on SQLite
the transaction starts with BEGIN IMMEDIATE, which serialises writers the same way.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from govbudget.storage.engine import WRITE_OPTION

PACKAGE_DIR = Path(__file__).resolve().parent
# An arbitrary constant naming "govbudget catalog migrations" among advisory locks in the database.
ADVISORY_LOCK_KEY = 0x60B0D6E7


def alembic_config() -> Config:
    """Alembic config pointing at the migrations inside the installed package, wherever it lives."""
    cfg = Config(str(PACKAGE_DIR / "alembic.ini"))
    cfg.set_main_option("script_location", str(PACKAGE_DIR / "migrations"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the catalog schema at `engine` to `revision` (idempotent; concurrency-safe)."""
    cfg = alembic_config()
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK_KEY})")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
