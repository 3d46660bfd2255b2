"""Truth choices pinned against the seed text: seed 001's project tables, printed unit codes."""

from __future__ import annotations

import re

import pytest

from govbudget.corpus.seeds import SEEDS, load_text
from govbudget.corpus.truth import truth_records
from govbudget.corpus.variant_plan import variants_for
from govbudget.corpus.variants import load_document


def _listed_projects() -> list[tuple[str, str]]:
    """(project, amount) of seed 001 read from its raw TSV lines: `1\\t离休干部药费\\t30.00\\t<p>目标…`."""
    out = []
    for line in load_text("001").splitlines():
        cells = line.split("\t")
        if len(cells) >= 5 and re.fullmatch(r"\d{1,3}", cells[0]) and cells[4].strip():
            out.append((cells[1].strip(), cells[2].strip()))
    return out


def test_seed_001_has_one_performance_table_per_project() -> None:
    tables = [r for r in truth_records("001") if r["type"] == "table"]
    assert {t["table_kind"] for t in tables} == {"performance_targets"}
    assert [(t["project"], t["project_amount"]) for t in tables] == _listed_projects()
    assert len(tables) == 5


def test_seed_001_goals_drop_their_labels() -> None:
    first = next(r for r in truth_records("001") if r["type"] == "table")
    assert len(first["goals"]) == 3 and not any(g.startswith("目标") for g in first["goals"])


@pytest.mark.parametrize("seed_id", sorted(SEEDS))
def test_truth_unit_code_is_printed_in_every_variant(seed_id: str) -> None:
    for variant in [None, *variants_for(seed_id, 2)]:
        code = truth_records(seed_id, variant=variant)[0]["unit_code"]
        if code is None:
            continue
        doc = load_document(seed_id, variant)
        printed = [line for t in doc.tables for s in t.segments for line in s.header_block]
        cells = [c.strip() for t in doc.tables for s in t.segments for r in s.rows for c in r]
        assert any(line.startswith(code) for line in printed) or code in cells, (seed_id, variant, code)


def test_seed_001_variants_print_their_own_code_in_the_listing() -> None:
    for v in variants_for("001", 2):
        [table] = load_document("001", v).tables
        codes = [r[0] for r in table.data_rows()[1:3]]
        assert codes == [v.unit_code, f"{v.unit_code}001"] != ["481", "481001"]
