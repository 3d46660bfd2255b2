"""What goes into an export: the archived disclosure files and their records, with provenance.

Reads only through the catalog's public reads (`documents()`, `records()`), so it works the same on
SQLite and PostgreSQL. Each file's provenance (latest capture URL and time, region, fiscal year) is
joined onto every record of that file here, once, so every exported row can be traced on its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from govbudget import regions
from govbudget.exports.convert import BadValue, Problems, to_decimal, to_row
from govbudget.exports.disclosures import Content, content_of, counts, mark
from govbudget.exports.fields import Resource

# What the parser's `document` record knows that the capture does not.
_PARSER_DOCUMENT_KEYS = ("unit_code", "scope", "pages", "parser", "errors", "title", "department", "phase")


# `documents()` keys exported under their provenance names (or as `status`), not twice.
_DUPLICATES = {"extra", "url", "fetched_at", "parse_status"}


class SelectionError(ValueError):
    """A region or year filter that cannot be understood."""


def region_prefix(code: str) -> str:
    """The prefix shared by `code` and every region under it; SelectionError for a bad code."""
    try:
        return regions.region_prefix(code)
    except ValueError as exc:
        raise SelectionError(str(exc)) from exc


def parse_years(text: str) -> tuple[int, int]:
    """`2022` or `2020-2024` as an inclusive (first, last) range."""
    match = re.fullmatch(r"\s*(\d{4})\s*(?:[-–]\s*(\d{4})\s*)?", text)
    if not match:
        raise SelectionError(f"years are YYYY or YYYY-YYYY, got {text!r}")
    first, last = int(match[1]), int(match[2] or match[1])
    if first > last:
        raise SelectionError(f"year range {text!r} ends before it starts")
    return first, last


@dataclass(frozen=True)
class Selection:
    """Which documents an export, panel or report covers (everything by default)."""

    region: str | None = None
    years: tuple[int, int] | None = None

    @classmethod
    def parse(cls, region: str | None = None, years: str | None = None) -> Selection:
        if region is not None:
            region_prefix(region)
        return cls(region=region, years=parse_years(years) if years else None)

    def matches(self, region_code: str | None, fiscal_year: int | None) -> bool:
        if self.region is not None and not (region_code or "").startswith(region_prefix(self.region)):
            return False
        if self.years is not None:
            return fiscal_year is not None and self.years[0] <= fiscal_year <= self.years[1]
        return True


def file_documents(
    catalog: Any, selection: Selection = Selection(), content: dict[str, Content] | None = None
) -> list[dict[str, Any]]:
    """One dict per archived disclosure file (pages excluded) with capture and parser fields merged,
    marked with its `disclosure_id`, `canonical` and `superseded_by` (`disclosures.mark`, over every
    file so the marks do not depend on the selection). `content`: line-item counts and fingerprints
    per file when the caller has them (`disclosures.content_of`), else read from the catalog."""
    parsed = {rec.get("sha256"): rec for rec in catalog.records(type="document")}
    out = []
    for doc in catalog.documents():
        if doc["doc_kind"] == "page":
            continue
        rec = parsed.get(doc["sha256"], {})
        merged = dict(doc)
        for key in _PARSER_DOCUMENT_KEYS:
            if merged.get(key) is None and rec.get(key) is not None:
                merged[key] = rec[key]
        merged["status"] = doc["parse_status"]
        merged["source_url"] = doc["url"]
        merged["captured_at"] = doc["fetched_at"]
        merged["extra"] = {k: v for k, v in rec.items() if k not in merged and k != "type"}
        out.append(merged)
    mark(out, content if content is not None else content_of(catalog.records(type="line_item")))
    return [d for d in out if selection.matches(d.get("region_code"), d.get("fiscal_year"))]


def _provenance(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "sha256": doc["sha256"], "source_url": doc["source_url"], "captured_at": doc["captured_at"],
        "region_code": doc.get("region_code"), "region_source": doc.get("region_source"),
        "fiscal_year": doc.get("fiscal_year"), "disclosure_id": doc.get("disclosure_id"),
        "canonical": doc.get("canonical"),
        "superseded_by": doc.get("superseded_by"),
    }


def record_values(record: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """A record's values with its file's provenance and disclosure marks.

    A check compares numbers or words (`indicator_odd_bound` expects "a percentage bound a rate can
    meet"): `expected_text`/`actual_text` keep what the parser emitted, exactly, and the decimal
    `expected`/`actual` columns are filled only when it is a number, so a worded check is no
    invalid value."""
    values = _provenance(doc)
    values.update({k: v for k, v in record.items() if v is not None})
    values["sha256"] = doc["sha256"]
    values["region_code"], values["region_source"] = doc.get("region_code"), doc.get("region_source")
    values["canonical"] = counts(doc, record.get("table_kind"))
    if record.get("type") == "check":
        for name in ("expected", "actual"):
            values[f"{name}_text"] = _text(record.get(name))
            values[name] = _number(record.get(name))
    return values


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _number(value: Any) -> Any:
    try:
        to_decimal(value)
    except BadValue:
        return None
    return value


# Record types whose rows name the table they stand in, and the prefix of their `record_id`.
_IN_TABLE = {"line_item", "indicator"}
_ID_PREFIX = {"line_item": "li", "indicator": "in", "fact": "fa", "check": "ch"}


def table_id(sha256: str, index: int) -> str:
    """A table's id: its file's sha256 and its position among the file's tables (`<sha256>:t3`)."""
    return f"{sha256}:t{index}"


@dataclass(frozen=True)
class _Table:
    id: str
    kind: str | None
    locator: dict[str, Any]
    project: str | None


def _tables(catalog: Any, wanted: set[str]) -> dict[str, list[_Table]]:
    out: dict[str, list[_Table]] = {}
    for rec in catalog.records(type="table"):
        sha = rec.get("doc")
        if sha not in wanted:
            continue
        mine = out.setdefault(sha, [])
        mine.append(_Table(table_id(sha, len(mine)), rec.get("table_kind"), rec.get("locator") or {},
                           rec.get("project")))
    return out


def _holds(table: _Table, where: dict[str, Any]) -> bool:
    """Whether a record's locator (`{"page": 7, ...}` or `{"sheet": ..., "row": ...}`) is in the table."""
    loc = table.locator
    if "sheet" in where:
        rows = loc.get("rows") or []
        row = where.get("row")
        inside = len(rows) != 2 or not isinstance(row, int) or rows[0] <= row <= rows[1]
        return loc.get("sheet") == where["sheet"] and inside
    page = where.get("page")
    start, end = loc.get("page_start"), loc.get("page_end", loc.get("page_start"))
    return isinstance(page, int) and isinstance(start, int) and start <= page <= (end or start)


def link_table(record: dict[str, Any], tables: list[_Table]) -> str | None:
    """The id of the table a line item or indicator stands in: the one of its kind that holds its
    locator (the one of its project when several do), or the only table of its kind; else None."""
    kind = [t for t in tables if t.kind == record.get("table_kind")]
    where = record.get("locator") if isinstance(record.get("locator"), dict) else {}
    held = [t for t in kind if where and _holds(t, where)]
    if len(held) > 1 and record.get("project"):
        held = [t for t in held if t.project == record.get("project")] or held
    if held:
        return held[0].id
    return kind[0].id if len(kind) == 1 else None


def resource_rows(
    catalog: Any, resource: Resource, docs: list[dict[str, Any]], problems: Problems
) -> Iterator[dict[str, Any]]:
    """Typed rows of one exported file, in catalog order."""
    if resource.record_type == "document":
        for doc in docs:
            values = {k: v for k, v in doc.items() if k not in _DUPLICATES} | doc.get("extra", {})
            yield to_row(resource, values, problems)
        return
    by_sha = {d["sha256"]: d for d in docs}
    kind = resource.record_type
    tables = _tables(catalog, set(by_sha)) if kind in _IN_TABLE or kind == "table" else {}
    seen: dict[str, int] = {}
    for record in catalog.records(type=kind):
        doc = by_sha.get(record.get("doc"))
        if doc is None:
            continue
        values = record_values(record, doc)
        n = seen[doc["sha256"]] = seen.get(doc["sha256"], -1) + 1
        if kind == "table":
            values["table_id"] = table_id(doc["sha256"], n)
        else:
            values["record_id"] = f"{doc['sha256']}:{_ID_PREFIX.get(kind, kind)}{n}"
        if kind in _IN_TABLE:
            values["table_id"] = link_table(record, tables.get(doc["sha256"], []))
        yield to_row(resource, values, problems)


# code → {region_code, name, full_name, level, parent, province} or None: the region registry, which the
# command (cli/ wires rooms; exports never import crawler/) hands in.
DescribeRegion = Callable[[str], dict[str, Any] | None]


def region_rows(docs: list[dict[str, Any]], describe: DescribeRegion | None) -> list[dict[str, Any]]:
    """One row per division the documents' region codes name, and every division above them, by code."""
    if describe is None:
        return []
    rows: dict[str, dict[str, Any]] = {}
    todo = sorted({d["region_code"] for d in docs if d.get("region_code")})
    while todo:
        code = todo.pop()
        if code in rows:
            continue
        row = describe(code)
        if row is None:
            continue
        rows[code] = row
        if row.get("parent"):
            todo.append(row["parent"])
    return [rows[c] for c in sorted(rows)]
