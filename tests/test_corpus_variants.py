"""Variants of every seed: new departments, years and amounts, and truth whose sums still hold."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest

from govbudget.corpus.seeds import SEEDS
from govbudget.corpus.truth import FINANCIAL_KINDS, truth_records
from govbudget.corpus.variant_plan import variants_for

COUNT = 3


@pytest.mark.parametrize("seed_id", sorted(SEEDS))
def test_variants_are_distinct_and_reproducible(seed_id: str) -> None:
    info = SEEDS[seed_id]
    variants = variants_for(seed_id, COUNT)
    assert variants == variants_for(seed_id, COUNT)
    assert len({(v.department, v.fiscal_year) for v in variants}) == COUNT
    for v in variants:
        assert v.department != info.department and v.fiscal_year != info.fiscal_year
        assert v.department[:2] == info.department[:2]  # the same place
        assert v.department.endswith("（本级）") == info.department.endswith("（本级）")
        assert (v.unit_code is None) == (info.unit_code is None)
        assert v.unit_code is None or len(v.unit_code) == len(info.unit_code or "")


@pytest.mark.parametrize("seed_id", sorted(SEEDS))
def test_variant_truth_carries_the_variant_metadata(seed_id: str) -> None:
    base = truth_records(seed_id)
    for v in variants_for(seed_id, 2):
        truth = truth_records(seed_id, variant=v)
        doc = truth[0]
        assert doc["department"] == v.department
        assert (doc["fiscal_year"], doc["unit_code"]) == (v.fiscal_year, v.unit_code)
        assert [r["table_kind"] for r in truth if r["type"] == "table"] == [
            r["table_kind"] for r in base if r["type"] == "table"]
        assert all(r["fiscal_year"] == v.fiscal_year for r in truth if r["type"] == "table")


def _items(records: list[dict], kind: str, measure: str | None = None) -> list[dict]:
    return [r for r in records if r["type"] == "line_item" and r["table_kind"] == kind
            and (measure is None or r["measure"] == measure)]


# seeds with the standard budget tables (000 has line items too, but only its 固定资产 values)
FINANCIAL_SEEDS = [s for s in sorted(SEEDS) if any(
    r["type"] == "line_item" and r["table_kind"] in FINANCIAL_KINDS for r in truth_records(s))]


def test_financial_seeds_are_the_budget_tables() -> None:
    assert FINANCIAL_SEEDS == ["002", "003"]


@pytest.mark.parametrize("seed_id", FINANCIAL_SEEDS)
def test_variant_amounts_are_new(seed_id: str) -> None:
    seed_amounts = {r["amount"] for r in _items(truth_records(seed_id), "expenditure_summary")}
    for v in variants_for(seed_id, COUNT):
        amounts = {r["amount"] for r in _items(truth_records(seed_id, variant=v), "expenditure_summary")}
        assert len(amounts & seed_amounts) <= len(seed_amounts) // 5, v


@pytest.mark.parametrize("seed_id", FINANCIAL_SEEDS)
def test_variant_children_sum_to_parents_and_totals(seed_id: str) -> None:
    for v in variants_for(seed_id, COUNT):
        truth = truth_records(seed_id, variant=v)
        for kind in ("expenditure_summary", "general_budget_expenditure"):
            by_measure: dict[str, dict[str | None, Decimal]] = defaultdict(dict)
            for r in _items(truth, kind):
                by_measure[r["measure"]][r["code"]] = Decimal(r["amount"])
            assert by_measure, kind
            for measure, amounts in by_measure.items():
                for code, value in amounts.items():
                    children = [a for c, a in amounts.items() if c and code and c[:-2] == code and len(c) > 3]
                    if code and children:
                        assert sum(children) == value, (v.department, kind, measure, code)
                top = [a for c, a in amounts.items() if c and len(c) == 3]
                if None in amounts:  # the 合计 row
                    assert sum(top) == amounts[None], (v.department, kind, measure)


@pytest.mark.parametrize("seed_id", FINANCIAL_SEEDS)
def test_variant_columns_and_sides_balance(seed_id: str) -> None:
    for v in variants_for(seed_id, COUNT):
        truth = truth_records(seed_id, variant=v)
        cells: dict[tuple, Decimal] = {}
        for r in _items(truth, "expenditure_summary"):
            cells[(r["code"], r["measure"])] = Decimal(r["amount"])
        for (code, measure), total in cells.items():
            if measure == "total":
                parts = [cells.get((code, m), Decimal(0)) for m in ("basic", "project")]
                assert sum(parts) == total, (v.department, code)
        summary = _items(truth, "income_expenditure_summary")
        grand = {r["side"]: Decimal(r["amount"]) for r in summary if "总计" in r["name"]}
        assert set(grand) == {"income", "expenditure"} and grand["income"] == grand["expenditure"]
        exp_total = cells[(None, "total")]
        assert grand["expenditure"] == exp_total
