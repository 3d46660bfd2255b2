"""Migrations run on open, from the installed package, and concurrently from several processes."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from govbudget.storage.catalog_models import Base
from govbudget.storage.engine import make_engine
from govbudget.storage.migrate import alembic_config, upgrade

OPEN_CATALOG = """
import sys
from govbudget.storage.catalog import Catalog
with Catalog(sys.argv[1]) as cat:
    sha = sys.argv[2] * 64
    cat.ensure_object(sha, 1, "k", None)
    print(cat.count("objects"))
"""


def _open_concurrently(url: str, n: int = 4) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_CATALOG, url, "abcdef"[i]], stderr=subprocess.PIPE, text=True
        )
        for i in range(n)
    ]
    failures = [p.stderr.read() for p in procs if p.wait(timeout=120) != 0]  # type: ignore[union-attr]
    assert failures == []


def test_processes_opening_a_fresh_postgresql_catalog_together_all_succeed(
    fresh_pg_database: Callable[[], str],
) -> None:
    url = fresh_pg_database()
    _open_concurrently(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM objects")) == 4
        assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == _head()
    engine.dispose()


def test_processes_opening_a_fresh_sqlite_catalog_together_all_succeed(tmp_path: Path) -> None:
    _open_concurrently(f"sqlite:///{tmp_path / 'new' / 'catalog.sqlite3'}")


def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def test_migrations_are_found_inside_the_package() -> None:
    cfg = alembic_config()
    location = Path(cfg.get_main_option("script_location") or "")
    assert (location / "env.py").is_file()
    assert Path(cfg.config_file_name or "").name == "alembic.ini"


def test_the_migrated_schema_matches_the_models(catalog_url: str) -> None:
    """A model change without a migration fails here (autogenerate finds a difference)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = make_engine(catalog_url)
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == []


def test_downgrade_then_upgrade_round_trips(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "c.sqlite3")
    upgrade(engine)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert set(sa.inspect(engine).get_table_names()) == {"alembic_version"}
    upgrade(engine)
    assert {"objects", "captures", "parse_results", "records", "crawl_runs"} <= set(
        sa.inspect(engine).get_table_names()
    )
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database of its own (migrating the shared test database down would disturb other tests)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
    return request.getfixturevalue("fresh_pg_database")()


def _parse_results(engine: sa.Engine) -> list[dict]:
    table = sa.Table("parse_results", sa.MetaData(), autoload_with=engine)  # the schema as it is now
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(table)).mappings()]


def test_0003_drops_parse_results_attempts_and_keeps_every_row(scratch_url: str) -> None:
    engine = make_engine(scratch_url)
    upgrade(engine, "0002_leases_attempts_marks")
    stamp = "'2024-03-01 08:00:00'"
    with engine.begin() as conn:
        conn.execute(sa.text(f"INSERT INTO objects VALUES ('{'a' * 64}', 7, 'k', NULL, {stamp})"))
        conn.execute(sa.text(
            "INSERT INTO parse_results (sha256, parser, status, errors, parsed_at, record_count, attempts)"
            f" VALUES ('{'a' * 64}', 'pdf@1', 'partial', '[\"p. 3\"]', {stamp}, 4, 3)"
        ))
    upgrade(engine)
    (row,) = _parse_results(engine)
    assert "attempts" not in row
    assert (row["sha256"], row["parser"], row["status"], row["errors"], row["record_count"]) == (
        "a" * 64, "pdf@1", "partial", ["p. 3"], 4
    )
    uniques = {u["name"] for u in sa.inspect(engine).get_unique_constraints("parse_results")}
    assert "uq_parse_results_sha256_parser" in uniques

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002_leases_attempts_marks")
    (row,) = _parse_results(engine)
    assert (row["sha256"], row["attempts"]) == ("a" * 64, 1)
    (attempts,) = [c for c in sa.inspect(engine).get_columns("parse_results") if c["name"] == "attempts"]
    assert attempts["nullable"] is False and attempts["default"] is None
    engine.dispose()
