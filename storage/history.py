"""What changed at a region's URLs between its earlier crawls and one new crawl (the re-fetch report).

Per document URL: `new` (never captured before in that region), `unchanged` (same bytes as its last
capture), `changed` (different bytes: a new object, the old one stays), `gone` (captured before, not
reached by this crawl: nothing is deleted, the URL is marked with the date it was last seen).
`url_marks` keeps the last-seen date of every document URL, so "gone since" survives later crawls.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select

from govbudget.storage.catalog import Catalog, captures_t, upsert_insert
from govbudget.storage.catalog_models import UrlMark
from govbudget.storage.fetch import utc_now
from govbudget.storage.rows import Row

marks_t = UrlMark.__table__
STATES = ("new", "unchanged", "changed", "gone")


@dataclass(frozen=True)
class DocumentChange:
    """One line of the report."""

    url: str
    state: str
    sha256: str | None
    previous_sha256: str | None
    last_seen_at: str

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)


def _latest_by_url(rows: list[Row]) -> dict[str, Row]:
    latest: dict[str, Row] = {}
    for row in rows:  # rows come in fetch order, so the last one wins
        latest[row.url] = row
    return latest


def _file_captures(
    catalog: Catalog,
    *,
    crawl_id: str | None = None,
    region_code: str | None = None,
    fiscal_year: int | None = None,
    before: datetime | None = None,
) -> list[Row]:
    stmt = (
        select(captures_t)
        .where(captures_t.c.kind == "file")
        .order_by(captures_t.c.fetched_at, captures_t.c.id)
    )
    if crawl_id is not None:
        stmt = stmt.where(captures_t.c.crawl_id == crawl_id)
    if region_code is not None:
        stmt = stmt.where(captures_t.c.region_code == region_code)
    if fiscal_year is not None:
        stmt = stmt.where(captures_t.c.fiscal_year == fiscal_year)
    if before is not None:
        stmt = stmt.where(captures_t.c.fetched_at < before)
    return list(catalog.rows(stmt))


def compare_crawl(
    catalog: Catalog, crawl_id: str, region_code: str, fiscal_year: int | None = None
) -> list[DocumentChange]:
    """Classify every document URL of `region_code` (and `fiscal_year`) against crawl `crawl_id`, and
    record last-seen dates and gone marks in `url_marks`."""
    current = _latest_by_url(_file_captures(catalog, crawl_id=crawl_id))
    started = min((row.fetched_at for row in current.values()), default=utc_now())
    run = catalog.crawl_run(crawl_id)
    if run is not None:
        started = min(started, run.started_at)
    earlier = _latest_by_url(
        [
            r
            for r in _file_captures(catalog, region_code=region_code, fiscal_year=fiscal_year, before=started)
            if r.crawl_id != crawl_id
        ]
    )
    changes: list[DocumentChange] = []
    for url, cur in sorted(current.items()):
        prev = earlier.get(url)
        state = "new" if prev is None else "unchanged" if prev.sha256 == cur.sha256 else "changed"
        changes.append(
            DocumentChange(url, state, cur.sha256, prev.sha256 if prev else None, cur.fetched_at.isoformat())
        )
    for url, prev in sorted(earlier.items()):
        if url not in current:
            changes.append(DocumentChange(url, "gone", None, prev.sha256, prev.fetched_at.isoformat()))
    _record_marks(
        catalog, crawl_id, region_code, current, [earlier[c.url] for c in changes if c.state == "gone"]
    )
    return changes


def _record_marks(
    catalog: Catalog, crawl_id: str, region_code: str, seen: dict[str, Row], gone: list[Row]
) -> None:
    now = utc_now()
    rows = [
        {
            "url": url,
            "region_code": region_code,
            "last_seen_at": row.fetched_at,
            "last_sha256": row.sha256,
            "gone_noticed_at": None,
            "crawl_id": crawl_id,
        }
        for url, row in seen.items()
    ]
    with catalog.transaction() as conn:
        if rows:
            ins = upsert_insert(conn, marks_t)
            conn.execute(
                ins.on_conflict_do_update(
                    index_elements=["url"],
                    set_={
                        "last_seen_at": ins.excluded.last_seen_at,
                        "last_sha256": ins.excluded.last_sha256,
                        "gone_noticed_at": None,
                        "crawl_id": ins.excluded.crawl_id,
                        "region_code": ins.excluded.region_code,
                    },
                ),
                rows,
            )
        for row in gone:
            ins = upsert_insert(conn, marks_t).values(
                url=row.url,
                region_code=region_code,
                last_seen_at=row.fetched_at,
                last_sha256=row.sha256,
                gone_noticed_at=now,
                crawl_id=crawl_id,
            )
            # Keep the first "noticed gone" time across repeated re-fetches; last seen stays as it was.
            conn.execute(
                ins.on_conflict_do_update(
                    index_elements=["url"],
                    set_={"gone_noticed_at": ins.excluded.gone_noticed_at, "crawl_id": ins.excluded.crawl_id},
                    where=marks_t.c.gone_noticed_at.is_(None),
                )
            )


def url_marks(catalog: Catalog, region_code: str | None = None) -> list[Row]:
    """Last-seen rows (gone ones have `gone_noticed_at`), by URL."""
    stmt = select(marks_t).order_by(marks_t.c.url)
    if region_code is not None:
        stmt = stmt.where(marks_t.c.region_code == region_code)
    return list(catalog.rows(stmt))


def summarise(changes: list[DocumentChange]) -> dict[str, int]:
    """Counts per state, every state present."""
    return {state: sum(c.state == state for c in changes) for state in STATES}
