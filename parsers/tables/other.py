"""Tables whose title names no kind: read as kind `other`, so no titled grid of amounts is dropped.

A region may print a table nobody specified (`预算单位基本情况表`, `部门预算专项经费情况表`). Its
amounts are still the document's numbers: the table becomes a `table` record of kind `other` with its
title as printed, and its cells become `line_item`s of `table_kind: other`, read like any other table.

The pass runs after the standard tables are found and only over rows none of them holds, so it can
neither cut a standard table short nor take its header block: a line that reads as a title
(`match_title(text, other=True)`) opens a table, the rows after it are fed to it as to any table, and
it is kept only when a grid with amounts follows (a heading over prose or over nothing is no table).
"""

from __future__ import annotations

from govbudget.parsers.grid import Row
from govbudget.parsers.tables.amounts import parse_amount
from govbudget.parsers.tables.kinds import OTHER
from govbudget.parsers.tables.segments import RawTable, _feed, merge_wrapped_titles
from govbudget.parsers.tables.titles import match_title


def other_tables(rows: list[Row], known: list[RawTable]) -> list[RawTable]:
    """The titled tables with amounts among the rows no table in `known` holds, in reading order."""
    taken = {id(r) for t in known for r in t.all_rows()}
    found: list[RawTable] = []
    cur: RawTable | None = None
    for row in merge_wrapped_titles(rows):
        if id(row) in taken or (len(row.filled) <= 2 and match_title(row.text)):
            cur = None  # a standard table's row, or a standard title with nothing under it (a TOC line)
            continue
        if len(row.filled) <= 2 and match_title(row.text, other=True) == OTHER:
            cur = RawTable(kind=OTHER, title=" ".join(row.text.split()), title_row=row)
            found.append(cur)
            continue
        if cur is not None and not _feed(cur, row):
            cur = None
    return [t for t in found if _has_amounts(t)]


def _has_amounts(t: RawTable) -> bool:
    """A data row prints an amount after its first filled cell (the name or code stands first)."""
    for s in t.segments:
        for r in s.data_rows:
            filled = r.filled
            if any(parse_amount(r.cells[i]) is not None for i in filled[1:]):
                return True
    return False
