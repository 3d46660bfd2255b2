"""Tables without a name column: the one-row 支出总表 and the 三公 table laid out across.

Jiangsu prints 支出预算总表 as one row under `合计 | 基本支出 | 项目支出 | …`: that row is the table's
total, so it becomes one logical row named `合计` with one cell per measure. A 三公 table laid out across
(`合计 | 因公出国(境)费 | 公务用车购置及运行费 (小计 | 购置费 | 运行费) | 公务接待费`) names its items in
the header, so each column becomes its own row named by its header words; a `预算数` / `决算数` word
under an item is the measure, and a `小计` under an item keeps both words (`公务用车购置及运行费 小计`).
"""

from __future__ import annotations

from dataclasses import replace

from govbudget.parsers.grid import Row
from govbudget.parsers.tables.amounts import parse_amount
from govbudget.parsers.tables.columns import Column
from govbudget.parsers.tables.line_items import LogicalRow, Side
from govbudget.parsers.tables.measures import to_measure

_MEASURE_WORDS = {"预算数", "决算数", "预算", "决算", "金额", "全年预算数"}
TOTAL_NAME = "合计"


def across_rows(kind: str, side: Side, rows: list[Row]) -> list[LogicalRow]:
    """Logical rows of a name-less side."""
    out: list[LogicalRow] = []
    for row in rows:
        cells = [(c, a) for c in side.amounts if (a := parse_amount(row.cell(c.index))) is not None]
        if not cells:
            continue
        if kind != "three_public_costs":
            out.append(LogicalRow(None, TOTAL_NAME, row, None, cells))
            continue
        for col, amount in cells:
            name, measure = item_of(col)
            out.append(LogicalRow(None, name, row, None, [(replace(col, measure=measure), amount)]))
    return out


def item_of(col: Column) -> tuple[str, str]:
    """(row name, measure) of one column of a 三公 table laid out across."""
    words = list(col.path) or [col.label]
    measure = "total"
    if len(words) > 1 and words[-1] in _MEASURE_WORDS:
        measure = to_measure(words.pop())
    if len(words) > 1 and words[-1] == "小计":
        return f"{words[-2]} 小计", measure
    return words[-1], measure
