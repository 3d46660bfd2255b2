"""Checks: each one passes on consistent data and surfaces the seeds' real inconsistencies."""

from __future__ import annotations

from functools import cache

from govbudget.corpus.documents import WEIJIANWEI_2023
from govbudget.corpus.render_pdf import render_pdf
from govbudget.parsers import ParseOutcome, parse_bytes
from govbudget.parsers.checks import check_records


@cache
def parsed(seed: str, variant: object = None) -> ParseOutcome:
    return parse_bytes(render_pdf(seed, variant=variant))


def checks(seed: str, name: str, variant: object = None) -> list[dict]:
    return [r for r in parsed(seed, variant).records if r["type"] == "check" and r["check"] == name]


def failed(seed: str, name: str) -> list[tuple]:
    return [(c.get("table_kind"), c["subject"], c.get("measure"), c["expected"], c["actual"])
            for c in checks(seed, name) if not c["ok"]]


def _item(code, amount, measure="total", kind="expenditure_summary", row=1, **kw) -> dict:
    level = {3: 1, 5: 2, 7: 3}.get(len(code or ""))
    parent = code[:-2] if code and len(code) > 3 else None
    return {"type": "line_item", "table_kind": kind, "side": "expenditure", "classification": "function",
            "code": code, "name": kw.get("name", code), "level": level, "parent_code": parent,
            "row_role": kw.get("role", "detail"), "measure": measure, "amount": amount, "unit": "万元",
            "locator": {"page": 1, "row": row}}


def test_children_sum_unit() -> None:
    items = [_item("208", "3.00", row=1), _item("20805", "1.00", row=2), _item("20899", "2.00", row=3),
             _item("210", "5.00", row=4), _item("21011", "4.99", row=5)]
    res = {c["subject"]: c for c in check_records(items, doc="d") if c["check"] == "children_sum"}
    assert res["208"]["ok"] and res["208"]["expected"] == "3.00"
    assert not res["210"]["ok"] and (res["210"]["expected"], res["210"]["actual"]) == ("4.99", "5.00")


def test_children_sum_on_seeds() -> None:
    assert len(checks("002", "children_sum")) > 50 and failed("002", "children_sum") == []
    assert all(c["ok"] for c in checks("002", "children_sum", WEIJIANWEI_2023))
    # 003's 财政拨款收支总表 lists 一般公共服务支出 21.46: its classes sum to 276.07, the total says 254.61
    assert failed("003", "children_sum") == [
        ("fiscal_appropriation_summary", "本年支出合计", "total", "276.07", "254.61"),
        ("fiscal_appropriation_summary", "本年支出合计", "general_public_budget", "276.07", "254.61")]


def test_columns_sum() -> None:
    items = [_item("208", "3.00", "total"), _item("208", "1.00", "basic"), _item("208", "2.00", "project"),
             _item("210", "5.00", "total", row=2), _item("210", "1.00", "basic", row=2)]
    res = {c["subject"]: c["ok"] for c in check_records(items, doc="d") if c["check"] == "columns_sum"}
    assert res == {"208": True, "210": False}
    assert len(checks("003", "columns_sum")) > 50 and failed("003", "columns_sum") == []
    assert failed("002", "columns_sum") == []


def test_income_equals_expenditure() -> None:
    got = checks("002", "income_equals_expenditure")
    assert {c["subject"] for c in got} == {"收入总计 = 支出总计", "本年收入合计 = 本年支出合计"}
    assert all(c["ok"] for c in got)
    items = [{**_item(None, "10", kind="income_expenditure_summary", name="收入总计", role="total"),
              "side": "income"},
             _item(None, "9", kind="income_expenditure_summary", name="支出总计", role="total", row=2)]
    (c,) = [c for c in check_records(items, doc="d") if c["check"] == "income_equals_expenditure"]
    assert not c["ok"] and (c["expected"], c["actual"]) == ("10", "9")


def test_cross_table() -> None:
    assert len(checks("002", "cross_table")) > 20 and failed("002", "cross_table") == []
    items = [_item("2080501", "1.00"), _item("2080501", "1.01", kind="general_budget_expenditure", row=9),
             _item("2101101", "1.00", row=2),
             _item("2101101", "1.02", kind="general_budget_expenditure", row=10)]
    res = {c["subject"]: c["ok"] for c in check_records(items, doc="d") if c["check"] == "cross_table"}
    assert res == {"2080501": True, "2101101": False}  # tolerance 0.01 万元 across tables


def test_narrative_matches_table() -> None:
    ok002 = {c["subject"]: c["ok"] for c in checks("002", "narrative_matches_table")}
    assert ok002 == {"total_income": True, "total_expenditure": True, "basic_expenditure": True,
                     "project_expenditure": True, "three_public_total": True, "operating_costs": True}
    res003 = {c["subject"]: c for c in checks("003", "narrative_matches_table")}
    assert res003["total_expenditure"]["ok"] and res003["three_public_total"]["ok"]
    # 003's narrative: 基本支出 220.19 vs 201.45, 项目支出 1229.79 vs 53.16,
    # 机关运行经费 "8.34元" vs 公用经费 14.86万元
    assert (res003["basic_expenditure"]["ok"], res003["basic_expenditure"]["expected"],
            res003["basic_expenditure"]["actual"]) == (False, "2014500.00", "2201900.00")
    assert (res003["project_expenditure"]["ok"], res003["project_expenditure"]["expected"],
            res003["project_expenditure"]["actual"]) == (False, "531600.00", "12297900.00")
    assert not res003["operating_costs"]["ok"] and res003["operating_costs"]["actual"] == "8.34"


def test_failed_checks_drop_no_numbers() -> None:
    recs = parsed("003").records
    kind = "fiscal_appropriation_summary"
    items = [r for r in recs if r["type"] == "line_item" and r["table_kind"] == kind]
    assert any(r["name"] == "一、一般公共服务支出" and r["amount"] == "21.46" for r in items)
    facts = {r["fact"]: r["amount"] for r in recs if r["type"] == "fact"}
    assert facts["project_expenditure"] == "1229.79" and facts["basic_expenditure"] == "220.19"
