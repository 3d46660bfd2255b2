"""A recognised table → its `table` record and `line_item` records, or the reason it failed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from govbudget.parsers.records import Table
from govbudget.parsers.tables.across import across_rows
from govbudget.parsers.tables.columns import build_column_map, refine_roles
from govbudget.parsers.tables.header_block import header_unit
from govbudget.parsers.tables.line_items import line_item_records, read_rows, sides_of
from govbudget.parsers.tables.segments import RawTable


@dataclass
class TableResult:
    """The records of one table and what went wrong with it (empty `errors` means parsed)."""

    table: dict[str, Any]
    items: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def interpret(t: RawTable, *, doc: str, defaults: dict[str, Any]) -> TableResult:
    """Interpret one table; `defaults` fill header-block facts a table did not print itself."""
    unit = t.info.unit or defaults.get("unit")
    record = _table_record(t, doc=doc, unit=unit, defaults=defaults)
    result = TableResult(table=record, errors=list(t.problems))
    if t.declared_empty:
        record["declared_empty"] = True
        return result
    if not t.data_rows and t.header_rows:
        return result  # printed with headers and nothing under them: an empty table, as printed
    if not t.data_rows:
        result.errors.append(f"{t.kind}: no data rows found after the title {t.title!r}")
        return result
    cmap = refine_roles(build_column_map(t.header_rows), t.data_rows)
    sides = [s for s in sides_of(t.kind, cmap) if s.amounts]
    if not sides:
        result.errors.append(f"{t.kind}: no column map (no amount columns in the header rows)")
        return result
    if unit is None and (unit := header_unit(t.header_rows)) is not None:
        record["unit"] = unit
    if unit is None:
        result.errors.append(f"{t.kind}: money unit not printed (单位：万元/元); amount_yuan left null")
    seq = cmap.first("seq")
    read: set[int] = set()
    for n, side in enumerate(sides):
        left = sides[n - 1] if n and sides[n - 1].side == side.side and sides[n - 1].names else None
        if side.names:
            rows = read_rows(side, t.data_rows, seq, left)
        else:
            rows = across_rows(t.kind, side, t.data_rows)
        read.update(id(r.row) for r in rows)
        result.items.extend(
            line_item_records(kind=t.kind, side=side, rows=rows, hint=cmap.classification, unit=unit, doc=doc)
        )
    record["rows"] = len(read)
    return result


def _table_record(t: RawTable, *, doc: str, unit: str | None, defaults: dict[str, Any]) -> dict[str, Any]:
    return Table(
        doc=doc,
        table_kind=t.kind,
        title=t.title,
        unit=unit,
        department=t.info.department or defaults.get("department"),
        unit_code=t.info.unit_code or defaults.get("unit_code"),
        fiscal_year=t.info.fiscal_year or defaults.get("fiscal_year"),
        locator=_locator(t),
        rows=0,
        declared_empty=False,
    ).as_dict()


def _locator(t: RawTable) -> dict[str, Any]:
    rows = t.all_rows()
    pages = [r.locator["page"] for r in rows if "page" in r.locator]
    if pages:
        return {"page_start": min(pages), "page_end": max(pages)}
    numbers = [r.locator["row"] for r in rows if "row" in r.locator] or [0]
    grids = [r.locator["table"] for r in rows if "table" in r.locator]  # DOCX and HTML tables
    if grids:
        return {"table": grids[0], "rows": [min(numbers), max(numbers)]}
    sheets = [r.locator.get("sheet") for r in rows]
    return {"sheet": sheets[0], "rows": [min(numbers), max(numbers)]}
