"""Seed 002 (邯郸市医疗保障局 2022 部门预算) rendered as PDF and XLSX: records equal the corpus truth."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from govbudget.corpus.render_pdf import render_pdf
from govbudget.corpus.render_xlsx import render_xlsx
from govbudget.corpus.truth import truth_records
from govbudget.parsers import PARSER_VERSION, ParseOutcome, parse_bytes

REQUIRED = ("expenditure_summary", "general_budget_expenditure")
FINANCIAL = (
    "income_expenditure_summary",
    "income_summary",
    "expenditure_summary",
    "fiscal_appropriation_summary",
    "general_budget_expenditure",
    "general_budget_basic_expenditure",
    "government_fund_expenditure",
    "state_capital_expenditure",
    "three_public_costs",
)
FULL_KEY = (
    "table_kind",
    "side",
    "classification",
    "code",
    "name",
    "level",
    "parent_code",
    "row_role",
    "measure",
    "measure_label",
    "amount",
    "unit",
    "amount_yuan",
    "seq",
    "mapped_code",
)


@pytest.fixture(scope="module")
def truth() -> list[dict[str, Any]]:
    return truth_records("002")


@pytest.fixture(scope="module", params=["pdf", "xlsx"])
def parsed(request: pytest.FixtureRequest) -> tuple[str, ParseOutcome]:
    fmt = request.param
    data = render_pdf("002") if fmt == "pdf" else render_xlsx("002")
    return fmt, parse_bytes(data, filename=f"002.{fmt}")


def _items(records: list[dict[str, Any]], kinds: tuple[str, ...], key: tuple[str, ...]) -> Counter:
    return Counter(
        tuple(r.get(k) for k in key) for r in records if r["type"] == "line_item" and r["table_kind"] in kinds
    )


@pytest.mark.parametrize("kind", REQUIRED)
def test_required_tables_equal_truth(parsed: tuple[str, ParseOutcome], truth: list, kind: str) -> None:
    _, outcome = parsed
    key = ("table_kind", "code", "name", "measure", "amount")
    mine = _items(outcome.records, (kind,), key)
    expected = _items(truth, (kind,), key)
    assert sum(expected.values()) == 39  # 18 rows × their non-blank measures
    assert mine == expected


def test_all_financial_tables_equal_truth_field_by_field(
    parsed: tuple[str, ParseOutcome], truth: list
) -> None:
    _, outcome = parsed
    assert _items(outcome.records, FINANCIAL, FULL_KEY) == _items(truth, FINANCIAL, FULL_KEY)


def test_administrative_operation_basic(parsed: tuple[str, ParseOutcome]) -> None:
    _, outcome = parsed
    [rec] = [
        r
        for r in outcome.records
        if r["type"] == "line_item"
        and r["table_kind"] == "general_budget_expenditure"
        and r["code"] == "2101501"
        and r["measure"] == "basic"
    ]
    assert (rec["name"], rec["amount"], rec["unit"], rec["amount_yuan"]) == (
        "行政运行",
        "903.22",
        "万元",
        "9032200.00",
    )
    assert (rec["classification"], rec["level"], rec["parent_code"], rec["row_role"]) == (
        "function",
        3,
        "21015",
        "detail",
    )
    assert rec["side"] == "expenditure" and rec["measure_label"] == "基本支出"


def test_total_row_and_trailing_zeros(parsed: tuple[str, ParseOutcome]) -> None:
    _, outcome = parsed
    rows = {
        (r["code"], r["measure"]): r
        for r in outcome.records
        if r["type"] == "line_item" and r["table_kind"] == "expenditure_summary"
    }
    total = rows[(None, "total")]
    assert (total["name"], total["row_role"], total["amount"], total["amount_yuan"]) == (
        "合计",
        "total",
        "5873.35",
        "58733500.00",
    )
    assert rows[("21012", "project")]["amount"] == "3200.00"
    assert rows[("21012", "project")]["row_role"] == "subtotal"
    assert ("2101501", "project") not in rows  # a blank cell emits no record


def test_wrapped_name_split_by_page_break_is_glued(parsed: tuple[str, ParseOutcome]) -> None:
    _, outcome = parsed
    names = {
        r["name"]
        for r in outcome.records
        if r["type"] == "line_item" and r["table_kind"] == "income_summary" and r["code"] == "21015"
    }
    assert names == {"医疗保障管理事务"}


def test_document_metadata(parsed: tuple[str, ParseOutcome], truth: list) -> None:
    fmt, outcome = parsed
    doc = outcome.document
    assert outcome.status == "ok" and outcome.errors == [] and doc["status"] == "ok"
    assert outcome.parser == doc["parser"] == f"budget-tables@{PARSER_VERSION}"
    assert list(doc)[:3] == ["type", "sha256", "format"] and doc["format"] == fmt
    for field in ("department", "unit_code", "scope", "fiscal_year", "phase"):
        assert doc[field] == truth[0][field], field
    assert (doc["department"], doc["unit_code"], doc["fiscal_year"]) == ("邯郸市医疗保障局", "207", 2022)
    if fmt == "pdf":
        assert doc["title"] == truth[0]["title"] == "2022 年部门预算信息公开目录"
        assert doc["pages"] > 10
    else:
        assert doc["title"] == "邯郸市医疗保障局2022年部门预算"  # the workbook's title property
        assert doc["pages"] == 18  # sheets


def test_table_records(parsed: tuple[str, ParseOutcome], truth: list) -> None:
    fmt, outcome = parsed
    tables = {r["table_kind"]: r for r in outcome.records
              if r["type"] == "table" and "performance" not in r["table_kind"]}
    assert list(tables) == [*FINANCIAL, "government_procurement", "state_assets"]
    expected = {r["table_kind"]: r for r in truth if r["type"] == "table"}
    for kind, rec in tables.items():
        for field in ("title", "unit", "department", "unit_code", "fiscal_year", "rows", "declared_empty"):
            assert rec[field] == expected[kind][field], (kind, field)
    assert tables["government_fund_expenditure"]["declared_empty"] is True
    assert tables["expenditure_summary"]["rows"] == 18
    loc = tables["income_summary"]["locator"]
    if fmt == "pdf":
        assert loc["page_end"] == loc["page_start"] + 1  # one table stitched from two pages
    else:
        assert loc["sheet"] == "部门预算收入总表"


def test_records_follow_the_contract(parsed: tuple[str, ParseOutcome]) -> None:
    _, outcome = parsed
    sha = outcome.document["sha256"]
    assert outcome.records[0] is outcome.document
    for rec in outcome.records:
        assert next(iter(rec)) == "type"
        if rec["type"] != "document":
            assert rec["doc"] == sha and isinstance(rec["locator"], dict) and rec["locator"]
        if rec["type"] == "line_item":
            assert isinstance(rec["amount"], str)
            assert isinstance(rec["amount_yuan"], str) == (rec["unit"] is not None)  # counts carry no unit
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in outcome.records)
    assert "行政运行" in text and "\\u" not in text
