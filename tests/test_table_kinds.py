"""One table-kind specification (parsers/tables/kinds.py): titles, sums, the dictionary, `other`."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, TableStyle
from reportlab.platypus import Table as PdfTable

from govbudget.exports.dictionary import render
from govbudget.parsers import ParseOutcome, parse_bytes
from govbudget.parsers.checks.rows import columns_sum
from govbudget.parsers.records import SIDES
from govbudget.parsers.tables.kinds import KINDS, OTHER, SUMMARY_KINDS, TABLE_KINDS, kind_named
from govbudget.parsers.tables.measures import MEASURES
from govbudget.parsers.tables.titles import match_title

ROOT = Path(__file__).resolve().parents[1]


# A standard 支出总表, then a titled table no kind names, then a titled heading over prose only.
_BLOCKS: list[str | list[list[str]]] = [
    "部门支出总表", "单位：万元",
    [["科目编码", "科目名称", "合计", "基本支出", "项目支出"],
     ["201", "一般公共服务支出", "100.00", "60.00", "40.00"],
     ["", "合计", "100.00", "60.00", "40.00"]],
    "公开08表",
    "预算单位专项经费情况表", "单位：万元",
    [["项目", "金额"], ["办公设备购置", "12.50"], ["信息化运维", "7.50"], ["合计", "20.00"]],
    "部门职责及机构设置情况表",
    "本部门负责全市医疗保障工作，内设机构五个。",
]


def _xlsx(blocks: list[str | list[list[str]]]) -> bytes:
    wb = Workbook()
    for b in blocks:
        for row in ([[b]] if isinstance(b, str) else [*b, []]):
            wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _pdf(blocks: list[str | list[list[str]]]) -> bytes:
    """Text lines as paragraphs, grids as ruled tables, in reportlab's built-in Chinese font."""
    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("line", fontName="STSong-Light", fontSize=12, leading=15)
    grid = TableStyle([("FONT", (0, 0), (-1, -1), "STSong-Light", 9),
                       ("GRID", (0, 0), (-1, -1), 0.5, colors.black)])
    story = [Paragraph(b, style) if isinstance(b, str) else PdfTable(b, style=grid) for b in blocks]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4).build(story)
    return buf.getvalue()


@pytest.fixture(scope="module", params=["xlsx", "pdf"])
def parsed(request: pytest.FixtureRequest) -> ParseOutcome:
    render = _xlsx if request.param == "xlsx" else _pdf
    return parse_bytes(render(_BLOCKS), filename=f"other.{request.param}")


def _of(outcome: ParseOutcome, kind: str, rtype: str) -> list[dict[str, Any]]:
    return [r for r in outcome.records if r["type"] == rtype and r.get("table_kind") == kind]


def test_a_titled_table_no_kind_names_is_an_other_table_with_its_title(parsed: ParseOutcome) -> None:
    tables = _of(parsed, OTHER, "table")
    assert [(t["title"], t["rows"], t["unit"]) for t in tables] == [("预算单位专项经费情况表", 3, "万元")]
    items = _of(parsed, OTHER, "line_item")
    assert [(i["name"], i["measure"], i["amount"], i["row_role"]) for i in items] == [
        ("办公设备购置", "total", "12.50", "detail"), ("信息化运维", "total", "7.50", "detail"),
        ("合计", "total", "20.00", "total")]
    assert {i["unit"] for i in items} == {"万元"}


def test_other_tables_leave_the_standard_tables_and_status_as_they_were(parsed: ParseOutcome) -> None:
    assert parsed.status == "ok", parsed.errors
    tables = [r for r in parsed.records if r["type"] == "table"]
    assert [t["table_kind"] for t in tables] == ["expenditure_summary", OTHER]  # standard ones keep their ids
    assert len(_of(parsed, "expenditure_summary", "line_item")) == 6
    # the heading over prose and the lone numbering line are no tables
    assert all(t["title"] not in ("部门职责及机构设置情况表", "公开08表") for t in tables)


@pytest.mark.parametrize(("title", "kind"), [
    ("2022年部门收支预算总表", "income_expenditure_summary"),
    ("公开02表 财政拨款收支总表", "fiscal_appropriation_summary"),
    ("一般公共预算基本支出表", "general_budget_basic_expenditure"),
    ("收入决算表", "income_summary"),
    ("预算单位基本情况表", OTHER),
    ("附表3 部门预算专项资金明细表", OTHER),
])
def test_titles_come_from_the_kinds_most_specific_first(title: str, kind: str) -> None:
    assert match_title(title, other=True) == kind
    assert match_title(title) == (None if kind == OTHER else kind)


@pytest.mark.parametrize("text", ["公开01表", "附表1", "表一", "详见附表", "项目支出绩效目标表",
                                  "整体支出绩效指标表", "部门收支总表......3"])
def test_numbering_pointers_performance_forms_and_toc_lines_are_no_other_title(text: str) -> None:
    assert match_title(text, other=True) is None


def test_every_kind_is_consistent_and_documented() -> None:
    schema = (ROOT / "docs" / "SCHEMA.md").read_text(encoding="utf-8")
    section = schema.split("## `table`")[1].split("## `line_item`")[0]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", section, re.MULTILINE))
    assert documented - {"table_kind"} == set(TABLE_KINDS)
    for k in KINDS:
        assert set(k.sides) <= set(SIDES) and k.sides
        for total, parts in k.column_sum_rules:
            assert {total, *parts} <= set(MEASURES), k.name
    assert set(SUMMARY_KINDS) == {"income_expenditure_summary", "fiscal_appropriation_summary"}
    assert kind_named("no_such_kind").name == OTHER and kind_named(None).name == OTHER


def test_the_data_dictionary_lists_every_kind_with_its_specification() -> None:
    text = render()
    section = text.split("## Table kinds (`table_kind`)")[1]
    for k in KINDS:
        assert f"| `{k.name}` | " in section
    assert "`total` = `personnel` + `public_funds`" in section


def test_columns_sum_runs_the_kinds_rules() -> None:
    def item(measure: str, amount: str) -> dict[str, Any]:
        return {"type": "line_item", "table_kind": "income_summary", "side": "income", "name": "合计",
                "measure": measure, "amount": amount, "locator": {"sheet": "S", "row": 5, "col": 1}}

    items = [item("total", "10"), item("subtotal", "7"), item("prior_year_carryover", "3")]
    checks = columns_sum(items, "d")
    rules = kind_named("income_summary").column_sum_rules
    assert [(c["measure"], c["ok"], c["parts"]) for c in checks] == [
        (rules[0][0], True, ["subtotal", "prior_year_carryover"])]
