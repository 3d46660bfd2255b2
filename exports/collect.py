"""What goes into an export: the archived disclosure files and their records, with provenance.

Reads only through the catalog's public reads (`documents()`, `records()`), so it works the same on
SQLite and PostgreSQL. Each file's provenance (latest capture URL and time, region, fiscal year) is
joined onto every record of that file here, once, so every exported row can be traced on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from govbudget.exports.convert import Problems, to_row
from govbudget.exports.fields import Resource

# What the parser's `document` record knows that the capture does not.
_PARSER_DOCUMENT_KEYS = ("unit_code", "scope", "pages", "parser", "errors", "title", "department", "phase")


# `documents()` keys exported under their provenance names (or as `status`), not twice.
_DUPLICATES = {"extra", "url", "fetched_at", "parse_status"}


class SelectionError(ValueError):
    """A region or year filter that cannot be understood."""


def region_prefix(code: str) -> str:
    """The prefix shared by `code` and every region under it (GB/T 2260: 130000 ⊃ 130400 ⊃ 130402)."""
    if not re.fullmatch(r"\d{6}", code):
        raise SelectionError(f"a region is a 6-digit GB/T 2260 code, got {code!r}")
    prefix = code
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    return prefix


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


def file_documents(catalog: Any, selection: Selection = Selection()) -> list[dict[str, Any]]:
    """One dict per archived disclosure file (pages excluded) with capture and parser fields merged."""
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
        if selection.matches(merged.get("region_code"), merged.get("fiscal_year")):
            out.append(merged)
    return out


def _provenance(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "sha256": doc["sha256"], "source_url": doc["source_url"], "captured_at": doc["captured_at"],
        "region_code": doc.get("region_code"), "fiscal_year": doc.get("fiscal_year"),
    }


def _record_values(record: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    values = _provenance(doc)
    values.update({k: v for k, v in record.items() if v is not None})
    values["sha256"] = doc["sha256"]
    if record.get("type") == "check":
        values["expected_text"] = _text(record.get("expected"))
        values["actual_text"] = _text(record.get("actual"))
    return values


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


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
    for record in catalog.records(type=resource.record_type):
        doc = by_sha.get(record.get("doc"))
        if doc is not None:
            yield to_row(resource, _record_values(record, doc), problems)
