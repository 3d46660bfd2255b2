"""Column layouts of the standard 部门预算 tables: merged header cells and what each column measures.

A text rendition loses the merged cells of a header (and seed 002's text even shifts some header words by
a column), so the spans cannot be read back from the seed. They are the same in every standard table of
the genre, so they are written down here once per `table_kind`; the printed words are taken from the seed
when its header cells line up one for one with the template (`header_cells`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .seedtables import SeedTable, norm


@dataclass(frozen=True)
class HeaderCell:
    row: int
    col: int
    label: str
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class Layout:
    width: int
    cells: tuple[HeaderCell, ...]  # header rows above `栏次`, in reading order
    # amount columns: column -> (side, column holding the row's name, column holding the code or None)
    amounts: dict[int, tuple[str, int, int | None]]


def _h(row: int, col: int, label: str, rs: int = 1, cs: int = 1) -> HeaderCell:
    return HeaderCell(row, col, label, rs, cs)


def _coded(width: int, cells: tuple[HeaderCell, ...], side: str = "expenditure") -> Layout:
    return Layout(width, cells, {c: (side, 2, 1) for c in range(3, width)})


_SUBJECT = (_h(0, 0, "序号", 2), _h(0, 1, "功能分类科目", 1, 2))
_CODE_NAME = (_h(1, 1, "科目编码"), _h(1, 2, "科目名称"))
_FUNCTION_3 = _coded(
    6, (*_SUBJECT, _h(0, 3, "合计", 2), _h(0, 4, "基本支出", 2), _h(0, 5, "项目支出", 2), *_CODE_NAME)
)

LAYOUTS: dict[str, Layout] = {
    "income_expenditure_summary": Layout(
        5,
        (_h(0, 0, "序号", 2), _h(0, 1, "收入", 1, 2), _h(0, 3, "支出", 1, 2),
         _h(1, 1, "项目"), _h(1, 2, "预算数"), _h(1, 3, "项目"), _h(1, 4, "预算数")),
        {2: ("income", 1, None), 4: ("expenditure", 3, None)},
    ),
    "income_summary": _coded(
        13,
        (*_SUBJECT, _h(0, 3, "合计", 2), _h(0, 4, "本年收入", 1, 8), _h(0, 12, "上年结转", 2),
         *_CODE_NAME, _h(1, 4, "小计"), _h(1, 5, "财政拨款收入"), _h(1, 6, "财政专户收入"),
         _h(1, 7, "事业收入"), _h(1, 8, "经营收入"), _h(1, 9, "上级补助收入"),
         _h(1, 10, "附属单位上缴收入"), _h(1, 11, "其他收入")),
        side="income",
    ),
    "expenditure_summary": _coded(
        9,
        (*_SUBJECT, _h(0, 3, "合计", 2), _h(0, 4, "基本支出", 2), _h(0, 5, "项目支出", 2),
         _h(0, 6, "经营支出", 2), _h(0, 7, "上解上级支出", 2), _h(0, 8, "对附属单位补助支出", 2),
         *_CODE_NAME),
    ),
    "fiscal_appropriation_summary": Layout(
        8,
        (_h(0, 0, "序号", 2), _h(0, 1, "收入", 1, 2), _h(0, 3, "支出", 1, 5),
         _h(1, 1, "项目"), _h(1, 2, "金额"), _h(1, 3, "项目"), _h(1, 4, "合计"),
         _h(1, 5, "一般公共预算财政拨款"), _h(1, 6, "政府性基金预算财政拨款"),
         _h(1, 7, "国有资本经营预算财政拨款")),
        {2: ("income", 1, None), **{c: ("expenditure", 3, None) for c in range(4, 8)}},
    ),
    "general_budget_expenditure": _FUNCTION_3,
    "government_fund_expenditure": _FUNCTION_3,
    "state_capital_expenditure": _FUNCTION_3,
    "general_budget_basic_expenditure": _coded(
        6,
        (_h(0, 0, "序号", 2), _h(0, 1, "支出部门经济分类科目", 1, 2), _h(0, 3, "一般公共预算基本支出", 1, 3),
         *_CODE_NAME, _h(1, 3, "合计"), _h(1, 4, "人员经费"), _h(1, 5, "公用经费")),
    ),
    "three_public_costs": Layout(
        6,
        (_h(0, 0, "序号", 2), _h(0, 1, "项目", 2), _h(0, 2, "资金性质", 1, 4),
         _h(1, 2, "合计"), _h(1, 3, "一般公共预算财政拨款"), _h(1, 4, "政府性基金预算拨款"),
         _h(1, 5, "国有资本经营预算财政拨款")),
        {c: ("expenditure", 1, None) for c in range(2, 6)},
    ),
}


# 支出功能分类 类 (2021-2022 edition) by name, for the named 类 rows of the summary tables.
CLASS_CODES: dict[str, str] = {
    "一般公共服务支出": "201", "外交支出": "202", "国防支出": "203", "公共安全支出": "204", "教育支出": "205",
    "科学技术支出": "206", "文化旅游体育与传媒支出": "207", "社会保障和就业支出": "208",
    "社会保险基金支出": "209", "卫生健康支出": "210", "节能环保支出": "211", "城乡社区支出": "212",
    "农林水支出": "213", "交通运输支出": "214", "资源勘探工业信息等支出": "215", "商业服务业等支出": "216",
    "金融支出": "217", "援助其他地区支出": "219", "自然资源海洋气象等支出": "220", "住房保障支出": "221",
    "粮油物资储备支出": "222", "国有资本经营预算支出": "223", "灾害防治及应急管理支出": "224",
    "预备费": "227", "其他支出": "229", "转移性支出": "230", "债务还本支出": "231", "债务付息支出": "232",
    "债务发行费用支出": "233", "抗疫特别国债安排的支出": "234",
}


def layout_for(table: SeedTable) -> Layout | None:
    """The template for a standard table, or None when the seed's table does not fit it."""
    layout = LAYOUTS.get(table.kind or "")
    if layout is None or table.width != layout.width:
        return None
    return layout


def header_cells(table: SeedTable, layout: Layout) -> list[HeaderCell]:
    """Template cells carrying the seed's own spelling (`项  目`, `财政拨款 收入`) when they line up."""
    printed = [
        c for row in table.header_rows if not (row and norm(row[0]) == "栏次") for c in row if c.strip()
    ]
    if len(printed) != len(layout.cells):
        return list(layout.cells)
    pairs = zip(layout.cells, printed, strict=True)
    return [HeaderCell(h.row, h.col, p, h.rowspan, h.colspan) for h, p in pairs]


def column_labels(table: SeedTable, layout: Layout) -> dict[int, str]:
    """The lowest header cell over each column: the printed header a measure is named after."""
    labels: dict[int, tuple[int, str]] = {}
    for cell in header_cells(table, layout):
        for col in range(cell.col, cell.col + cell.colspan):
            if col not in labels or labels[col][0] < cell.row:
                labels[col] = (cell.row, norm(cell.label))
    return {col: label for col, (_, label) in labels.items()}


_MEASURES: list[tuple[str, str]] = [
    (r"^(合计|预算数|金额)$", "total"),
    (r"^小计$", "subtotal"),
    (r"^基本支出$", "basic"),
    (r"^项目支出$", "project"),
    (r"^人员经费$", "personnel"),
    (r"^公用经费$", "public_funds"),
    (r"经营支出", "operating_expenditure"),
    (r"上缴上级支出|上解上级支出", "remit_to_superior"),
    (r"对附属单位补助支出", "subsidy_to_affiliates"),
    (r"^一般公共预算", "general_public_budget"),
    (r"^政府性?基金", "government_fund"),
    (r"^国有资本经营", "state_capital"),
    (r"^财政拨款(收入)?$", "fiscal_appropriation"),
    (r"财政专户", "fiscal_special_account"),
    (r"^事业收入$", "business_income"),
    (r"经营收入", "operating_income"),
    (r"上级补助收入", "superior_subsidy"),
    (r"附属单位上缴收入", "affiliate_remittance"),
    (r"^其他收入$", "other_income"),
    (r"^上年结转", "prior_year_carryover"),
]


def measure_of(label: str) -> str:
    """SCHEMA.md measure word for a printed column header; `other` outside the vocabulary."""
    flat = norm(label)
    return next((word for pattern, word in _MEASURES if re.search(pattern, flat)), "other")
