"""Seed 003 (秦皇岛市北戴河区医疗保障局（本级）, unit code glued to the name): line items equal the truth."""

from __future__ import annotations

from collections import Counter

import pytest

from govbudget.corpus.render_pdf import render_pdf
from govbudget.corpus.render_xlsx import render_xlsx
from govbudget.corpus.truth import truth_records
from govbudget.parsers import parse_bytes

KEY = ("table_kind", "side", "classification", "code", "name", "level", "parent_code", "row_role", "measure",
       "amount", "unit", "amount_yuan", "mapped_code")


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_seed003_line_items_equal_truth(fmt: str) -> None:
    data = render_pdf("003") if fmt == "pdf" else render_xlsx("003")
    outcome = parse_bytes(data, filename=f"003.{fmt}")
    truth = truth_records("003")
    assert outcome.status == "ok", outcome.errors
    kinds = {r["table_kind"] for r in truth if r["type"] == "line_item"}  # the truth lists no asset items
    mine = Counter(tuple(r.get(k) for k in KEY) for r in outcome.records
                   if r["type"] == "line_item" and r["table_kind"] in kinds)
    expected = Counter(tuple(r.get(k) for k in KEY) for r in truth if r["type"] == "line_item")
    assert sum(expected.values()) > 200
    assert mine == expected
    doc = outcome.document
    assert (doc["department"], doc["unit_code"]) == (truth[0]["department"], truth[0]["unit_code"])
    assert doc["fiscal_year"] == truth[0]["fiscal_year"]
