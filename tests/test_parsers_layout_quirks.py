"""Layout quirks of the real disclosures (tests/data/realdocs), one behaviour per test, on small inputs."""

from __future__ import annotations

from dataclasses import dataclass

from govbudget.parsers.grid import Row
from govbudget.parsers.readers.pdf_cells import logical_rows
from govbudget.parsers.tables.codes import classify
from govbudget.parsers.tables.columns import Column
from govbudget.parsers.tables.header_block import complete_department, parse_header_row
from govbudget.parsers.tables.line_items import Side, read_rows
from govbudget.parsers.tables.regrid import on_header_grid
from govbudget.parsers.tables.titles import match_title


@dataclass
class _Group:
    cells: list[tuple[float, float, float, float] | None]
    bbox: tuple[float, float, float, float]


class _Table:
    """The parts of a pdfplumber Table that `logical_rows` reads: cell boxes, rows and texts."""

    def __init__(self, rows: list[list[tuple[tuple[float, float, float, float], str] | None]]) -> None:
        self.cells = [c[0] for r in rows for c in r if c]
        self._texts = [[c[1] for c in r if c] for r in rows]
        xs = sorted({b[0] for b in self.cells})
        self.rows = []
        for r in rows:
            boxes = [c[0] for c in r if c]
            by_x = {c[0][0]: c[0] for c in r if c}
            self.rows.append(_Group([by_x.get(x) for x in xs], (
                min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                max(b[3] for b in boxes))))
        self.bbox = (min(b[0] for b in self.cells), min(b[1] for b in self.cells),
                     max(b[2] for b in self.cells), max(b[3] for b in self.cells))

    def extract(self) -> list[list[str | None]]:
        texts = []
        for group, row in zip(self.rows, self._texts, strict=True):
            it = iter(row)
            texts.append([next(it) if box else None for box in group.cells])
        return texts


def test_thin_strips_of_double_rules_are_no_columns() -> None:
    # js_2019_gy p.11: the parent's amount sits in a cell 6 pt right of where its children's start
    table = _Table([
        [((60, 100, 200, 120), "科目编码"), ((200, 100, 400, 120), "科目名称"),
         ((400, 100, 520, 120), "金额")],
        [((60, 120, 200, 140), "301"), ((200, 120, 400, 140), "工资福利支出"), ((400, 120, 406, 140), ""),
         ((406, 120, 514, 140), "16,324.07"), ((514, 120, 520, 140), "")],
        [((60, 140, 200, 160), "30101"), ((200, 140, 400, 160), "基本工资"),
         ((400, 140, 520, 160), "2,827.41")],
    ])
    assert [cells for _, cells in logical_rows(table)] == [("科目编码", "科目名称", "金额"),
                                                           ("301", "工资福利支出", "16,324.07"),
                                                           ("30101", "基本工资", "2,827.41")]


def test_amount_in_a_thin_row_below_its_name_joins_the_row() -> None:
    # js_2019_gy p.12: `204 公共安全支出` spans three sub-rows, its amount stands in the middle one
    table = _Table([
        [((60, 100, 200, 130), "204"), ((200, 100, 400, 130), "公共安全支出"), ((400, 100, 520, 108), "")],
        [None, None, ((400, 108, 520, 122), "27,488.23")],
        [None, None, ((400, 122, 520, 130), "")],
    ])
    assert [cells for _, cells in logical_rows(table)] == [("204", "公共安全支出", "27,488.23")]


def test_a_grid_without_thin_strips_is_read_as_extracted() -> None:
    table = _Table([[((0, 0, 50, 20), "a"), ((50, 0, 100, 20), "")],
                    [((0, 20, 50, 40), ""), ((50, 20, 100, 40), "1")]])
    assert [cells for _, cells in logical_rows(table)] == [("a", ""), ("", "1")]


def test_qualified_titles_are_titles() -> None:
    assert match_title("财政拨款支出预算表（功能科目）") == "fiscal_appropriation_expenditure"
    assert match_title("一般公共预算基本支出预算表（经济科目）") == "general_budget_basic_expenditure"
    assert match_title("详见附表（略）。") is None


def test_unit_wrapped_in_its_cell() -> None:
    info = parse_header_row(Row(("", "单位：万"), "table", {"page": 14, "row": 1}))
    assert (info.unit, info.department) == ("万元", None)


def test_department_label_and_name_in_separate_cells() -> None:
    info = parse_header_row(Row(("部门：", "江苏省人大常委会办公厅", "", "单位：万元"), "table", {}))
    assert (info.department, info.unit) == ("江苏省人大常委会办公厅", "万元")
    assert parse_header_row(Row(("单位：", "万元"), "table", {})).department is None


def test_department_wrapped_over_two_rows() -> None:
    info = parse_header_row(Row(("院", "", "单位：万元"), "table", {}))
    assert info.tail == "院"
    assert complete_department("江苏省高级人民法", "院") == "江苏省高级人民法院"
    assert complete_department("江苏省高级人民法院", "院") == "江苏省高级人民法院"


def test_department_wrapped_past_the_unit_in_one_cell() -> None:
    """js_2017_swbgt_tables p.2: `部门：…委员会办` and `单位：万元` on one line, `公厅` on the next."""
    text = "部门：中国共产党江苏省委员会办单位：万元公厅项目名称 金额收入总计20,849.45"
    assert parse_header_row(Row((text,), "text", {})).department == "中国共产党江苏省委员会办公厅"
    # A whole name followed by the table's first words is left alone; so is a short form such as 省委办.
    assert parse_header_row(Row(("部门：邯郸市医疗保障局单位：万元项目名称",), "text", {})).department == (
        "邯郸市医疗保障局")
    assert parse_header_row(Row(("部门：省委办单位：万元项目",), "text", {})).department == "省委办"


def test_a_row_on_the_next_tables_grid_is_put_back_on_its_own() -> None:
    rows = [Row(("30311", "住房公积金", "494.22"), "table", {"page": 14, "row": 11}),
            Row(("30312", "提租补贴", "", "1,018.01", ""), "table", {"page": 15, "row": 1})]
    assert [r.cells for r in on_header_grid(rows, 3)] == [("30311", "住房公积金", "494.22"),
                                                          ("30312", "提租补贴", "1,018.01")]
    ambiguous = [Row(("30312", "提租补贴", "x", "1,018.01", ""), "table", {"page": 15, "row": 1})]
    assert on_header_grid(ambiguous, 3) == ambiguous


def test_economic_codes_without_a_header_hint() -> None:
    assert [classify(c, None) for c in ("301", "30101", "505", "204", "2040501")] == [
        "economic_dept", "economic_dept", "economic_gov", "function", "function"]


def test_one_digit_kuan_part_and_total_under_the_code_header() -> None:
    code, kuan = Column(0, "code", "类", None, "", None), Column(1, "code", "款", None, "", None)
    name, amount = Column(2, "name", "名称", None, "", None), Column(3, "amount", "合计", "total", "", None)
    side = Side("expenditure", name, code, [amount], [name], [code, kuan])
    rows = [Row(("301", "2", "津贴补贴", "16,623,810"), "table", {}),
            Row(("合计", "", "", "99,706,020"), "table", {})]
    assert [(r.code, r.name) for r in read_rows(side, rows, None)] == [("30102", "津贴补贴"), (None, "合计")]
