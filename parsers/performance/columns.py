"""The column map of a performance grid, read from its header row (`一级指标 | 二级指标 | 三级指标 | …`).

Layouts differ by region: 6 columns (000/002/003 project tables), 9 with the target split into
`符号 | 值 | 单位` under a merged `指标值` (000's 整体绩效), 5 with a leading `绩效指标` label column
(004's project sheet), 5 with `指标值说明` (004's overall table). Headers are matched by words, never by
position, so a new arrangement of the same words still maps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from govbudget.parsers.grid import Row

_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("level1", re.compile(r"^一级(指标)?$")),
    ("level2", re.compile(r"^二级(指标)?$")),
    ("level3", re.compile(r"^三级(指标)?$|^指标名称$")),
    ("scoring", re.compile(r"评.*分标准")),
    ("description", re.compile(r"^(绩效)?指标(内容|描述)$|^指标值说明$|^指标解释$")),
    ("basis", re.compile(r"确定依据$|^指标值依据$|^依据$")),
    ("target", re.compile(r"^(指标值|目标值|指标目标值|年度指标值)$")),
)


def norm(text: str) -> str:
    """Cell text without whitespace (`二级\\n指标` → `二级指标`)."""
    return re.sub(r"\s+", "", text or "")


def is_header_row(row: Row) -> bool:
    """A performance grid's header: 一级, 二级 and 三级 indicator columns in one row."""
    words = {norm(c) for c in row.cells}
    return {"一级指标", "二级指标", "三级指标"} <= words or {"一级", "二级", "三级"} <= {w[:2] for w in words}


@dataclass
class GridColumns:
    """Where each field stands; `op`/`value`/`unit` are set when the target is split in three."""

    level1: int
    level2: int | None = None
    level3: int | None = None
    description: int | None = None
    target: int | None = None
    basis: int | None = None
    op: int | None = None
    value: int | None = None
    unit: int | None = None
    label_column: bool = False  # a leading `绩效指标` column (004): rows may be printed shifted left

    @property
    def last(self) -> int:
        """The rightmost mapped column (where a page-break fragment of text lands)."""
        idx = [i for i in (self.level1, self.level2, self.level3, self.description, self.target,
                           self.basis, self.op, self.value, self.unit) if i is not None]
        return max(idx)


def grid_columns(header: Row, sub_header: Row | None) -> GridColumns:
    """Map the header (and a `符号 | 值 | 单位` row under it, when printed)."""
    found: dict[str, int] = {}
    for i, cell in enumerate(header.cells):
        word = norm(cell)
        for field, pattern in _WORDS:
            if field not in found and pattern.search(word):
                found[field] = i
                break
    cols = GridColumns(level1=found.get("level1", 0), level2=found.get("level2"), level3=found.get("level3"),
                       description=found.get("description"), target=found.get("target"),
                       basis=found.get("basis"))
    cols.label_column = cols.level1 > 0 and norm(header.cell(0)) in ("绩效指标", "绩效指标表")
    if sub_header is not None and is_split_target_row(sub_header):
        words = [norm(c) for c in sub_header.cells]
        cols.op, cols.value, cols.unit = words.index("符号"), words.index("值"), words.index("单位")
        cols.target = None
        if cols.basis is not None and cols.basis <= cols.unit:
            # the header's words sit left of the split cells: 依据 is the column after 单位
            cols.basis = cols.unit + 1
    return cols


def is_split_target_row(row: Row) -> bool:
    """The row under a merged `指标值` header naming its three parts."""
    words = [norm(c) for c in row.cells]
    return "符号" in words and "值" in words and "单位" in words
