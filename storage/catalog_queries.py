"""The catalog's read queries that need more than one table: "latest capture", "latest parse", documents.

Kept apart from `catalog.py` so the SQL that decides what an export contains can be read on its own.
"Latest" is always by time with the row id as tie-breaker, using window functions that SQLite (3.25+)
and PostgreSQL both run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, exists, func, select

from govbudget.storage.catalog_models import Capture, ParseResult, Record, StoredObject

objects_t = StoredObject.__table__
captures_t = Capture.__table__
parse_results_t = ParseResult.__table__
records_t = Record.__table__

DOCUMENT_KEYS = (
    "sha256", "url", "referrer", "link_text", "title", "doc_kind", "fiscal_year", "phase", "department",
    "region_code", "format", "size", "fetched_at", "storage_key", "parse_status", "region_source",
)  # fmt: skip
# Capture fields that the parser's `document` record may fill when the crawler could not tell.
DOCUMENT_FALLBACKS = ("title", "department", "fiscal_year", "phase", "format", "region_code")


def latest_capture() -> Any:
    """Each object's most recent capture (filter on `rn == 1`)."""
    rank = func.row_number().over(
        partition_by=captures_t.c.sha256, order_by=(captures_t.c.fetched_at.desc(), captures_t.c.id.desc())
    )
    return select(captures_t, rank.label("rn")).subquery("lc")


def latest_parse() -> Any:
    """Each object's most recent parse result (filter on `rn == 1`)."""
    rank = func.row_number().over(
        partition_by=parse_results_t.c.sha256,
        order_by=(parse_results_t.c.parsed_at.desc(), parse_results_t.c.id.desc()),
    )
    cols = (parse_results_t.c.sha256, parse_results_t.c.parser, parse_results_t.c.status,
            parse_results_t.c.region_code, parse_results_t.c.region_source)
    return select(*cols, rank.label("rn")).subquery("lp")


def unparsed_files(first_seen_by: datetime | None = None, limit: int | None = None) -> Select[Any]:
    """Digests of file objects with no parse result, oldest first (first seen at or before a time)."""
    is_file = exists().where(captures_t.c.sha256 == objects_t.c.sha256, captures_t.c.kind == "file")
    parsed = exists().where(parse_results_t.c.sha256 == objects_t.c.sha256)
    stmt = select(objects_t.c.sha256).where(is_file, ~parsed)
    if first_seen_by is not None:
        stmt = stmt.where(objects_t.c.first_seen_at <= first_seen_by)
    return stmt.order_by(objects_t.c.first_seen_at, objects_t.c.sha256).limit(limit)


def crawl_parse_tally(crawl_id: str, members: bool) -> Select[Any]:
    """(latest parse status or None, object count) over the files crawl `crawl_id` captured.

    `members` picks the ZIP/RAR members its archives gave (captured at ``<referrer>#<link_text>``,
    `fetch.is_archive_member`) instead of the files it fetched.
    """
    member = and_(captures_t.c.referrer.is_not(None), captures_t.c.link_text.is_not(None),
                  captures_t.c.url == captures_t.c.referrer + "#" + captures_t.c.link_text)
    files = (
        select(captures_t.c.sha256)
        .where(captures_t.c.crawl_id == crawl_id, captures_t.c.kind == "file", member if members else ~member)
        .distinct()
        .subquery("files")
    )
    lp = latest_parse()
    joined = files.outerjoin(lp, and_(lp.c.sha256 == files.c.sha256, lp.c.rn == 1))
    return select(lp.c.status, func.count()).select_from(joined).group_by(lp.c.status)


def records(sha256: str | None, type: str | None, parser: str | None) -> Select[Any]:
    stmt = select(records_t.c.data)
    if parser is None:
        lp = latest_parse()
        stmt = stmt.join(
            lp, and_(lp.c.sha256 == records_t.c.sha256, lp.c.parser == records_t.c.parser, lp.c.rn == 1)
        )
    else:
        stmt = stmt.where(records_t.c.parser == parser)
    if sha256 is not None:
        stmt = stmt.where(records_t.c.sha256 == sha256)
    if type is not None:
        stmt = stmt.where(records_t.c.type == type)
    return stmt.order_by(records_t.c.sha256, records_t.c.parser, records_t.c.seq)


def documents() -> Select[Any]:
    lc = latest_capture()
    lp = latest_parse()
    doc_rank = func.row_number().over(
        partition_by=(records_t.c.sha256, records_t.c.parser), order_by=records_t.c.seq
    )
    doc = (
        select(records_t.c.sha256, records_t.c.parser, records_t.c.data, doc_rank.label("rn"))
        .where(records_t.c.type == "document")
        .subquery("doc")
    )
    capture_cols = [lc.c[name] for name in DOCUMENT_KEYS if name in lc.c and name != "sha256"]
    return (
        select(
            objects_t.c.sha256,
            objects_t.c.size,
            objects_t.c.storage_key,
            *capture_cols,
            lp.c.status.label("parse_status"),
            lp.c.region_code.label("parsed_region_code"),
            lp.c.region_source.label("parsed_region_source"),
            doc.c.data.label("document"),
        )
        .select_from(
            objects_t.outerjoin(lc, and_(lc.c.sha256 == objects_t.c.sha256, lc.c.rn == 1))
            .outerjoin(lp, and_(lp.c.sha256 == objects_t.c.sha256, lp.c.rn == 1))
            .outerjoin(doc, and_(doc.c.sha256 == lp.c.sha256, doc.c.parser == lp.c.parser, doc.c.rn == 1))
        )
        .order_by(objects_t.c.first_seen_at, objects_t.c.sha256)
    )


def document_row(row: dict[str, Any]) -> dict[str, Any]:
    """Shape one `documents()` row: fixed keys, ISO time, parser's document record filling blanks.

    The region is the one the parse task inferred (`region_source` says from what); a file not yet
    parsed, or parsed before regions were inferred, has its capture's (the crawl's, source `crawl`).
    """
    document = row.get("document") or {}
    out = {key: row.get(key) for key in DOCUMENT_KEYS}
    if row.get("parsed_region_source") is not None:
        out["region_code"], out["region_source"] = row["parsed_region_code"], row["parsed_region_source"]
    elif out["region_code"] is not None:
        out["region_source"] = "crawl"
    for key in DOCUMENT_FALLBACKS:
        if out[key] is None and document.get(key) is not None:
            out[key] = document[key]
    if out["fetched_at"] is not None:
        out["fetched_at"] = out["fetched_at"].isoformat()
    return out


def parser_matches(spec: str) -> Any:
    """Results of one parser label (``budget-tables@0.3.0``) or, for a bare version (``0.3.0``), of
    every parser at that version."""
    col = parse_results_t.c.parser
    return col == spec if "@" in spec else col.endswith(f"@{spec}", autoescape=True)


def results_by_parser(spec: str) -> Any:
    """Each object's most recent result matching `spec` (`parser_matches`), as a subquery (`rn == 1`)."""
    rank = func.row_number().over(
        partition_by=parse_results_t.c.sha256,
        order_by=(parse_results_t.c.parsed_at.desc(), parse_results_t.c.id.desc()),
    )
    cols = (parse_results_t.c.sha256, parse_results_t.c.parser, parse_results_t.c.status,
            parse_results_t.c.errors, parse_results_t.c.record_count, parse_results_t.c.parsed_at)
    return select(*cols, rank.label("rn")).where(parser_matches(spec)).subquery("rp")


def records_by_parser(spec: str, types: tuple[str, ...]) -> Select[Any]:
    """(sha256, data) of the records of `types` in each object's result matching `spec`, by object
    then output order."""
    rp = results_by_parser(spec)
    return (
        select(records_t.c.sha256, records_t.c.data)
        .join(rp, and_(rp.c.sha256 == records_t.c.sha256, rp.c.parser == records_t.c.parser, rp.c.rn == 1))
        .where(records_t.c.type.in_(types))
        .order_by(records_t.c.sha256, records_t.c.seq)
    )


def fetched_files(region_prefix: str | None, years: tuple[int, int] | None) -> Select[Any]:
    """(sha256, parser of the latest result or None) of the files fetched (ZIP/RAR members left out:
    their archive's parse gives them again), captured for a region under `region_prefix` and a fiscal
    year in `years` (inclusive), by digest."""
    member = and_(captures_t.c.referrer.is_not(None), captures_t.c.link_text.is_not(None),
                  captures_t.c.url == captures_t.c.referrer + "#" + captures_t.c.link_text)
    cond = [captures_t.c.kind == "file", ~member]
    if region_prefix:
        cond.append(captures_t.c.region_code.startswith(region_prefix, autoescape=True))
    if years is not None:
        cond.append(captures_t.c.fiscal_year.between(*years))
    files = select(captures_t.c.sha256).where(*cond).distinct().subquery("files")
    lp = latest_parse()
    joined = files.outerjoin(lp, and_(lp.c.sha256 == files.c.sha256, lp.c.rn == 1))
    return select(files.c.sha256, lp.c.parser).select_from(joined).order_by(files.c.sha256)
