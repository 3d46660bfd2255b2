"""Parse attempts: a start and a finish counter per object, so a crash is a start without a finish.

A task that dies with its worker (SIGKILL, out of memory, hard time limit) never reaches its
`finally`, so `started - finished` counts those deaths. The parse task refuses to try a file again
after `max_crashes` of them and stores a failed result instead: a poison file ends, it does not loop.

A parse stopped by SIGTERM or SIGINT (a shutdown, a Ctrl-C) says nothing about the file: it is
finished as `interrupted`, counted in `finished` (so never a crash) and in `interrupted` besides.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from govbudget.storage.catalog import Catalog, upsert_insert
from govbudget.storage.catalog_models import ParseAttempt
from govbudget.storage.fetch import utc_now

attempts_t = ParseAttempt.__table__


@dataclass(frozen=True)
class AttemptCount:
    """Counters after this start: `crashes` are earlier starts that never finished. `worker` started
    the last attempt; `interrupted` of the finishes were a signal stopping the parse."""

    started: int
    finished: int
    worker: str | None = None
    interrupted: int = 0

    @property
    def crashes(self) -> int:
        return max(0, self.started - 1 - self.finished)


def start_parse_attempt(catalog: Catalog, sha256: str, worker: str | None = None) -> AttemptCount:
    """Count one more start of parsing `sha256` (the object must be in the catalog)."""
    now = utc_now()
    with catalog.transaction() as conn:
        stmt = upsert_insert(conn, attempts_t).values(
            sha256=sha256, started=1, finished=0, interrupted=0, last_started_at=now, worker=worker
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["sha256"],
            set_={"started": attempts_t.c.started + 1, "last_started_at": now, "worker": worker},
        ).returning(attempts_t.c.started, attempts_t.c.finished, attempts_t.c.interrupted)
        started, finished, interrupted = conn.execute(stmt).one()
        return AttemptCount(int(started), int(finished), worker, int(interrupted))


def finish_parse_attempt(catalog: Catalog, sha256: str, *, interrupted: bool = False) -> None:
    """Count one finish (success, stored failure, a transient error the task will retry, or with
    `interrupted` a signal that stopped the parse)."""
    values = {"finished": attempts_t.c.finished + 1}
    if interrupted:
        values["interrupted"] = attempts_t.c.interrupted + 1
    with catalog.transaction() as conn:
        conn.execute(update(attempts_t).where(attempts_t.c.sha256 == sha256).values(**values))


def parse_attempts(catalog: Catalog, sha256: str) -> AttemptCount | None:
    """The counters of `sha256`, or None when no parse ever started."""
    row = next(catalog.rows(select(attempts_t).where(attempts_t.c.sha256 == sha256)), None)
    return None if row is None else AttemptCount(row.started, row.finished, row.worker, row.interrupted)


def unfinished_parses(catalog: Catalog, worker: str) -> list[str]:
    """Digests whose latest attempt `worker` started, with more starts than finishes counted: it is
    parsing them now (or an attempt on them died)."""
    stmt = (
        select(attempts_t.c.sha256)
        .where(attempts_t.c.worker == worker, attempts_t.c.started > attempts_t.c.finished)
        .order_by(attempts_t.c.last_started_at, attempts_t.c.sha256)
    )
    return [row.sha256 for row in catalog.rows(stmt)]
