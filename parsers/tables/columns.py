"""The column map of a table: which column holds the 序号, the code, the name and each measure.

Header rows are merged cells over two or three lines, and in text renditions their words drift
(`附属单位上缴收入\\t\\t其他收入`), so the `栏次 1 2 3 …` row decides which columns exist and the header
text above each column (its lowest printed word) names the measure. The top header row, carried right
over its merged span, gives each column its group (`收入` / `支出` on a side-by-side summary table).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from govbudget.parsers.grid import Row
from govbudget.parsers.tables.measures import normalize_label, to_measure
from govbudget.parsers.tables.segments import is_column_number_row

_NAME_LABELS = re.compile(r"^(项目|科目|名称|功能分类科目|经济分类科目|.*名称|支出项目|收入项目)$")
_CODE_LABELS = re.compile(r"(编码|代码|编号)$|^(类|款|项)$")
_SEQ_LABELS = re.compile(r"^(序号|行次|栏次)$")
# counts and areas (固定资产占用情况表's 数量, 房屋（平方米）): numbers, but not money
_QUANTITY_LABELS = re.compile(r"^(数量|面积|个数|人数|台数|辆数)|[（(](平方米|台|辆|个|人|套)[）)]$")


@dataclass(frozen=True)
class Column:
    """One column: role is `seq`, `code`, `name`, `amount` or `quantity`; amounts carry their measure.

    A `quantity` column (数量, 面积, a header ending in （台）) holds counts or areas. SCHEMA.md emits a
    line item per non-blank *amount* cell, and a count summed with 万元 would corrupt every total, so
    quantity columns are recognised and kept out of the line items on purpose.
    """

    index: int
    role: str
    label: str
    measure: str | None
    group: str
    number: str | None
    path: tuple[str, ...] = ()  # the header words above the column, top to bottom (merged spans filled)


@dataclass
class ColumnMap:
    """All columns of a table plus what its header says about the codes' classification."""

    columns: list[Column]
    classification: str | None

    def first(self, role: str, group: str | None = None) -> Column | None:
        """The first column with this role (within a group when given)."""
        for c in self.columns:
            if c.role == role and (group is None or c.group == group):
                return c
        return None

    def amounts(self, group: str | None = None) -> list[Column]:
        """The amount columns, left to right (within a group when given)."""
        return [c for c in self.columns if c.role == "amount" and (group is None or c.group == group)]

    def groups(self) -> list[str]:
        """The distinct column groups that hold a name column, left to right."""
        out: list[str] = []
        for c in self.columns:
            if c.role == "name" and c.group not in out:
                out.append(c.group)
        return out


def build_column_map(header_rows: list[Row]) -> ColumnMap:
    """Build the map from a table's header rows (the last may be the `栏次` row)."""
    numbers_row = next((r for r in header_rows if is_column_number_row(r)), None)
    label_rows = [r for r in header_rows if r is not numbers_row]
    width = max((len(r.cells) for r in header_rows), default=0)
    groups = _forward_fill(label_rows[0], width) if len(label_rows) > 1 else [""] * width
    paths = _label_paths(label_rows, width)
    roles: list[str | None] = []
    for i in range(width):
        labels = [normalize_label(r.cell(i)) for r in label_rows if normalize_label(r.cell(i))]
        number = numbers_row.cell(i).strip() if numbers_row is not None else None
        roles.append(_role(labels[-1] if labels else "", number))
    _fill_code_parts(roles)
    columns: list[Column] = []
    for i in range(width):
        labels = [normalize_label(r.cell(i)) for r in label_rows if normalize_label(r.cell(i))]
        label = labels[-1] if labels else ""
        number = numbers_row.cell(i).strip() if numbers_row is not None else None
        role = roles[i]
        if role is None:
            continue
        measure = to_measure(label) if role == "amount" else None
        columns.append(Column(i, role, label, measure, groups[i], number or None, paths[i]))
    header_text = "".join(normalize_label(c) for r in label_rows for c in r.cells)
    return ColumnMap(columns=columns, classification=_classification(header_text))


def _role(label: str, number: str | None) -> str | None:
    if _SEQ_LABELS.match(label) or (number or "").startswith("栏次"):
        return "seq"
    if _CODE_LABELS.search(label):
        return "code"
    if _NAME_LABELS.match(label):
        return "name"
    if _QUANTITY_LABELS.search(label):
        return "quantity"
    if label or (number and number.isdigit()):
        return "amount"
    return None


def _fill_code_parts(roles: list[str | None]) -> None:
    """Unlabelled columns under a merged header cell take its role.

    Right of a code column and before the name they are its 款/项 parts (`201 | 06 | 01`); right of a
    name column they are the name's lower levels (`一般公共预算资金 | 小计`).
    """
    for i, role in enumerate(roles):
        if role is not None or i == 0:
            continue
        if roles[i - 1] == "code":
            rest = roles[i + 1:]
            if "name" in rest and all(r in (None, "code") for r in rest[: rest.index("name")]):
                roles[i] = "code"
        elif roles[i - 1] == "name" and "amount" in roles[i + 1:]:
            roles[i] = "name"


def _label_paths(label_rows: list[Row], width: int) -> list[tuple[str, ...]]:
    """Each column's header words top to bottom; a blank cell inside a merged span takes its left word.

    A blank cell is filled from the left only while the row above spans both columns too, so a word
    never leaks past the end of its parent's span (`公务用车购置及运行费` stops where `机关运行经费` starts).
    """
    filled: list[list[str]] = []
    for r, row in enumerate(label_rows):
        line: list[str] = []
        for i in range(width):
            word = normalize_label(row.cell(i))
            if not word and i > 0 and line[i - 1]:
                above = filled[r - 1] if r else None
                if above is None or (above[i] and above[i] == above[i - 1]):
                    word = line[i - 1]
            line.append(word)
        filled.append(line)
    paths = []
    for i in range(width):
        path: list[str] = []
        for line in filled:
            if line[i] and (not path or path[-1] != line[i]):
                path.append(line[i])
        paths.append(tuple(path))
    return paths


def refine_roles(cmap: ColumnMap, data_rows: list[Row]) -> ColumnMap:
    """Amount columns whose cells hold words, not numbers (`采购组织形式`, `经济科目`), are name columns."""
    from govbudget.parsers.tables.amounts import parse_amount

    out: list[Column] = []
    for c in cmap.columns:
        if c.role == "amount":
            cells = [r.cell(c.index).strip() for r in data_rows if r.cell(c.index).strip()]
            words = sum(1 for t in cells if parse_amount(t) is None)
            if cells and words * 2 > len(cells):
                c = Column(c.index, "name", c.label, None, c.group, c.number, c.path)
        out.append(c)
    return ColumnMap(columns=out, classification=cmap.classification)


def _forward_fill(row: Row, width: int) -> list[str]:
    """The top header row carried right over blank cells (its words span the columns below)."""
    out, last = [], ""
    for i in range(width):
        word = normalize_label(row.cell(i))
        last = word or last
        out.append(last)
    return out


def _classification(header_text: str) -> str | None:
    if "功能分类" in header_text:
        return "function"
    if "政府预算支出经济分类" in header_text or "政府经济分类" in header_text:
        return "economic_gov"
    if "经济分类" in header_text:
        return "economic_dept"
    return None
