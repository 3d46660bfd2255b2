"""The 13 real disclosures in tests/data/realdocs (provenance in its MANIFEST.tsv, copied from
../shared/realdocs): each parses ok or partial and the standard tables it prints are recognised on the
pages where they are printed (read with pdfplumber / pdftotext -layout and the XLS sheets by hand)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from govbudget.parsers import ParseOutcome, parse_bytes

DATA = Path(__file__).parent / "data" / "realdocs"

# kind → page (PDF) or sheet (XLS) where the table's title is printed
SH_BUDGET = ["income_expenditure_summary", "income_summary", "expenditure_summary",
             "fiscal_appropriation_summary", "general_budget_expenditure", "government_fund_expenditure",
             "state_capital_expenditure",
             "general_budget_basic_expenditure", "three_public_costs"]
EXPECTED: dict[str, dict[str, Any]] = {
    "js_2017_jcy.pdf": {
        "income_expenditure_summary": 10, "income_summary": 11, "expenditure_summary": 11,
        "fiscal_appropriation_summary": 11, "fiscal_appropriation_expenditure": 12,
        "fiscal_appropriation_basic_expenditure": 12, "government_fund_expenditure": 13,
        "general_budget_expenditure": 14, "general_budget_basic_expenditure": 14, "operating_costs": 15,
        "three_public_costs": 16, "government_procurement": 16,
    },
    "js_2017_swbgt_tables.pdf": {  # title, department and unit printed inside the first ruled cell
        "income_expenditure_summary": 1, "income_summary": 2, "expenditure_summary": 3,
        "fiscal_appropriation_summary": 4, "fiscal_appropriation_expenditure": 5,
        "fiscal_appropriation_basic_expenditure": 6, "government_fund_expenditure": 7,
        "general_budget_expenditure": 8, "general_budget_basic_expenditure": 9, "operating_costs": 10,
        "three_public_costs": 11, "government_procurement": 12,
    },
    "js_2018_swbgt_tables.pdf": {
        "income_expenditure_summary": 3, "income_summary": 4, "expenditure_summary": 5,
        "fiscal_appropriation_summary": 6, "fiscal_appropriation_expenditure": 7,
        "fiscal_appropriation_basic_expenditure": 8, "general_budget_expenditure": 9,
        "general_budget_basic_expenditure": 10, "three_public_costs": 11, "government_fund_expenditure": 12,
        "operating_costs": 13, "government_procurement": 14,
    },
    "sh_pt_2026_sfj_dept_budget.pdf": dict(zip(SH_BUDGET, [10, 11, 12, 14, 15, 17, 18, 19, 21], strict=True)),
    "sh_pt_2025_qfb_dept_budget.pdf": dict(zip(SH_BUDGET, [8, 9, 11, 13, 14, 16, 17, 18, 20], strict=True)),
    "sh_pt_2025_qfb_unit_budget.pdf": dict(zip(SH_BUDGET, [8, 9, 11, 13, 14, 16, 17, 18, 20], strict=True)),
    "sh_pt_2024_wljd_dept_budget.pdf": dict(zip(SH_BUDGET, [10, 11, 16, 21, 22, 27, 28, 29, 31],
                                                 strict=True)),
    "sh_pt_2024_czj_final.pdf": {
        "income_expenditure_summary": 6, "income_summary": 8, "expenditure_summary": 10,
        "fiscal_appropriation_summary": 12, "general_budget_expenditure": 15,
        "general_budget_basic_expenditure": 16, "three_public_costs": 18, "government_fund_expenditure": 19,
        "state_capital_expenditure": 20,
    },
    "sh_2024_final_template.pdf": {
        "income_expenditure_summary": 5, "income_summary": 6, "expenditure_summary": 7,
        "fiscal_appropriation_summary": 8, "general_budget_expenditure": 10,
        "general_budget_basic_expenditure": 11, "three_public_costs": 12, "government_fund_expenditure": 13,
        "state_capital_expenditure": 14,
    },
    "sh_pt_2026_unit_budget_template.xls": dict(zip(SH_BUDGET, [
        "单位收支总表", "单位收入总表", "单位支出总表", "单位财政拨款收支总表", "单位一般公共预算拨款表",
        "单位政府性基金拨款表", "单位国有资本经营预算拨款表 ", "单位一般公共预算拨款基本支出明细表",
        "单位“三公”经费和机关运行费预算表"], strict=True)),
}


@cache
def parsed(name: str) -> ParseOutcome:
    return parse_bytes((DATA / name).read_bytes(), filename=name)


def _where(rec: dict[str, Any]) -> Any:
    loc = rec["locator"]
    return loc.get("page_start", loc.get("sheet"))


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.iterdir() if p.suffix in (".pdf", ".xls")))
def test_every_real_document_parses(name: str) -> None:
    outcome = parsed(name)
    assert outcome.status in ("ok", "partial"), outcome.errors


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_standard_tables_are_recognised_where_printed(name: str) -> None:
    found = {(r["table_kind"], _where(r)) for r in parsed(name).records if r["type"] == "table"}
    assert set(EXPECTED[name].items()) <= found


def test_units_are_per_table() -> None:
    records = parsed("sh_pt_2026_sfj_dept_budget.pdf").records
    tables = {r["table_kind"]: r for r in records if r["type"] == "table"}
    assert tables["expenditure_summary"]["unit"] == "元" and tables["three_public_costs"]["unit"] == "万元"
    items = [r for r in parsed("sh_pt_2026_sfj_dept_budget.pdf").records
             if r["type"] == "line_item" and r["table_kind"] == "three_public_costs"]
    by_name = {(r["name"], r["measure"]): (r["amount"], r["amount_yuan"]) for r in items}
    assert by_name[("合计", "total")] == ("10.81", "108100.00")
    assert by_name[("公务接待费", "total")] == ("0.83", "8300.00")
    assert by_name[("公务用车购置及运行费 小计", "total")] == ("9.98", "99800.00")


def test_split_code_columns_and_numbered_titles() -> None:
    items = [r for r in parsed("sh_pt_2026_sfj_dept_budget.pdf").records
             if r["type"] == "line_item" and r["table_kind"] == "income_summary" and r["measure"] == "total"]
    assert {(r["code"], r["level"], r["parent_code"], r["amount"]) for r in items} >= {
        ("204", 1, None, "87267272.44"), ("20406", 2, "204", "87267272.44"),
        ("2040601", 3, "20406", "16726725.44"), ("2210203", 3, "22102", "2433600.00")}
    jcy = [r for r in parsed("js_2017_jcy.pdf").records if r["type"] == "line_item"]
    three_lists = {r["side"] for r in jcy if r["table_kind"] == "income_expenditure_summary"}
    assert three_lists == {"income", "expenditure"}
    across = {(r["name"], r["measure"], r["amount"]) for r in jcy if r["table_kind"] == "expenditure_summary"}
    assert across == {("合计", "total", "17996.68"), ("合计", "basic", "12323.48"),
                      ("合计", "project", "5533.00"), ("合计", "other", "140.20")}


def test_sum_checks_pass_on_at_least_97_percent() -> None:
    checks = [r for p in DATA.iterdir() if p.suffix in (".pdf", ".xls") for r in parsed(p.name).records
              if r["type"] == "check" and r["check"] in ("children_sum", "columns_sum")]
    assert len(checks) > 1000
    passed = sum(1 for r in checks if r["ok"])
    assert passed / len(checks) >= 0.97, (passed, len(checks))
