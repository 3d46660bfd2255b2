"""Narrative facts and metadata: the rendered seeds' 情况说明 against `fact_truth`, and text cleaning."""

from __future__ import annotations

from functools import cache

import pytest

from govbudget.corpus.documents import WEIJIANWEI_2023
from govbudget.corpus.render_pdf import render_pdf
from govbudget.corpus.scoring import compare, fact_key
from govbudget.corpus.truth_facts import fact_truth
from govbudget.parsers import ParseOutcome, parse_bytes
from govbudget.parsers.grid import Row
from govbudget.parsers.narrative import narrative_meta_of, narrative_records, normalize


@cache
def parsed(seed: str, variant: object = None) -> ParseOutcome:
    return parse_bytes(render_pdf(seed, variant=variant))


@pytest.mark.parametrize(("seed", "variant"), [("000", None), ("002", None), ("003", None),
                                               ("002", WEIJIANWEI_2023)])
def test_facts_equal_truth(seed: str, variant: object) -> None:
    facts = {r["fact"]: r for r in parsed(seed, variant).records if r["type"] == "fact"}
    want = fact_truth(seed, variant)
    assert want
    for w in want:
        got = facts[w["fact"]]
        assert (got["amount"], got["unit"]) == (w["amount"], w["unit"]), w["fact"]
        assert w["amount"] in got["sentence"]


def test_fact_fields_and_unit_slip_kept() -> None:
    facts = {r["fact"]: r for r in parsed("003").records if r["type"] == "fact"}
    op = facts["operating_costs"]
    assert (op["amount"], op["unit"], op["amount_yuan"]) == ("8.34", "元", "8.34")  # printed, not corrected
    assert facts["project_expenditure"]["amount_yuan"] == "12297900.00"
    assert facts["project_expenditure"]["sentence"].startswith("项目支出1229.79万元")
    assert "total_income" not in facts  # 003 states no income figure


def test_comparisons_are_not_facts() -> None:
    rows = [Row(("2021年预算收支安排1200.18万元，较2020年预算增加366.63万元，其中：基本支出增加91.35万元。",),
                "text", {"page": 1, "line": 1}),
            Row(("与2021年“三公”经费预算相比减少了25.51万元。",), "text", {"page": 1, "line": 2})]
    assert narrative_records(rows, doc="d") == []


def test_conversion_artifacts_and_wrapped_lines() -> None:
    printed = "- 1、**一般公共预算拨款收入**：2022 年 共 2300 家"
    assert normalize(printed) == "1、一般公共预算拨款收入：2022年共2300家"
    rows = [Row(("三、机关运行经费安排情况",), "text", {"page": 2, "line": 1}),
            Row(("机关运行经费共计安排 191.80",), "text", {"page": 2, "line": 2}),
            Row(("万元，主要用于日常运行。",), "text", {"page": 2, "line": 3})]
    (fact,) = narrative_records(rows, doc="d")
    assert (fact["fact"], fact["amount"], fact["unit"]) == ("operating_costs", "191.80", "万元")
    assert fact["sentence"] == "机关运行经费共计安排191.80万元，主要用于日常运行。"


def test_metadata_from_narrative() -> None:
    doc = parsed("003").document
    assert (doc["department"], doc["fiscal_year"], doc["phase"], doc["scope"]) == (
        "秦皇岛市北戴河区医疗保障局（本级）", 2021, "budget", "unit")
    meta = narrative_meta_of([Row(("门源县医疗保障局2024年部门预算项目支出绩效目标公开表",), "text",
                                  {"page": 1, "line": 1})])
    assert meta == {"department": "门源县医疗保障局", "fiscal_year": 2024, "phase": "budget",
                    "scope": "department"}
    assert parsed("001").document["fiscal_year"] == 2024  # a performance-only document
    assert parsed("004").document["department"] == "安阳市社会医疗保险中心"


def test_truth_reads_the_fact_printed_above_a_table() -> None:
    # 000 prints its fixed assets in the line over the asset table (the seed reader's table title)
    truth = {f["fact"]: f for f in fact_truth("000")}
    assets = truth["fixed_assets_total"]
    assert (assets["amount"], assets["unit"], assets["amount_yuan"]) == ("148.0749", "万元", "1480749.00")
    assert truth["operating_costs"]["amount_yuan"] == "649900.00"


@pytest.mark.parametrize("seed", ["000", "002", "003"])
def test_scored_fact_recall_is_one(seed: str) -> None:
    # the scorer compares yuan: truth in 万元 and the parse's yuan must meet on the same key
    predicted = [r for r in parsed(seed).records if r["type"] == "fact"]
    tally, missed, _ = compare(map(fact_key, fact_truth(seed)), map(fact_key, predicted))
    assert missed == [] and tally.recall == 1.0


def test_fact_key_converts_a_truth_without_yuan() -> None:
    hand_written = {"fact": "total_income", "amount": "1200.18", "unit": "万元"}
    parsed_fact = {"fact": "total_income", "amount": "1200.18", "unit": "万元", "amount_yuan": "12001800.00"}
    assert fact_key(hand_written) == fact_key(parsed_fact) == ("total_income", "12001800")
    assert fact_key({"fact": "operating_costs", "amount": "8.34", "unit": "元"})[1] == "8.34"
