"""The small pieces of table recognition, one behaviour per test."""

from __future__ import annotations

import io

import pytest

from govbudget.parsers import ParseOutcome, parse_bytes, registry
from govbudget.parsers.grid import Row, join_wrapped
from govbudget.parsers.readers.number_format import format_number
from govbudget.parsers.readers.sheet import read_sheets
from govbudget.parsers.tables.amounts import parse_amount, to_yuan
from govbudget.parsers.tables.class_codes import bare_name
from govbudget.parsers.tables.codes import code_level, split_code_name
from govbudget.parsers.tables.header_block import parse_header_row
from govbudget.parsers.tables.measures import to_measure
from govbudget.parsers.tables.titles import match_title


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("部门预算收支总表", "income_expenditure_summary"),
        ("部门预算财政拨款收支总表", "fiscal_appropriation_summary"),
        ("部门预算一般公共预算财政拨款基本支出表", "general_budget_basic_expenditure"),
        ("一般公共预算支出表", "general_budget_expenditure"),
        ("部门预算政府基金预算财政拨款支出表", "government_fund_expenditure"),
        ("政府性基金预算财政拨款支出表", "government_fund_expenditure"),
        ("部门预算财政拨款“三公”经费支出表", "three_public_costs"),
        ("部门预算收支总表.....\t3", None),  # table of contents
        ("部门预算收支总表..... 3", None),
        ("具体内容见下表。", None),
        ("2022 年部门预算信息公开目录", None),
    ],
)
def test_match_title(text: str, kind: str | None) -> None:
    assert match_title(text) == kind


@pytest.mark.parametrize(
    ("label", "measure"),
    [
        ("合计", "total"),
        ("预算数", "total"),
        ("小计", "subtotal"),
        ("基本支出", "basic"),
        ("项目支出", "project"),
        ("人员经费", "personnel"),
        ("公用经费", "public_funds"),
        ("上解上级支出", "remit_to_superior"),
        ("对附属单位补助支出", "subsidy_to_affiliates"),
        ("一般公共预算 财政拨款", "general_public_budget"),
        ("政府性基金 预算拨款", "government_fund"),
        ("国有资本经营 预算财政拨款", "state_capital"),
        ("财政拨款收入", "fiscal_appropriation"),
        ("事业单位经营收入", "operating_income"),
        ("上年结转", "prior_year_carryover"),
        ("备注", "other"),
    ],
)
def test_to_measure(label: str, measure: str) -> None:
    assert to_measure(label) == measure


def test_header_block_rows() -> None:
    def row(*cells: str) -> Row:
        return Row(cells, "text", {"page": 1, "line": 1})

    dept = parse_header_row(row("207 邯郸市医疗保障局"))
    assert (dept.unit_code, dept.department) == ("207", "邯郸市医疗保障局")
    assert parse_header_row(row("预算年度：2022")).fiscal_year == 2022
    unit = parse_header_row(row("单位：万元"))
    assert (unit.unit, unit.department) == ("万元", None)
    glued = parse_header_row(row("450001秦皇岛市北戴河区医疗保障局（本级）"))
    assert (glued.unit_code, glued.department) == ("450001", "秦皇岛市北戴河区医疗保障局（本级）")
    assert not parse_header_row(row("2022 年部门预算信息公开目录")).any()
    data_row = Row(("2", "208", "社会保障和就业支出", "157.74", "157.74"), "table", {})
    assert not parse_header_row(data_row).any()


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("5873.35", "5873.35"),
        ("1", "1"),
        ("3200.00", "3200.00"),
        ("1,234.56", "1234.56"),
        ("１２.５", "12.5"),
        ("-", "0"),
        ("", None),
        ("  ", None),
        ("不涉及", None),
        ("(3.00)", "-3.00"),
    ],
)
def test_parse_amount(text: str, amount: str | None) -> None:
    assert parse_amount(text) == amount


def test_to_yuan() -> None:
    assert to_yuan("903.22", "万元") == "9032200.00"
    assert to_yuan("1", "万元") == "10000.00"
    assert to_yuan("311.2", "元") == "311.20"
    assert to_yuan("1", None) is None


def test_codes() -> None:
    assert code_level("208", "function") == (1, None)
    assert code_level("21015", "function") == (2, "210")
    assert code_level("2101501", "function") == (3, "21015")
    assert code_level("30101", "economic_dept") == (2, "301")
    assert code_level("2101501", "economic_dept") == (None, None)
    assert split_code_name("2080501行政单位离退休") == ("2080501", "行政单位离退休")
    assert bare_name("八、社会保障和就业支出") == "社会保障和就业支出"


def test_join_wrapped() -> None:
    assert join_wrapped("医疗保障管理\n事务") == "医疗保障管理事务"
    assert join_wrapped("DRG\npayment") == "DRG payment"
    assert join_wrapped(None) == ""


@pytest.mark.parametrize(
    ("value", "fmt", "text"),
    [
        (903.22, "0.00", "903.22"),
        (3200.0, "0.00", "3200.00"),
        (1, None, "1"),
        (1.0, "General", "1"),
        (311.2, "General", "311.2"),
        (1234.5, "#,##0.00", "1234.50"),
        (0.1 + 0.2, None, "0.30000000000000004"),
        (2.5, "0", "3"),
        (4.21, "0.0#", "4.21"),
        (4.2, "0.0#", "4.2"),
    ],
)
def test_format_number(value: float, fmt: str | None, text: str) -> None:
    assert format_number(value, fmt) == text


def test_xlsx_prints_numbers_with_their_format() -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "支出"
    ws.append(["x", 903.22, 3200.0, 1, 311.2, "208"])
    ws["B1"].number_format = "0.00"
    ws["C1"].number_format = "0.00"
    buf = io.BytesIO()
    wb.save(buf)
    doc = read_sheets(buf.getvalue(), "xlsx")
    assert doc.rows[0].cells == ("x", "903.22", "3200.00", "1", "311.2", "208")
    assert doc.rows[0].locator == {"sheet": "支出", "row": 1}


def test_a_higher_scoring_parser_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    class Better:
        name, version, formats = "better", "9.9", frozenset({"pdf"})

        def score(self, data: bytes, fmt: str) -> float:
            return 0.9

        def parse(self, data: bytes, *, fmt: str, sha256: str, filename: str | None) -> ParseOutcome:
            return ParseOutcome(status="ok", parser="better@9.9")

    monkeypatch.setattr(registry, "_PARSERS", list(registry.registered()))
    registry.register(Better())
    assert registry.pick(b"%PDF-1.4", "pdf").name == "better"
    assert parse_bytes(b"%PDF-1.4 whatever").parser == "better@9.9"
    assert registry.pick(b"", "unknown") is None  # docx has a parser now
