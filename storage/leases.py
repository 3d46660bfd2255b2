"""Expiring named leases in the catalog: at most one holder of `crawl:<region>` at a time.

Acquiring is one statement (INSERT ... ON CONFLICT DO UPDATE ... WHERE expired or ours), so two
workers racing for the same name cannot both win on PostgreSQL or SQLite. Expiry uses the callers'
clocks; keep worker clocks in sync (NTP) and ttl well above any skew.

`held_lease` holds one for the length of a block: a region crawl takes `crawl:<code>` so two workers
(on one machine or many) never crawl the same region at once. Its time-to-live is short and renewed
every third of it from a heartbeat thread while the block runs, so a worker that dies (SIGKILL, lost
machine) frees the region within one ttl, not hours later.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import delete, or_, select, update

from govbudget.storage.catalog import Catalog, upsert_insert
from govbudget.storage.catalog_models import Lease
from govbudget.storage.fetch import utc_now
from govbudget.storage.rows import Row

log = logging.getLogger(__name__)
leases_t = Lease.__table__
DEFAULT_TTL_S = 120.0


class LeaseBusy(RuntimeError):
    """Someone else holds the lease; the message says who and until when."""


def make_holder() -> str:
    """A holder id naming this host and process (what an operator wants to see in a busy message)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire_lease(catalog: Catalog, name: str, holder: str, ttl_s: float) -> bool:
    """Take `name` for `holder` for `ttl_s` seconds; True when taken (free, expired, or already ours)."""
    now = utc_now()
    with catalog.transaction() as conn:
        stmt = upsert_insert(conn, leases_t).values(
            name=name, holder=holder, acquired_at=now, expires_at=now + timedelta(seconds=ttl_s)
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["name"],
            set_={
                "holder": stmt.excluded.holder,
                "acquired_at": stmt.excluded.acquired_at,
                "expires_at": stmt.excluded.expires_at,
            },
            where=or_(leases_t.c.expires_at < now, leases_t.c.holder == holder),
        ).returning(leases_t.c.holder)
        return conn.execute(stmt).first() is not None


def renew_lease(catalog: Catalog, name: str, holder: str, ttl_s: float) -> bool:
    """Extend our lease; False when it is no longer ours (it lapsed and someone else took it)."""
    with catalog.transaction() as conn:
        result = conn.execute(
            update(leases_t)
            .where(leases_t.c.name == name, leases_t.c.holder == holder)
            .values(expires_at=utc_now() + timedelta(seconds=ttl_s))
        )
        return result.rowcount == 1


def release_lease(catalog: Catalog, name: str, holder: str) -> None:
    """Give the lease up (only if still ours: a lapsed lease taken over stays with its new holder)."""
    with catalog.transaction() as conn:
        conn.execute(delete(leases_t).where(leases_t.c.name == name, leases_t.c.holder == holder))


def lease_holder(catalog: Catalog, name: str) -> Row | None:
    """The live lease on `name` (holder, acquired_at, expires_at), or None when free or expired."""
    stmt = select(leases_t).where(leases_t.c.name == name, leases_t.c.expires_at >= utc_now())
    return next(catalog.rows(stmt), None)


@contextmanager
def held_lease(
    catalog: Catalog, name: str, *, ttl_s: float = DEFAULT_TTL_S, holder: str | None = None
) -> Iterator[str]:
    """Acquire `name` or raise `LeaseBusy`; renew it in the background; release it on exit."""
    holder = holder or make_holder()
    if not acquire_lease(catalog, name, holder, ttl_s):
        current = lease_holder(catalog, name)
        who = f"{current.holder} until {current.expires_at.isoformat()}" if current else "another worker"
        raise LeaseBusy(f"{name} is held by {who}")
    stop = threading.Event()

    def heartbeat() -> None:
        while not stop.wait(ttl_s / 3):
            try:
                if not renew_lease(catalog, name, holder, ttl_s):
                    log.error("lease %s was lost (expired and taken over)", name)
                    return
            except Exception:  # a database hiccup: try again next beat, the ttl leaves room
                log.exception("renewing lease %s failed", name)

    thread = threading.Thread(target=heartbeat, name=f"lease-{name}", daemon=True)
    thread.start()
    try:
        yield holder
    finally:
        stop.set()
        thread.join(timeout=5)
        release_lease(catalog, name, holder)
