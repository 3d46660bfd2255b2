"""The header block every page of a table repeats: `207 邯郸市医疗保障局`, `预算年度：2022`, `单位：万元`.

It carries the document's department, budget unit code, year and the table's money unit; because it
repeats on every page it is also the mark that a new page segment of the same table begins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from govbudget.parsers.grid import Row

_YEAR = re.compile(r"预算年度\s*[:：]\s*(\d{4})")
# `单位：万` at the end of a cell is `万元` wrapped over two lines (js_2019_gy p.14: `单位：万` / `元`)
_UNIT = re.compile(r"(?:^[（(]?|\s)(?:金额)?单位\s*[:：]\s*(万元|元|万$)")
_HEADER_UNIT = re.compile(r"单位\s*[:：]\s*(万元|元)|[（(](万元|元)[）)]")
_ORG_END = r"(局|委|委员会|院|厅|办|办公室|会|部|处|中心|馆|站|所|校|学|队|社|团|室|府|署|公司|园|场)"
# Endings a wrapped name can stop one line short of while still looking whole (`…委员会办` / `公厅`)
_LONGER_END = r"(办公厅|办公室|委员会)"
_DEPT = re.compile(r"^(\d{3,8})\s*([\u4e00-\u9fff][^\d\s]*" + _ORG_END + r"(（[^）]*）|\([^)]*\))?)$")
_DEPT_LABEL = re.compile(
    r"^(?:编制|填报|预算)?(?:部门|单位)(?:名称)?\s*[:：]\s*(\d{3,8})?\s*(?![千万亿]?元|[千万亿]?$)(\S+)(?:\s|$)"
)
_DEPT_ALONE = re.compile(r"^(?:编制|填报|预算)?(?:部门|单位)(?:名称)?\s*[:：]$")
MAX_CELLS = 4
_TAIL = re.compile(r"[\u4e00-\u9fff]{1,3}")


@dataclass
class HeaderInfo:
    """What one header-block row told us; fields it did not mention stay None."""

    unit_code: str | None = None
    department: str | None = None
    fiscal_year: int | None = None
    unit: str | None = None
    tail: str | None = None  # `院` first on a header row: the end of the department name wrapped above it

    def any(self) -> bool:
        """True when the row was a header-block row at all."""
        return any(v is not None for v in (self.unit_code, self.department, self.fiscal_year, self.unit))


def parse_header_row(row: Row) -> HeaderInfo:
    """Read header-block facts from a row with few cells and no data (a data row yields nothing)."""
    info = HeaderInfo()
    cells = [row.cells[i] for i in row.filled]
    if not cells or len(cells) > MAX_CELLS:
        return info
    for n, cell in enumerate(cells):
        text = " ".join(cell.split())
        nxt = " ".join(cells[n + 1].split()) if n + 1 < len(cells) else ""
        if _DEPT_ALONE.match(text) and nxt and not re.fullmatch(r"[千万亿]?元|.*[:：].*", nxt):
            info.department = nxt  # the label in a cell of its own: `部门： | 江苏省人大常委会办公厅`
        if m := _YEAR.search(text):
            info.fiscal_year = int(m.group(1))
        if m := _UNIT.search(text):
            info.unit = "万元" if m.group(1) == "万" else m.group(1)
        if m := _DEPT_LABEL.match(text):
            name, *after = re.split(r"单位\s*[:：]\s*(?:万元|元)?", m.group(2), maxsplit=1)
            info.unit_code, info.department = m.group(1), _wrapped_past_unit(name, after[0] if after else "")
    if len(cells) == 1 and (m := _DEPT.match(" ".join(cells[0].split()))):
        info.unit_code, info.department = m.group(1), m.group(2)
    if info.any() and len(cells) > 1 and _TAIL.fullmatch(cells[0].strip()):
        info.tail = cells[0].strip()
    return info


def complete_department(department: str, tail: str) -> str:
    """`江苏省高级人民法` + `院` (js_2019_gy p.12 wraps it in its cell); unchanged unless that ends a name.

    A name that already ends like a body is completed only when the tail turns its ending into a
    longer one: `中国共产党江苏省委员会办` + `公厅` (js_2017_swbgt_tables p.2).
    """
    joined = department + tail
    if not re.search(_ORG_END + "$", joined):
        return department
    if not re.search(_ORG_END + "$", department):
        return joined
    longer = re.search(_LONGER_END + "$", joined) and not re.search(_LONGER_END + "$", department)
    return joined if longer else department


def _wrapped_past_unit(name: str, after: str) -> str:
    """The department, completed by the 1-3 characters that follow `单位：万元` when the name wrapped
    onto the next line and the cell's text put the unit between its two halves."""
    for size in (1, 2, 3):
        tail = after[:size]
        if _TAIL.fullmatch(tail) and (done := complete_department(name, tail)) != name:
            return done
    return name


def header_unit(rows: list[Row]) -> str | None:
    """The money unit printed in a column header (`价值（金额单位：万元）`) when no header block says it."""
    for row in rows:
        for cell in row.cells:
            if m := _HEADER_UNIT.search(" ".join(cell.split())):
                return m.group(1) or m.group(2)
    return None
