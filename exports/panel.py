"""The longitudinal panel: one row per region × department × fiscal year × subject code.

Subject codes are the join key across years, because names drift (医疗保障管理事务 one year, 医疗保障
事务 the next) while codes are what the budget classification assigns. But codes are re-assigned too,
so the panel never merges silently: within one region and department, a code whose printed name
differs between years is flagged `renamed`, and a name that appears under a different code in another
year is flagged `recoded`. The researcher decides whether to link them.

One disclosure is often published twice (a PDF and an XLSX of the same tables): rows from several
files of the same department and year are one panel row when they agree (`sources` lists them all)
and are flagged `conflict` when they do not. The value kept is the one of the file the export marks
`canonical` (exports/disclosures.py, the one rule: a revision over what it supersedes, then the most
complete parse, XLSX before PDF), so the panel and `SUM` over canonical export rows agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyarrow as pa

from govbudget.exports.collect import Selection, file_documents
from govbudget.exports.convert import BadValue, to_decimal
from govbudget.exports.disclosures import Content, norm_name, rank
from govbudget.exports.fields import DECIMAL_PRECISION, DECIMAL_SCALE
from govbudget.parsers.tables.measures import MEASURES

CLASSIFICATIONS = ("function", "economic_dept", "economic_gov")
# The table a classification is read from unless asked: the one that carries every fund source.
DEFAULT_TABLE = {
    "function": "expenditure_summary",
    "economic_dept": "general_budget_basic_expenditure",
    "economic_gov": "general_budget_basic_expenditure",
}
FLAGS = ("renamed", "recoded", "conflict")

PANEL_SCHEMA = pa.schema([
    ("region_code", pa.string()),
    ("department", pa.string()),
    ("fiscal_year", pa.int64()),
    ("code", pa.string()),
    ("name", pa.string()),
    ("classification", pa.string()),
    ("level", pa.int64()),
    ("table_kind", pa.string()),
    ("measure", pa.string()),
    ("phase", pa.string()),
    ("amount_yuan", pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE)),
    ("flags", pa.string()),
    ("flag_detail", pa.string()),
    ("sources", pa.string()),
    ("source_urls", pa.string()),
    ("n_sources", pa.int64()),
])


class PanelError(ValueError):
    """A panel request that cannot be answered (unknown classification, bad level)."""


@dataclass(frozen=True)
class PanelSpec:
    """What the panel measures: `measure` of `classification` codes at `level` in `table_kind`."""

    measure: str = "total"
    classification: str = "function"
    level: int = 2
    table_kind: str | None = None
    phase: str = "budget"

    def __post_init__(self) -> None:
        if self.classification not in CLASSIFICATIONS:
            raise PanelError(f"classification must be one of {CLASSIFICATIONS}, got {self.classification!r}")
        top = 3 if self.classification == "function" else 2
        if not 1 <= self.level <= top:
            raise PanelError(f"{self.classification} codes have levels 1..{top}, got {self.level}")
        if self.measure not in MEASURES:
            raise PanelError(f"unknown measure {self.measure!r}: one of {', '.join(MEASURES)}")

    @property
    def table(self) -> str:
        return self.table_kind or DEFAULT_TABLE[self.classification]


CellKey = tuple[str, str, int, str]  # region, department, fiscal year, code


@dataclass
class _Cell:
    values: dict[str, Decimal] = field(default_factory=dict)  # sha256 -> amount_yuan
    names: dict[str, str] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    latest: str = ""  # sha256 of the file whose value is kept (see `_kept`)
    name: str = ""


_norm = norm_name


def _preference(doc: dict[str, Any], items: int) -> tuple[Any, ...]:
    """The file a panel cell keeps: the export's canonical file first, then one not superseded, then
    the canonical rule itself (files handed in without marks)."""
    return (not doc.get("canonical"), doc.get("superseded_by") is not None, rank(doc, items))


def build_panel(
    docs: Iterable[dict[str, Any]], items: Iterable[dict[str, Any]], spec: PanelSpec
) -> pa.Table:
    """The panel from file documents (`collect.file_documents`) and their `line_item` records."""
    by_sha = {d["sha256"]: d for d in docs if d.get("phase") in (None, spec.phase)}
    cells: dict[CellKey, _Cell] = {}
    content: dict[str, Content] = {}
    for item in items:
        doc = by_sha.get(item.get("doc"))
        if doc is not None:
            content.setdefault(doc["sha256"], Content()).add(item)
        if doc is None or doc.get("fiscal_year") is None or not _wanted(item, spec):
            continue
        try:
            amount = to_decimal(item.get("amount_yuan"))
        except BadValue:
            continue  # no comparable number; the export keeps the raw value in `extra`
        region, dept = doc.get("region_code") or "", _norm(doc.get("department"))
        key = (region, dept, int(doc["fiscal_year"]), item["code"])
        cell = cells.setdefault(key, _Cell())
        cell.values[doc["sha256"]] = amount
        cell.names[doc["sha256"]] = item.get("name") or ""
        cell.urls[doc["sha256"]] = doc.get("url") or doc.get("source_url") or ""
    for cell in cells.values():
        cell.latest = min(cell.values, key=lambda sha: _preference(by_sha[sha], _count(content, sha)))
        cell.name = cell.names[cell.latest] or next((n for n in cell.names.values() if n), "")
    return _rows(cells, spec)


def _count(content: dict[str, Content], sha: str) -> int:
    c = content.get(sha)
    return c.items if c else 0


def _wanted(item: dict[str, Any], spec: PanelSpec) -> bool:
    return (
        item.get("table_kind") == spec.table
        and item.get("classification") == spec.classification
        and item.get("measure") == spec.measure
        and item.get("level") == spec.level
        and bool(item.get("code"))
    )


def _flags(cells: dict[CellKey, _Cell]) -> dict[CellKey, list[str]]:
    """`renamed`/`recoded` notes per cell, comparing each department's years with one another."""
    # (region, dept, code) -> year -> name, and (region, dept, name) -> year -> code
    names: dict[tuple[str, str, str], dict[int, str]] = defaultdict(dict)
    codes: dict[tuple[str, str, str], dict[int, str]] = defaultdict(dict)
    for (region, dept, year, code), cell in cells.items():
        names[(region, dept, code)][year] = cell.name
        codes[(region, dept, _norm(cell.name))][year] = code
    notes: dict[CellKey, list[str]] = defaultdict(list)
    for (region, dept, year, code), cell in cells.items():
        others = {y: n for y, n in names[(region, dept, code)].items() if _norm(n) != _norm(cell.name)}
        if others:
            shown = "; ".join(f"{y}: {n}" for y, n in sorted(others.items()))
            notes[(region, dept, year, code)].append(f"renamed: code {code} is printed as {shown}")
        moved = {y: c for y, c in codes[(region, dept, _norm(cell.name))].items() if c != code}
        if moved:
            shown = "; ".join(f"{y}: {c}" for y, c in sorted(moved.items()))
            notes[(region, dept, year, code)].append(f"recoded: {cell.name} stands under code {shown}")
    return notes


def _rows(cells: dict[CellKey, _Cell], spec: PanelSpec) -> pa.Table:
    notes = _flags(cells)
    rows = []
    for key in sorted(cells):
        region, _dept, year, code = key
        cell = cells[key]
        detail = list(notes.get(key, []))
        if len(set(cell.values.values())) > 1:
            shown = "; ".join(f"{sha[:12]}: {v}" for sha, v in sorted(cell.values.items()))
            detail.append(f"conflict: the files disagree ({shown}); kept {cell.latest[:12]}")
        flags = sorted({note.split(":", 1)[0] for note in detail})
        rows.append({
            "region_code": region or None, "department": key[1], "fiscal_year": year, "code": code,
            "name": cell.name, "classification": spec.classification, "level": spec.level,
            "table_kind": spec.table, "measure": spec.measure, "phase": spec.phase,
            "amount_yuan": cell.values[cell.latest], "flags": ",".join(flags) or None,
            "flag_detail": " | ".join(detail) or None, "sources": ",".join(sorted(cell.values)),
            "source_urls": " ".join(cell.urls[s] for s in sorted(cell.urls)), "n_sources": len(cell.values),
        })
    return pa.Table.from_pylist(rows, schema=PANEL_SCHEMA)


def panel(catalog: Any, spec: PanelSpec, selection: Selection = Selection()) -> pa.Table:  # noqa: B008
    """The panel of the selected documents in the catalog."""
    docs = file_documents(catalog, selection)
    return build_panel(docs, catalog.records(type="line_item"), spec)
