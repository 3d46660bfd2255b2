"""Put data rows printed on another grid back onto the header's columns.

pdfplumber builds one grid per ruled block, so when a table's last row runs onto a new page and the
next table starts right under it, the two share rules and that row gets the next table's columns
(js_2017_rdbgt p.15: `30312 | 提租补贴 | | 1,018.01 |` under a `科目编码 | 科目名称 | 金额` header). Such
a run of rows has blank gutter columns; when dropping the columns blank in every row of the run leaves
exactly the header's width, the remaining cells are the header's columns in order. Anything else is
left as read: a guess that does not fit exactly would move amounts between measures.
"""

from __future__ import annotations

from itertools import groupby

from govbudget.parsers.grid import Row


def on_header_grid(rows: list[Row], width: int) -> list[Row]:
    """`rows` with each run of another width (same page, same cell count) mapped onto `width` columns."""
    if not width:
        return rows
    out: list[Row] = []
    for (_, size), run in groupby(rows, key=lambda r: (r.locator.get("page"), len(r.cells))):
        group = list(run)
        if size == width or "page" not in group[0].locator:
            out.extend(group)
            continue
        used = [i for i in range(size) if any(r.cell(i).strip() for r in group)]
        if len(used) != width:
            out.extend(group)
            continue
        out.extend(Row(tuple(r.cells[i] for i in used), r.kind, r.locator) for r in group)
    return out
