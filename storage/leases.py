"""Expiring named leases in the catalog: at most one holder of `crawl:<region>` at a time.

Acquiring is one statement (INSERT ... ON CONFLICT DO UPDATE ... WHERE expired or ours), so two
workers racing for the same name cannot both win on PostgreSQL or SQLite. Expiry uses the callers'
clocks; keep worker clocks in sync (NTP) and ttl well above any skew. A holder renews while it works,
so a lease only lapses when its holder died.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_, select, update

from govbudget.storage.catalog import Catalog, upsert_insert
from govbudget.storage.catalog_models import Lease
from govbudget.storage.fetch import utc_now
from govbudget.storage.rows import Row

leases_t = Lease.__table__


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
