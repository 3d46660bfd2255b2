"""Table layouts of real disclosures, each on pages cut from tests/data/realdocs (tests/data/layouts).

three_panels_title_in_cell.pdf: js_2017_swbgt_tables p.1, 收支预算总表 whose title and header block
sit in the first ruled cell, three panels (收入 | 支出 by function | 支出 by use).
framed_tables.pdf: same file pp.3-4, each table drawn inside a frame around title, block and grid.
continued_regridded.pdf: js_2017_rdbgt pp.7-9, a summary over three pages, each ruled differently, the
last page's grid shared with the next table.
continued_row_above_grid.pdf: js_2019_gy pp.16-17 (every cell ruled twice), a table continued on a page
ruled once (6 pt further left), its first row there printed above the grid's first rule.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from govbudget.parsers.api import parse_bytes
from govbudget.parsers.grid import Row
from govbudget.parsers.readers.continuation import Carry, continue_grid
from govbudget.parsers.readers.pdf import read_pdf
from govbudget.parsers.readers.pdf_cells import Grid
from govbudget.parsers.tables.columns import Column
from govbudget.parsers.tables.line_items import Side, read_rows
from govbudget.parsers.tables.segments import find_tables, title_of

LAYOUTS = Path(__file__).parent / "data" / "layouts"
Records = list[dict[str, Any]]


def _parse(name: str) -> Records:
    return parse_bytes((LAYOUTS / name).read_bytes(), filename=name).records


@pytest.fixture(scope="module")
def three_panels() -> Records:
    return _parse("three_panels_title_in_cell.pdf")


@pytest.fixture(scope="module")
def continued() -> Records:
    return _parse("continued_regridded.pdf")


def _items(records: Records, kind: str) -> list[tuple[str, str, str, str]]:
    """(side, name, amount, row_role) of one table kind's line items."""
    return [(r["side"], r["name"], r["amount"], r["row_role"]) for r in records
            if r["type"] == "line_item" and r["table_kind"] == kind]


def _table(records: Records, kind: str) -> dict[str, Any]:
    return next(r for r in records if r["type"] == "table" and r["table_kind"] == kind)


# --- titles and header lines inside the table's first cells -------------------------------------------

def test_title_and_header_block_in_the_first_cell_are_the_table_title(three_panels: Records) -> None:
    table = _table(three_panels, "income_expenditure_summary")
    assert table["title"] == "收支预算总表"
    assert table["department"] == "中国共产党江苏省委员会办公厅"
    assert table["unit"] == "万元"
    assert all("部门" not in name and "收支预算总表" not in name
               for _, name, _, _ in _items(three_panels, "income_expenditure_summary"))


def test_a_frame_around_a_table_keeps_only_the_words_above_its_grid() -> None:
    rows = read_pdf((LAYOUTS / "framed_tables.pdf").read_bytes()).rows
    firsts = [r for r in rows if r.locator.get("row") == 1 or r.cells[0].startswith("财政拨款收支")]
    assert firsts[0].cells[0] == "支出预算总表部门：中国共产党江苏省委员会办公厅 单位：万元"
    frames = [r for r in rows if "预算总表" in r.cells[0]]
    assert len(frames) == 2 and all("," not in r.cells[0] for r in frames)  # no copy of the grid's amounts
    tables, _ = find_tables(rows)
    assert [(t.kind, t.info.department) for t in tables] == [
        ("expenditure_summary", "中国共产党江苏省委员会办公厅"),
        ("fiscal_appropriation_summary", "中国共产党江苏省委员会办公厅"),
    ]


@pytest.mark.parametrize("text", [
    "公开01表收支预算总表部门：某某局 单位：万元",
    "收支预算总表 编制部门：某某局",
    "收支预算总表单位：万元",
])
def test_a_title_sharing_its_cell_with_the_header_block_is_a_title(text: str) -> None:
    kind, title, rest = title_of(Row((text, "", "", ""), "table", {"page": 1, "row": 1}))
    assert kind == "income_expenditure_summary"
    assert title.endswith("收支预算总表") and rest and "：" in rest


# --- side-by-side panels ------------------------------------------------------------------------------

def test_each_panel_keeps_its_own_names_and_amounts(three_panels: Records) -> None:
    items = _items(three_panels, "income_expenditure_summary")
    assert ("income", "一、财政拨款", "20702.25", "detail") in items
    assert ("expenditure", "一、一般公共服务支出", "16992.37", "detail") in items
    assert ("expenditure", "一、基本支出", "9964.07", "detail") in items
    assert ("expenditure", "三、单位预留机动经费", "196.72", "detail") in items
    assert not [n for _, n, _, _ in items if "财政拨款" in n and "支出" in n]  # never two panels in one name


def test_a_total_merged_across_two_panels_is_named_by_the_left_one(three_panels: Records) -> None:
    items = _items(three_panels, "income_expenditure_summary")
    assert ("income", "当年收入小计", "20849.45", "subtotal") in items
    assert ("expenditure", "当年支出小计", "20849.45", "subtotal") in items
    assert ("income", "收入合计", "20849.45", "total") in items
    assert ("expenditure", "支出合计", "20849.45", "total") in items


def test_panel_spanning_name_needs_a_blank_left_amount() -> None:
    income = Side("income", Column(0, "name", "项目", None, "收入", None), None,
                  [Column(1, "amount", "金额", "total", "收入", None)])
    function = Side("expenditure", Column(2, "name", "功能科目名称", None, "支出", None), None,
                    [Column(3, "amount", "金额", "total", "支出", None)])
    use = Side("expenditure", Column(4, "name", "项目名称", None, "支出", None), None,
               [Column(5, "amount", "金额", "total", "支出", None)])
    for s in (income, function, use):
        s.names = [s.name] if s.name else []
    rows = [Row(("当年收入小计", "10.00", "当年支出小计", "", "", "10.00"), "table", {"page": 1, "row": 1}),
            Row(("", "", "二十、其他支出", "3.00", "", "7.00"), "table", {"page": 1, "row": 2})]
    read = read_rows(use, rows, None, function)
    assert [(r.name, [a for _, a in r.cells]) for r in read] == [("当年支出小计", ["10.00"])]


# --- subtotal and total rows never merge with a neighbour --------------------------------------------

def test_a_row_under_a_subtotal_is_a_row_of_its_own(three_panels: Records) -> None:
    names = [n for _, n, _, _ in _items(three_panels, "income_expenditure_summary")]
    assert "当年收入小计" in names
    assert not [n for n in names if "小计" in n and "结转" in n]  # `上年结转资金` printed under it


def test_glue_never_continues_a_subtotal() -> None:
    side = Side("income", Column(0, "name", "项目", None, "", None), None,
                [Column(1, "amount", "金额", "total", "", None)], [Column(0, "name", "项目", None, "", None)])
    rows = [Row(("八、社会保障和就", "5.00"), "table", {"page": 1, "row": 1}),
            Row(("业支出", ""), "table", {"page": 2, "row": 1}),
            Row(("当年收入小计", "5.00"), "table", {"page": 2, "row": 2}),
            Row(("上年结转资金", ""), "table", {"page": 2, "row": 3})]
    names = [r.name for r in read_rows(side, rows, None)]
    assert names == ["八、社会保障和就业支出", "当年收入小计", "上年结转资金"]


# --- tables continued over pages ----------------------------------------------------------------------

def test_a_table_ruled_differently_on_each_page_keeps_all_its_rows(continued: Records) -> None:
    items = _items(continued, "income_expenditure_summary")
    assert ("expenditure", "十八、住房保障支出", "1512.23", "detail") in items  # p.8, six columns
    assert ("expenditure", "八、社会保障和就业支出", "1608.51", "detail") in items  # `业支出` on p.8
    assert ("income", "当年收入小计", "13649.07", "subtotal") in items  # `小计` on p.9
    assert ("expenditure", "当年支出小计", "13649.07", "subtotal") in items
    assert ("income", "收入合计", "13649.07", "total") in items  # p.9, grid shared with the next table
    assert ("expenditure", "支出合计", "13649.07", "total") in items
    assert _table(continued, "income_expenditure_summary")["locator"] == {"page_start": 1, "page_end": 3}
    assert ("income", "收入总计", "13649.07", "total") in _items(continued, "income_summary")


def test_a_row_printed_above_the_continued_grid_is_a_row_of_the_table() -> None:
    records = _parse("continued_row_above_grid.pdf")
    items = [(r["name"], r["amount"], r["measure"], r["locator"]["page"]) for r in records
             if r["type"] == "line_item" and r["table_kind"] == "government_procurement"]
    assert ("一、货物A", "1637.72", "total", 1) in items  # header `采购品目大` / `类` is one label
    assert ("会议费", "110.05", "total", 2) in items  # the line over p.17's grid
    assert ("江苏法院云平台租赁费 租赁费", "185.00", "total", 2) in items  # p.17 on p.16's columns
    assert len(items) == 61  # every amount printed on the two pages (42 + 19)
    coverage = [r for r in records if r["type"] == "check" and r["check"] == "coverage"]
    assert coverage and all(r["ok"] for r in coverage)


def test_a_continued_grid_moves_cells_by_their_left_edges() -> None:
    carry = Carry(58.0, [58.0, 113.0, 123.0, 207.0, 267.0, 276.0, 355.0, 421.0])
    grid = Grid([(10.0, ("收入合计", "9.00", "", "支出合计", "", "9.00")),
                 (30.0, ("收入预算总表", "", "", "", "", ""))], [58.0, 113.0, 192.0, 207.0, 353.0, 421.0])
    moved, after, on = continue_grid(grid, (58.0, 0.0, 530.0, 50.0), carry, above=["12"])
    assert moved.rows[0][1] == ("收入合计", "9.00", "", "支出合计", "", "", "", "9.00")
    assert moved.rows[1][1] == grid.rows[1][1]  # the next table's title row stays on its own grid
    assert after == Carry(58.0, grid.starts) and on == carry.starts


def test_a_grid_under_a_title_is_no_continuation() -> None:
    carry = Carry(58.0, [58.0, 113.0, 207.0])
    grid = Grid([(10.0, ("a", "1.00"))], [58.0, 150.0])
    assert continue_grid(grid, (58.0, 0.0, 300.0, 20.0), carry, above=["收入预算总表"]) == (grid, None, None)
