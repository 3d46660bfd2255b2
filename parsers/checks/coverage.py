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

The region is more than the rows the segmenter kept: it runs from the title to the next table, so
rows a table lost (a continuation page cut off by a line printed above its grid, a row skipped as
text) are measured too (`stray_rows`). Those rows have no column map, so they count by the strict
rule of header rows (a decimal point or thousands separator: never ordinals, codes or years); a text
line counts its whitespace-separated amounts. The region ends at another table's row, a title line
(`…表`), a note (`注：`) or prose (`，。；`, `17996.68 万元`), so narrative and performance forms never
fall in it.

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
from govbudget.parsers.tables.segments import _NOTE, _PAGE_NUMBER, RawTable, is_column_number_row
from govbudget.parsers.tables.titles import normalize

_NOT_MONEY_ROLES = {"seq": "row_number", "code": "code", "quantity": "quantity"}
_ZERO_DASH = "0"
_HEADER_AMOUNT = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?|-?\d+\.\d+")
_MAX_STRAY_TEXT = 30  # a text line longer than this without an amount is prose: the table is over
# a sentence: its punctuation, or an amount followed by its unit (`17996.68 万元`, `8.85 %`)
_PROSE = re.compile(r"[，。；！？]|\d\s*(万元|亿元|元|%|％)")


@dataclass(frozen=True)
class Printed:
    """One amount printed in a table's region: its text and the locator its line item would carry."""

    text: str
    locator: dict[str, Any]


def locator_key(locator: dict[str, Any] | None) -> tuple:
    """A hashable form of a cell locator (`{"page": 3, "row": 5, "col": 2}`)."""
    return tuple(sorted((k, str(v)) for k, v in (locator or {}).items()))


def stray_rows(t: RawTable, rows: list[Row], taken: set[tuple]) -> list[Row]:
    """Rows of the document inside `t`'s region that no segment of `t` holds.

    The region runs from the title to the next table: rows the segmenter skipped between `t`'s own
    rows, then the rows after its last one (a continuation the table lost at a page break, a row
    printed above the grid) until another table's row, a title line (`…表`), a note or prose (sentence
    punctuation, an amount followed by its unit, or a long line). A page number or a short line
    without amounts (a unit, a header line) does not end it.
    """
    own = {locator_key(r.locator) for r in t.all_rows()}
    index = [n for n, r in enumerate(rows) if locator_key(r.locator) in own]
    if not index:
        return []
    out: list[Row] = []
    for n in range(index[0] + 1, len(rows)):
        row, key = rows[n], locator_key(rows[n].locator)
        if key in own:
            continue
        if key in taken:
            break  # another table's row
        past = n > index[-1]
        if row.kind == "text":
            text = normalize(row.text)
            if _PAGE_NUMBER.fullmatch(row.text.strip()):
                continue
            prose = bool(_PROSE.search(row.text))
            amounts = [] if prose else _text_amounts(row)
            if past and (prose or (not amounts and (_NOTE.match(text) or text.endswith("表")
                                                    or len(text) > _MAX_STRAY_TEXT))):
                break
            if amounts:
                out.append(row)
            continue
        out.append(row)
    return out


def _text_amounts(row: Row) -> list[tuple[int, str]]:
    """(token index, token) of the amounts in a text line, split on whitespace (strict rule)."""
    return [(i, tok) for i, tok in enumerate(row.text.split()) if _HEADER_AMOUNT.fullmatch(tok)]


def _stray_cells(row: Row) -> list[Printed]:
    """A stray row's amounts by the strict rule: a decimal point or thousands separator."""
    if row.kind == "text":
        return [Printed(tok, row.cell_locator(i)) for i, tok in _text_amounts(row)]
    return [Printed(text.strip(), row.cell_locator(i)) for i, text in enumerate(row.cells)
            if _HEADER_AMOUNT.fullmatch(_plain(text))]


def printed_amounts(t: RawTable, rows: list[Row] | None = None,
                    taken: set[tuple] | None = None) -> tuple[list[Printed], Counter[str]]:
    """The amounts printed in `t`'s region, and the numeric cells left out per reason (module doc).

    `rows` is the document's row stream and `taken` the locator keys of every recognised table's
    rows: with them the region includes the rows `t` lost (`stray_rows`), else only `t`'s own rows.
    """
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
    if rows is not None:
        for row in stray_rows(t, rows, taken or set()):
            out.extend(_stray_cells(row))
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


def coverage_checks(tables: list[tuple[RawTable, Record]], items: list[Record], *, doc: str,
                    rows: list[Row] | None = None) -> list[Record]:
    """One `coverage` check per recognised table; each table record gets its `coverage` ratio too.

    `rows` (the document's row stream) extends each table's region over the rows it lost.
    """
    read = {locator_key(r.get("locator")) for r in items if r.get("type") == "line_item"}
    taken = {locator_key(r.locator) for raw, _ in tables for r in raw.all_rows()}
    out: list[Record] = []
    for raw, record in tables:
        printed, excluded = printed_amounts(raw, rows, taken)
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
