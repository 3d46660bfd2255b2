"""The longitudinal panel: one row per region × department × year × code, renames and re-codes flagged."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from govbudget.corpus.truth import truth_records
from govbudget.exports.panel import PanelError, PanelSpec, build_panel, panel
from tests.test_export_dataset import Dataset, crawled_dataset


def _doc(sha: str, year: int, dept: str = "某市医疗保障局", at: str = "2024-01-01") -> dict[str, Any]:
    return {"sha256": sha, "fiscal_year": year, "department": dept, "region_code": "130400",
            "phase": "budget", "url": f"http://x/{sha}.pdf", "fetched_at": at}


def _item(sha: str, code: str, name: str, yuan: str, **kw: Any) -> dict[str, Any]:
    return {"type": "line_item", "doc": sha, "table_kind": "expenditure_summary",
            "classification": "function", "level": len(code) // 2, "code": code, "name": name,
            "measure": "total", "amount_yuan": yuan} | kw


def _by_key(table: Any) -> dict[tuple[int, str], dict[str, Any]]:
    return {(r["fiscal_year"], r["code"]): r for r in table.to_pylist()}


def test_renamed_and_recoded_are_flagged_not_merged() -> None:
    docs = [_doc("a", 2021), _doc("b", 2022), _doc("c", 2023)]
    items = [
        _item("a", "21015", "医疗保障管理事务", "100"),
        _item("b", "21015", "医疗保障事务", "110"),      # same code, new name
        _item("c", "21016", "医疗保障事务", "120"),      # same name, new code
        _item("a", "20101", "人大事务", "5"),
        _item("b", "20101", "人大事务", "6"),
    ]
    rows = _by_key(build_panel(docs, items, PanelSpec()))
    assert set(rows) == {(2021, "21015"), (2022, "21015"), (2023, "21016"), (2021, "20101"), (2022, "20101")}
    assert rows[(2021, "21015")]["flags"] == "renamed"
    assert "2022: 医疗保障事务" in rows[(2021, "21015")]["flag_detail"]
    assert rows[(2022, "21015")]["flags"] == "recoded,renamed"
    assert rows[(2023, "21016")]["flags"] == "recoded"
    assert "2022: 21015" in rows[(2023, "21016")]["flag_detail"]
    assert rows[(2021, "20101")]["flags"] is None and rows[(2022, "20101")]["amount_yuan"] == Decimal(6)


def test_two_renderings_of_one_disclosure_are_one_row_and_disagreement_is_a_conflict() -> None:
    docs = [_doc("pdf", 2022, at="2024-01-01"), _doc("xlsx", 2022, at="2024-01-02")]
    pdf = _item("pdf", "21015", "甲", "7")
    agree = build_panel(docs, [pdf, _item("xlsx", "21015", "甲", "7")], PanelSpec())
    (row,) = agree.to_pylist()
    assert (row["n_sources"], row["sources"], row["flags"]) == (2, "pdf,xlsx", None)
    differ = build_panel(docs, [pdf, _item("xlsx", "21015", "甲", "8")], PanelSpec())
    (row,) = differ.to_pylist()
    assert row["flags"] == "conflict" and row["amount_yuan"] == Decimal(8)


def test_only_the_asked_measure_level_and_table_enter() -> None:
    docs = [_doc("a", 2022)]
    items = [
        _item("a", "21015", "甲", "1"),
        _item("a", "2101501", "乙", "2", level=3),
        _item("a", "21015", "甲", "3", measure="basic"),
        _item("a", "21015", "甲", "4", table_kind="general_budget_expenditure"),
        _item("a", "21015", "甲", "not a number"),
    ]
    (row,) = build_panel(docs, items[:4], PanelSpec()).to_pylist()
    assert row["amount_yuan"] == Decimal(1)
    (row,) = build_panel(docs, items[:4], PanelSpec(measure="basic")).to_pylist()
    assert row["amount_yuan"] == Decimal(3)
    (row,) = build_panel(docs, items[:4], PanelSpec(level=3)).to_pylist()
    assert row["code"] == "2101501"
    assert build_panel(docs, items[4:], PanelSpec()).num_rows == 0
    with pytest.raises(PanelError, match=r"levels 1\.\.2"):
        PanelSpec(classification="economic_dept", level=3)
    with pytest.raises(PanelError, match="classification"):
        PanelSpec(classification="functional")


def test_panel_of_the_simulator_crawl_matches_the_seeds(
    tmp_path_factory: pytest.TempPathFactory, simulator: Any
) -> None:
    data: Dataset = crawled_dataset(tmp_path_factory, simulator)
    table = panel(data.svc.catalog, PanelSpec(measure="total", classification="function", level=2))
    rows = [r for r in table.to_pylist() if r["department"] == "邯郸市医疗保障局"]
    expected: dict[tuple[int, str], Decimal] = {}
    disclosures = [d for d in simulator.expected_disclosures().values()
                   if d.seed_id == "002" and d.department == "邯郸市医疗保障局"]
    assert {d.fiscal_year for d in disclosures} == {2021, 2022}
    for d in disclosures:
        for rec in truth_records("002", variant=d.variant):
            if (rec["type"] == "line_item" and rec["table_kind"] == "expenditure_summary"
                    and rec["measure"] == "total" and rec.get("level") == 2):
                expected[(d.fiscal_year, rec["code"])] = Decimal(rec["amount_yuan"])
    assert {(r["fiscal_year"], r["code"]): r["amount_yuan"] for r in rows} == expected
    assert {r["region_code"] for r in rows} == {"130400"}
    pdf_and_xlsx = [r for r in rows if r["fiscal_year"] == 2022]
    assert pdf_and_xlsx and all(r["n_sources"] == 2 and r["flags"] is None for r in pdf_and_xlsx)
