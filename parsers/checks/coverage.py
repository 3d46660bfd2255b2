"""`coverage`: how many of the amounts printed in a table's region became `line_item` records.

A table that loses a row, a panel or a page segment still yields records, and every other check only
sees the records it got; this check looks at the printed cells instead. For each recognised budget
table it lists the amounts printed in the table's rows (every segment's header and data rows, so
continuation rows and rows taken for headers count) and looks for a line item standing on each cell
(line items carry the cell's locator: page/sheet/table + row + col). `ok` only when every printed
amount was read; `missed` names each unread cell with its text and locator.

What counts as a printed amount (a general rule, the same for every layout):

- the cell's text is a number by `parse_amount` (thousands separators, full-width digits, a dash
  printed for zero); words, percentages (`12%`) and dates are not;
- not in a column whose header names it a row number (序号/行次), a subject code (科目编码, 类/款/项)
  or a count/area (数量, 面积, （台）): those columns hold numbers that are not money, and SCHEMA.md
  emits line items for amount cells only. Cells left out this way are counted per reason in
  `excluded`, so an exclusion is never silent;
- not the subject code of its own row (a name column printing `2010101` before the name is split
  into code and name), and a zero dash only counts outside name columns (there it is a placeholder);
- in header rows only numbers with a decimal point or thousands separator count: header rows number
  their columns (`1 2 3`, the `栏次` row is skipped whole) and print years, but an amount in a row
  taken for a header is data the table lost.

Performance-target tables (indicators) and narrative facts are not measured: their figures are
targets and sentences, not amounts in a grid of measures. Their `table` records carry
`coverage: null` and the document record counts them in `coverage_unmeasured`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from govbudget.parsers.checks.common import Record, check
from govbudget.parsers.grid import Row
from govbudget.parsers.tables.amounts import parse_amount
from govbudget.parsers.tables.columns import build_column_map, refine_roles
from govbudget.parsers.tables.segments import RawTable, is_column_number_row

_NOT_MONEY_ROLES = {"seq": "row_number", "code": "code", "quantity": "quantity"}
_ZERO_DASH = "0"
_HEADER_AMOUNT = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?|-?\d+\.\d+")


@dataclass(frozen=True)
class Printed:
    """One amount printed in a table's region: its text and the locator its line item would carry."""

    text: str
    locator: dict[str, Any]


def locator_key(locator: dict[str, Any] | None) -> tuple:
    """A hashable form of a cell locator (`{"page": 3, "row": 5, "col": 2}`)."""
    return tuple(sorted((k, str(v)) for k, v in (locator or {}).items()))


def printed_amounts(t: RawTable) -> tuple[list[Printed], Counter[str]]:
    """The amounts printed in `t`'s rows, and the numeric cells left out per reason (module doc)."""
    roles: dict[int, str] = {}
    if t.header_rows:
        cmap = refine_roles(build_column_map(t.header_rows), t.data_rows)
        roles = {c.index: c.role for c in cmap.columns}
    excluded: Counter[str] = Counter()
    out: list[Printed] = []
    for seg in t.segments:
        for row in seg.header_rows:
            if is_column_number_row(row):
                continue
            for i, text in enumerate(row.cells):
                if _HEADER_AMOUNT.fullmatch(_plain(text)):
                    out.append(Printed(text.strip(), row.cell_locator(i)))
    for row in t.data_rows:  # on the header's grid, as the line items are
        out.extend(_data_cells(row, roles, excluded))
    return out, excluded


def _data_cells(row: Row, roles: dict[int, str], excluded: Counter[str]) -> list[Printed]:
    out: list[Printed] = []
    for i, text in enumerate(row.cells):
        amount = parse_amount(text)
        if amount is None:
            continue
        role = roles.get(i)
        if role in _NOT_MONEY_ROLES:
            excluded[_NOT_MONEY_ROLES[role]] += 1
            continue
        if role == "name" and (amount == _ZERO_DASH and not _plain(text).isdigit()):
            continue  # a dash in a name column is a placeholder, not a zero
        if role == "name" and re.fullmatch(r"\d{3,}", _plain(text)):
            excluded["code"] += 1  # a subject code printed alone in the name column
            continue
        out.append(Printed(text.strip(), row.cell_locator(i)))
    return out


def _plain(text: str) -> str:
    return "".join((text or "").split())


def coverage_checks(tables: list[tuple[RawTable, Record]], items: list[Record], *, doc: str) -> list[Record]:
    """One `coverage` check per recognised table; each table record gets its `coverage` ratio too."""
    read = {locator_key(r.get("locator")) for r in items if r.get("type") == "line_item"}
    out: list[Record] = []
    for raw, record in tables:
        printed, excluded = printed_amounts(raw)
        missed = [p for p in printed if locator_key(p.locator) not in read]
        expected, actual = len(printed), len(printed) - len(missed)
        ratio = actual / expected if expected else 1.0
        record["coverage"] = ratio
        out.append(check(
            doc, "coverage", actual == expected, raw.kind or "other", expected, actual,
            table_kind=raw.kind, table_title=raw.title, table_locator=dict(raw.title_row.locator),
            locator=dict(raw.title_row.locator),
            ratio=ratio, missed=[{"text": p.text, "locator": p.locator} for p in missed],
            excluded=dict(sorted(excluded.items())),
        ))
    return out


def document_coverage(checks: list[Record]) -> float | None:
    """Amounts read over amounts printed across the document's tables; None when it has no table."""
    runs = [c for c in checks if c.get("check") == "coverage"]
    if not runs:
        return None
    expected = sum(c["expected"] for c in runs)
    return sum(c["actual"] for c in runs) / expected if expected else 1.0


def coverage_errors(checks: list[Record]) -> list[str]:
    """`table <kind> on <locator>: read A of E amounts` for each table below 100%."""
    return [f"table {c['subject']} on {where(c['table_locator'])}: "
            f"read {c['actual']} of {c['expected']} amounts"
            for c in checks if c.get("check") == "coverage" and not c["ok"]]


def where(locator: dict[str, Any]) -> str:
    """A locator as words: `page 3 row 1`, `sheet 表一 row 4`, `table 2 row 1`."""
    return " ".join(f"{k} {v}" for k, v in locator.items()) or "unknown place"
