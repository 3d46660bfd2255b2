"""固定资产占用情况表 (`state_assets`): value cells are line items, 数量 counts are not amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from govbudget.corpus.build import documents, render_files
from govbudget.corpus.seedtables import norm, parse_seed
from govbudget.corpus.truth import truth_records
from govbudget.parsers import parse_bytes
from govbudget.parsers.grid import Row
from govbudget.parsers.tables.columns import build_column_map

RENDERINGS = ["xlsx", "html", "pdf-ruled"]


@pytest.fixture(scope="module")
def parsed() -> dict[tuple[str, str], list[dict]]:
    """Seeds 000 and 002 as printed, in three renderings, parsed."""
    files = render_files(documents(0, ["000", "002"]), RENDERINGS)
    return {(f.seed_id, f.rendering.name): parse_bytes(f.data, filename=f.filename).records for f in files}


def _seed_values(seed_id: str) -> list[tuple[str, Decimal]]:
    """(row name, 价值) pairs read from the seed table directly, below its `项目 | 数量 | 价值` row."""
    table = next(t for t in parse_seed(seed_id).tables if t.kind == "state_assets")
    rows = table.header_rows + table.data_rows()
    at = next(k for k, r in enumerate(rows) if norm(r[0]) == "项目")
    return [(norm(r[0]), Decimal(r[2])) for r in rows[at + 1:] if r[2].strip()[:1].isdigit()]


def _items(records: list[dict]) -> list[dict]:
    return [r for r in records if r["type"] == "line_item" and r["table_kind"] == "state_assets"]


def test_quantity_column_is_not_an_amount_column() -> None:
    header = Row(("项 目", "数量", "价值（金额单位：万元）"), "table", {"row": 1})
    roles = [(c.label, c.role) for c in build_column_map([header]).columns]
    assert roles == [("项目", "name"), ("数量", "quantity"), ("价值（金额单位：万元）", "amount")]


@pytest.mark.parametrize("seed_id", ["000", "002"])
@pytest.mark.parametrize("rendering", RENDERINGS)
def test_state_assets_items_are_exactly_the_value_cells(parsed: dict, seed_id: str, rendering: str) -> None:
    items = _items(parsed[(seed_id, rendering)])
    assert [(norm(r["name"]), Decimal(r["amount"])) for r in items] == _seed_values(seed_id)
    assert {(r["unit"], r["measure"], r["measure_label"]) for r in items} == {
        ("万元", "other", "价值（金额单位：万元）")}
    assert all(Decimal(r["amount_yuan"]) == Decimal(r["amount"]) * 10000 for r in items)


def test_vehicle_count_is_not_emitted(parsed: dict) -> None:
    # seed 000 prints `2、车辆（台、辆） | 2 | 32.9765`: 2 vehicles (a count) worth 32.9765 万元
    vehicles = [r["amount"] for r in _items(parsed[("000", "xlsx")]) if "车辆" in r["name"]]
    assert vehicles == ["32.9765"]


@pytest.mark.parametrize("seed_id", ["000", "002", "003"])
def test_truth_lists_the_value_cells_of_the_seed(seed_id: str) -> None:
    truth = _items(truth_records(seed_id))
    assert [(norm(r["name"]), Decimal(r["amount"])) for r in truth] == _seed_values(seed_id)
    assert {r["unit"] for r in truth} == {"万元"}
