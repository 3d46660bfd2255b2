"""`Catalog`: the database of what was fetched (captures), kept (objects) and read (parse results, records).

Every write is idempotent, because tasks are retried and may run twice (a killed worker's task is
redelivered): objects are inserted with ON CONFLICT DO NOTHING, parse results and records are upserted
on their natural keys. Reads return dicts (`Row`, also readable as attributes), never ORM objects,
so callers hold no session state between calls.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, exists, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from govbudget.storage import catalog_queries as q
from govbudget.storage.catalog_models import Base, Capture, CrawlRun, ParseResult, Record, StoredObject
from govbudget.storage.engine import WRITE_OPTION, CatalogUnavailable, make_engine
from govbudget.storage.fetch import utc_now
from govbudget.storage.migrate import upgrade
from govbudget.storage.rows import CaptureRow, Row

__all__ = ["PARSE_STATUSES", "REGION_SOURCES", "CaptureRow", "Catalog", "CatalogUnavailable", "Row"]

PARSE_STATUSES = ("ok", "partial", "failed")
REGION_SOURCES = ("document", "link", "site", "crawl")  # strongest first: `tasks.regions_of`
_OBJECT_INSERTS: dict[str, Any] = {}  # dialect name → the prebuilt objects upsert

objects_t = StoredObject.__table__
captures_t = Capture.__table__
parse_results_t = ParseResult.__table__
records_t = Record.__table__
crawl_runs_t = CrawlRun.__table__


def upsert_insert(conn: Connection, table: Any) -> Any:
    """A dialect-specific INSERT, the only kind that offers ON CONFLICT on both SQLite and PostgreSQL."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"upserts are not implemented for {dialect}")


class Catalog:
    """The catalog database at `url` (SQLite file by default, PostgreSQL when given).

    Opening it applies pending migrations. Safe to share between threads; each process opens its own.
    """

    def __init__(self, url: str | Path | None = None, *, migrate: bool = True) -> None:
        self.engine: Engine = make_engine(url)
        if migrate:
            upgrade(self.engine)

    # -- plumbing -------------------------------------------------------------------------------------

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def describe(self) -> str:
        """The database URL with any password masked, safe to log."""
        return self.engine.url.render_as_string(hide_password=True)

    def __repr__(self) -> str:
        return f"Catalog({self.describe()!r})"

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction (BEGIN IMMEDIATE on SQLite), committed on success."""
        with self.engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                yield conn

    def transaction(self) -> Any:
        """A write transaction for the storage modules that keep their own tables (leases, attempts).

        Storage only: other rooms call the named methods below and never build SQL themselves.
        """
        return self._write()

    def rows(self, stmt: Any) -> Iterator[Row]:
        """Stream the rows of a read statement as `Row` dicts (storage only, like `transaction`)."""
        return self._rows(stmt)

    def _rows(self, stmt: Any) -> Iterator[Row]:
        """Stream the rows of a read statement as `Row` dicts."""
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=500).execute(stmt)
            for row in result.mappings():
                yield Row(row)

    # -- objects and captures -------------------------------------------------------------------------

    def ensure_object(self, sha256: str, size: int, storage_key: str, content_type: str | None) -> bool:
        """Record an archived object; True when this call created the row (False: already known)."""
        with self._write() as conn:
            return self._insert_object(conn, sha256, size, storage_key, content_type)

    @staticmethod
    def _insert_object(conn: Connection, sha256: str, size: int, storage_key: str,
                       content_type: str | None) -> bool:
        """INSERT … ON CONFLICT DO NOTHING into `objects`: True when the row is new.

        RETURNING yields a row only when the insert happened; rowcount is not reliable for ON
        CONFLICT DO NOTHING across drivers (psycopg reports -1 here). The statement is built once
        per dialect and the values go in as parameters, so SQLAlchemy reuses its compiled form
        instead of building and cache-keying a new statement for every capture.
        """
        name = conn.dialect.name
        if name not in _OBJECT_INSERTS:
            _OBJECT_INSERTS[name] = upsert_insert(conn, objects_t).on_conflict_do_nothing(
                index_elements=["sha256"]).returning(objects_t.c.sha256)
        row = {"sha256": sha256, "size": size, "storage_key": storage_key, "content_type": content_type,
               "first_seen_at": utc_now()}
        return conn.execute(_OBJECT_INSERTS[name], row).first() is not None

    def has_object(self, sha256: str) -> bool:
        with self.engine.connect() as conn:
            return bool(conn.scalar(select(exists().where(objects_t.c.sha256 == sha256))))

    def objects(self) -> Iterator[Row]:
        """Every archived object (sha256, size, storage_key, content_type, first_seen_at), by digest."""
        return self._rows(select(objects_t).order_by(objects_t.c.sha256))

    def uncaptured_objects(self) -> list[str]:
        """Digests of objects no capture refers to (their provenance is lost), by digest."""
        captured = exists().where(captures_t.c.sha256 == objects_t.c.sha256)
        stmt = select(objects_t.c.sha256).where(~captured).order_by(objects_t.c.sha256)
        with self.engine.connect() as conn:
            return list(conn.scalars(stmt))

    def add_capture(self, c: CaptureRow) -> int:
        """Insert one capture (its object must already be recorded) and return its id."""
        with self._write() as conn:
            result = conn.execute(insert(captures_t).values(**asdict(c)))
            return int(result.inserted_primary_key[0])

    def record_capture(self, c: CaptureRow, *, size: int, storage_key: str,
                       content_type: str | None) -> tuple[bool, int]:
        """`ensure_object` and `add_capture` in one transaction: (object was new, capture id).

        The archive calls this once per fetch; one transaction instead of two halves the catalog's
        lock and commit work per response, and the capture's `revisit` flag is set from the object
        insert in the same transaction, so it cannot disagree with it.
        """
        with self._write() as conn:
            new_object = self._insert_object(conn, c.sha256, size, storage_key, content_type)
            result = conn.execute(insert(captures_t), {**asdict(c), "revisit": not new_object})
            return new_object, int(result.inserted_primary_key[0])

    def captures(self, sha256: str | None = None) -> Iterator[Row]:
        """Captures in fetch order (all, or those of one object), as `Row`s with the captures columns
        (`id` included); `fetched_at` is a tz-aware UTC datetime."""
        stmt = select(captures_t).order_by(captures_t.c.fetched_at, captures_t.c.id)
        if sha256 is not None:
            stmt = stmt.where(captures_t.c.sha256 == sha256)
        return self._rows(stmt)

    def last_capture_for_url(self, url: str) -> Row | None:
        """The most recent capture of `url` (for conditional re-fetch with ETag/Last-Modified), or None."""
        stmt = (
            select(captures_t)
            .where(captures_t.c.url == url)
            .order_by(captures_t.c.fetched_at.desc(), captures_t.c.id.desc())
            .limit(1)
        )
        return next(self._rows(stmt), None)

    def latest_captures_under(self, prefix: str) -> Iterator[Row]:
        """The most recent capture of every URL starting with `prefix` (e.g. ``http://host/``).

        One query for a whole site, so a crawl can look up conditional-request validators in memory
        instead of asking the database once per request (`last_capture_for_url`).
        """
        rank = func.row_number().over(
            partition_by=captures_t.c.url,
            order_by=(captures_t.c.fetched_at.desc(), captures_t.c.id.desc()),
        )
        cond = [captures_t.c.url.startswith(prefix, autoescape=True)]
        if self.engine.dialect.name == "sqlite" and prefix:
            # SQLite's LIKE cannot use the url index; a range on the (binary-collated) index can
            upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
            cond += [captures_t.c.url >= prefix, captures_t.c.url < upper]
        ranked = select(captures_t, rank.label("_rank")).where(*cond).subquery()
        cols = [ranked.c[c.name] for c in captures_t.columns]
        return self._rows(select(*cols).where(ranked.c._rank == 1))

    # -- parse results and records --------------------------------------------------------------------

    def save_parse_result(
        self,
        sha256: str,
        parser: str,
        status: str,
        errors: Iterable[str],
        records: Sequence[dict[str, Any]],
    ) -> None:
        """Store one parser's outcome on one object, replacing any earlier run of the same parser.

        Idempotent and safe under concurrency: the parse_results upsert comes first and row-locks
        (sha256, parser) until commit, so two workers saving the same result run one after the other;
        records are upserted by (sha256, parser, seq) and any tail left by a longer earlier run is
        deleted, all in one transaction. How often a parse was tried is counted apart, from the start
        (`storage.attempts`), so that a parse that kills its worker is counted too.
        """
        if status not in PARSE_STATUSES:
            raise ValueError(f"status must be one of {PARSE_STATUSES}, got {status!r}")
        rows = []
        for seq, rec in enumerate(records):
            if not isinstance(rec, dict) or not rec.get("type"):
                raise ValueError(f"record {seq} has no 'type': {rec!r:.200}")
            rows.append({"sha256": sha256, "parser": parser, "seq": seq, "type": rec["type"], "data": rec})
        with self._write() as conn:
            stmt = upsert_insert(conn, parse_results_t).values(
                sha256=sha256,
                parser=parser,
                status=status,
                errors=[str(e) for e in errors],
                parsed_at=utc_now(),
                record_count=len(rows),
            )
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["sha256", "parser"],
                    set_={
                        "status": stmt.excluded.status,
                        "errors": stmt.excluded.errors,
                        "parsed_at": stmt.excluded.parsed_at,
                        "record_count": stmt.excluded.record_count,
                    },
                )
            )
            if rows:
                ins = upsert_insert(conn, records_t)
                conn.execute(
                    ins.on_conflict_do_update(
                        index_elements=["sha256", "parser", "seq"],
                        set_={"type": ins.excluded.type, "data": ins.excluded.data},
                    ),
                    rows,
                )
            conn.execute(
                delete(records_t).where(
                    records_t.c.sha256 == sha256,
                    records_t.c.parser == parser,
                    records_t.c.seq >= len(rows),
                )
            )

    def set_region(self, sha256: str, parser: str, region_code: str | None,
                   region_source: str | None) -> None:
        """Record whose region one parse result's file is (`region_code`) and what said so.

        `region_source` is `document`, `link`, `site` or `crawl` (None with no code); the documents read
        and exports take the region from here before the capture's.
        """
        if region_source not in (*REGION_SOURCES, None) or (region_code is None) != (region_source is None):
            raise ValueError(f"region {region_code!r} from {region_source!r}: source must be one of "
                             f"{REGION_SOURCES} with a code, or None without")
        with self._write() as conn:
            result = conn.execute(
                update(parse_results_t)
                .where(parse_results_t.c.sha256 == sha256, parse_results_t.c.parser == parser)
                .values(region_code=region_code, region_source=region_source)
            )
            if result.rowcount == 0:
                raise KeyError(f"no parse result of {sha256} by {parser!r}")

    def parse_status(self, sha256: str) -> str | None:
        """Status of the most recent parse of `sha256` (by parse time), or None if never parsed."""
        stmt = (
            select(parse_results_t.c.status)
            .where(parse_results_t.c.sha256 == sha256)
            .order_by(parse_results_t.c.parsed_at.desc(), parse_results_t.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            return conn.scalar(stmt)

    def parse_results(self, sha256: str | None = None) -> Iterator[Row]:
        """Parse result rows (all, or one object's), oldest first."""
        stmt = select(parse_results_t).order_by(parse_results_t.c.parsed_at, parse_results_t.c.id)
        if sha256 is not None:
            stmt = stmt.where(parse_results_t.c.sha256 == sha256)
        return self._rows(stmt)

    def latest_failed_parses(self) -> Iterator[Row]:
        """The objects whose latest parse failed: (sha256, parser, errors, parsed_at), by digest.

        What `tasks.repair` reads to find parses ended by a kill or a limit that may now pass.
        """
        rank = func.row_number().over(
            partition_by=parse_results_t.c.sha256,
            order_by=(parse_results_t.c.parsed_at.desc(), parse_results_t.c.id.desc()),
        )
        cols = (parse_results_t.c.sha256, parse_results_t.c.parser, parse_results_t.c.status,
                parse_results_t.c.errors, parse_results_t.c.parsed_at)
        latest = select(*cols, rank.label("rn")).subquery("latest")
        stmt = (
            select(latest.c.sha256, latest.c.parser, latest.c.errors, latest.c.parsed_at)
            .where(latest.c.rn == 1, latest.c.status == "failed")
            .order_by(latest.c.sha256)
        )
        return self._rows(stmt)

    def unparsed_files(
        self, *, first_seen_by: datetime | None = None, limit: int | None = None
    ) -> list[str]:
        """Digests of objects captured as files that have no parse result: what a reconciler re-queues.

        Oldest first; `first_seen_by` keeps those first seen at or before that time, `limit` the first
        that many.
        """
        with self.engine.connect() as conn:
            return list(conn.scalars(q.unparsed_files(first_seen_by, limit)))

    def parse_tally(self, crawl_id: str, *, members: bool = False) -> dict[str, int]:
        """How parsing went for the files crawl `crawl_id` fetched: objects by the status of their
        latest parse (``ok``, ``partial``, ``failed``) and ``pending`` (no result yet).

        `members=True` tallies the ZIP/RAR members its archives gave instead (they are not fetched).
        """
        tally = dict.fromkeys((*PARSE_STATUSES, "pending"), 0)
        with self.engine.connect() as conn:
            for status, count in conn.execute(q.crawl_parse_tally(crawl_id, members)):
                tally[status or "pending"] += int(count)
        return tally

    def records(
        self, sha256: str | None = None, type: str | None = None, parser: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """SCHEMA.md record dicts, by object then output order.

        Without `parser`, only the records of each object's latest parse are returned, so a re-parse by
        a newer parser version replaces, rather than duplicates, an object's records in exports.
        """
        return (row["data"] for row in self._rows(q.records(sha256, type, parser)))

    def documents(self) -> Iterator[dict[str, Any]]:
        """One dict per archived object, with the keys in `catalog_queries.DOCUMENT_KEYS`."""
        return (q.document_row(row) for row in self._rows(q.documents()))

    # -- parser versions (re-parse and diff) ----------------------------------------------------------

    def files_with_latest_parser(
        self, *, region_prefix: str | None = None, years: tuple[int, int] | None = None
    ) -> list[Row]:
        """Fetched files (ZIP/RAR members left out) as (sha256, parser): the label of each one's latest
        parse result, None when it has none. `region_prefix` keeps the files captured for a region
        code starting with it, `years` (first, last) those captured for a fiscal year in that range."""
        return list(self._rows(q.fetched_files(region_prefix, years)))

    def results_by_parser(self, parser: str) -> Iterator[Row]:
        """Each object's latest result of `parser`, a ``name@version`` label or a bare version (every
        parser at it): (sha256, parser, status, errors, record_count, parsed_at), by digest."""
        rp = q.results_by_parser(parser)
        cols = [c for c in rp.c if c.name != "rn"]
        return self._rows(select(*cols).where(rp.c.rn == 1).order_by(rp.c.sha256))

    def records_by_parser(self, parser: str, types: Sequence[str]) -> Iterator[Row]:
        """(sha256, data) of the records of `types` in the results `results_by_parser` returns, by
        digest then output order."""
        return self._rows(q.records_by_parser(parser, tuple(types)))

    # -- crawl runs -----------------------------------------------------------------------------------

    def start_crawl(
        self,
        start_urls: Sequence[str] = (),
        *,
        region_code: str | None = None,
        fiscal_year: int | None = None,
        crawl_id: str | None = None,
        owner: str | None = None,
    ) -> str:
        """Open a crawl run (status `running`) and return its id (a new UUID unless given).

        `owner` names the process running it ("host:pid"); its heartbeat starts now (`crawl_heartbeat`).
        """
        crawl_id = crawl_id or str(uuid.uuid4())
        now = utc_now()
        with self._write() as conn:
            conn.execute(
                insert(crawl_runs_t).values(
                    id=crawl_id,
                    started_at=now,
                    start_urls=list(start_urls),
                    region_code=region_code,
                    fiscal_year=fiscal_year,
                    status="running",
                    owner=owner,
                    heartbeat_at=now,
                )
            )
        return crawl_id

    def crawl_heartbeat(self, crawl_id: str) -> None:
        """Record that the process running `crawl_id` is alive (a closed run is left as it is)."""
        with self._write() as conn:
            conn.execute(
                update(crawl_runs_t)
                .where(crawl_runs_t.c.id == crawl_id, crawl_runs_t.c.status == "running")
                .values(heartbeat_at=utc_now())
            )

    def running_crawls(self) -> list[Row]:
        """The runs still `running` (id, owner, started_at, heartbeat_at), oldest first."""
        c = crawl_runs_t.c
        stmt = (select(c.id, c.owner, c.started_at, c.heartbeat_at).where(c.status == "running")
                .order_by(c.started_at, c.id))
        return list(self._rows(stmt))

    def close_running_crawl(self, crawl_id: str, status: str, reason: str) -> bool:
        """Close a run its process left `running` (that process is gone): True when this call closed it.

        The summary keeps what the run had and says why it was closed; a run that finished meanwhile
        is not touched.
        """
        with self._write() as conn:
            row = conn.execute(
                select(crawl_runs_t.c.summary)
                .where(crawl_runs_t.c.id == crawl_id, crawl_runs_t.c.status == "running")
            ).first()
            if row is None:
                return False
            result = conn.execute(
                update(crawl_runs_t)
                .where(crawl_runs_t.c.id == crawl_id, crawl_runs_t.c.status == "running")
                .values(finished_at=utc_now(), status=status,
                        summary={**(row.summary or {}), "closed": reason})
            )
            return result.rowcount == 1

    def finish_crawl(self, crawl_id: str, summary: dict[str, Any], status: str = "finished") -> None:
        """Close a crawl run with its summary (counts, errors) and final status."""
        with self._write() as conn:
            result = conn.execute(
                update(crawl_runs_t)
                .where(crawl_runs_t.c.id == crawl_id)
                .values(finished_at=utc_now(), summary=summary, status=status)
            )
            if result.rowcount == 0:
                raise KeyError(f"no crawl run {crawl_id!r}")

    def crawl_run(self, crawl_id: str) -> Row | None:
        return next(self._rows(select(crawl_runs_t).where(crawl_runs_t.c.id == crawl_id)), None)

    def crawl_runs(self) -> Iterator[Row]:
        """Every crawl run with its summary, oldest first (by start time, then id)."""
        return self._rows(select(crawl_runs_t).order_by(crawl_runs_t.c.started_at, crawl_runs_t.c.id))

    def crawled_regions(self) -> list[str]:
        """Codes of the regions that have crawl runs, sorted."""
        stmt = select(crawl_runs_t.c.region_code).where(crawl_runs_t.c.region_code.is_not(None)).distinct()
        with self.engine.connect() as conn:
            return sorted(conn.scalars(stmt))

    def last_start_urls(self, region_code: str) -> list[str]:
        """The start URLs of the region's most recent crawl run that had any; [] when none had."""
        stmt = (
            select(crawl_runs_t.c.start_urls)
            .where(crawl_runs_t.c.region_code == region_code)
            .order_by(crawl_runs_t.c.started_at.desc())
        )
        with self.engine.connect() as conn:
            for urls in conn.scalars(stmt):
                if urls:
                    return list(urls)
        return []

    def count(self, table: str) -> int:
        """Row count of one catalog table (for summaries and tests)."""
        t = Base.metadata.tables[table]
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(t)) or 0)
