"""One copy per disclosure: files grouped under a stable disclosure_id, one canonical, revisions marked."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from govbudget.exports.disclosures import content_of, counts, mark
from govbudget.exports.panel import PanelSpec, build_panel


def _doc(sha: str, fmt: str, at: str = "2024-01-01T00:00:00", status: str = "ok", **kw: Any) -> dict:
    return {"sha256": sha, "format": fmt, "captured_at": at, "status": status, "region_code": "130400",
            "department": "邯郸市医疗保障局", "fiscal_year": 2022, "phase": "budget",
            "doc_kind": "budget"} | kw


def _items(sha: str, n: int, amount: str = "7") -> list[dict[str, Any]]:
    return [{"type": "line_item", "doc": sha, "table_kind": "expenditure_summary", "code": f"2080{i}",
             "measure": "total", "amount_yuan": amount, "classification": "function", "level": 2,
             "name": f"项{i}"} for i in range(n)]


def _marked(docs: list[dict[str, Any]], items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {d["sha256"]: d for d in mark(docs, content_of(items))}


def test_pdf_and_xlsx_of_one_disclosure_share_an_id_and_the_xlsx_is_canonical() -> None:
    docs = [_doc("pdf", "pdf", at="2024-02-01T00:00:00"), _doc("xlsx", "xlsx"), _doc("other", "pdf",
            department="邯郸市财政局")]
    items = _items("pdf", 3) + _items("xlsx", 3) + _items("other", 2, "5")
    got = _marked(docs, items)
    assert got["pdf"]["disclosure_id"] == got["xlsx"]["disclosure_id"] != got["other"]["disclosure_id"]
    assert [got[s]["canonical"] for s in ("xlsx", "pdf", "other")] == [True, False, True]
    assert got["pdf"]["superseded_by"] is None and got["xlsx"]["superseded_by"] is None
    key = json.dumps(["130400", "邯郸市医疗保障局", 2022, "budget", "budget"], ensure_ascii=False)
    assert got["pdf"]["disclosure_id"] == hashlib.sha256(f"key:{key}".encode()).hexdigest()[:16]
    canonical = {d["sha256"] for d in got.values() if d["canonical"]}
    total = sum(Decimal(i["amount_yuan"]) for i in items if i["doc"] in canonical)
    assert total == Decimal(3 * 7 + 2 * 5)


def test_a_complete_parse_beats_format_and_more_items_beat_fewer() -> None:
    got = _marked([_doc("pdf", "pdf"), _doc("xlsx", "xlsx", status="partial")],
                  _items("pdf", 2) + _items("xlsx", 2))
    assert got["pdf"]["canonical"] and not got["xlsx"]["canonical"]
    got = _marked([_doc("pdf", "pdf"), _doc("xlsx", "xlsx")], _items("pdf", 3) + _items("xlsx", 2))
    assert got["pdf"]["canonical"] and not got["xlsx"]["canonical"]
    got = _marked([_doc("doc", "docx"), _doc("pdf", "pdf")], _items("doc", 2) + _items("pdf", 2))
    assert got["pdf"]["canonical"], "text PDF before the rest"


def test_a_later_revision_supersedes_the_earlier_and_both_are_kept() -> None:
    docs = [_doc("v1", "pdf", at="2024-01-01T00:00:00"), _doc("v2", "pdf", at="2024-05-01T00:00:00")]
    got = _marked(docs, _items("v1", 4, "7") + _items("v2", 3, "8"))
    assert got["v1"]["superseded_by"] == "v2" and got["v2"]["superseded_by"] is None
    assert got["v2"]["canonical"] and not got["v1"]["canonical"], "the revision counts, though shorter"
    assert got["v1"]["disclosure_id"] == got["v2"]["disclosure_id"]


def test_same_tables_and_amounts_group_files_whose_metadata_is_missing() -> None:
    docs = [_doc("named", "xlsx"), _doc("bare", "pdf", department=None, fiscal_year=None),
            _doc("lone", "pdf", department=None, fiscal_year=None)]
    got = _marked(docs, _items("named", 2) + _items("bare", 2) + _items("lone", 1, "9"))
    assert got["bare"]["disclosure_id"] == got["named"]["disclosure_id"]
    assert got["lone"]["disclosure_id"] != got["named"]["disclosure_id"] and got["lone"]["canonical"]
    again = _marked([dict(d) for d in docs], _items("named", 2) + _items("bare", 2) + _items("lone", 1, "9"))
    assert {k: v["disclosure_id"] for k, v in again.items()} == {k: got[k]["disclosure_id"] for k in got}


def test_the_panel_keeps_the_canonical_files_value() -> None:
    docs = [_doc("pdf", "pdf", at="2024-03-01T00:00:00"), _doc("xlsx", "xlsx")]
    items = _items("pdf", 1, "7") + _items("xlsx", 1, "8")
    for d in docs:
        d["fetched_at"] = d["captured_at"]
    (row,) = build_panel(docs, items, PanelSpec()).to_pylist()
    assert row["flags"] == "conflict" and row["amount_yuan"] == Decimal(8), "XLSX, though captured earlier"
    marked = mark([dict(d) for d in docs], content_of(items))
    (row,) = build_panel(marked, items, PanelSpec()).to_pylist()
    assert row["amount_yuan"] == Decimal(8)


def test_a_disclosure_split_over_files_counts_each_table_once() -> None:
    """A narrative PDF beside the tables PDF, or one file per table, are parts, not revisions: each
    table's best copy counts, so SUM over canonical rows keeps every table of the disclosure."""
    def items(sha: str, kind: str, n: int, amount: str) -> list[dict[str, Any]]:
        return [dict(i, table_kind=kind) for i in _items(sha, n, amount)]

    docs = [_doc("summary", "pdf", at="2024-01-01T00:00:00"),
            _doc("general", "pdf", at="2024-02-01T00:00:00"),
            _doc("narrative", "pdf", at="2024-03-01T00:00:00"), _doc("both", "xlsx")]
    general = "general_budget_expenditure"
    rows = (items("summary", "income_expenditure_summary", 2, "3") + items("general", general, 4, "5")
            + items("both", general, 4, "5"))
    got = _marked(docs, rows)
    assert {d["superseded_by"] for d in got.values()} == {None}, "parts are no revisions"
    assert got["summary"]["canonical_kinds"] == ["income_expenditure_summary"]
    assert got["both"]["canonical_kinds"] == ["general_budget_expenditure"], "XLSX before PDF, per table"
    assert not got["general"]["canonical"] and not got["narrative"]["canonical"]
    counted = [i for i in rows if counts(got[i["doc"]], i["table_kind"])]
    assert sum(Decimal(i["amount_yuan"]) for i in counted) == Decimal(2 * 3 + 4 * 5)
