"""Coverage and quality report: regions × years, failed checks per document, withdrawn files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from govbudget.exports.report import build_report
from govbudget.storage.catalog import Catalog
from govbudget.storage.rows import CaptureRow
from tests.test_export_dataset import archived_files, crawled_dataset, simulator_cells

T0 = datetime(2024, 3, 1, tzinfo=UTC)


def _file(cat: Catalog, sha: str, crawl: str, minutes: int, url: str, dept: str, year: int) -> None:
    cat.ensure_object(sha, 10, f"raw/{sha}", "application/pdf")
    cat.add_capture(CaptureRow(
        sha256=sha, url=url, crawl_id=crawl, fetched_at=T0 + timedelta(minutes=minutes), region_code="130400",
        fiscal_year=year, doc_kind="budget", department=dept, format="pdf",
    ))


def _crawl(cat: Catalog, urls: list[str], files: list[tuple[str, str, int]], start: int) -> str:
    crawl = cat.start_crawl(urls, region_code="130400")
    for i, (sha, dept, year) in enumerate(files):
        _file(cat, sha, crawl, start + i, f"http://portal.example/{sha}.pdf", dept, year)
    cat.finish_crawl(crawl, {"files_archived": len(files)})
    return crawl


@pytest.fixture
def catalog(tmp_path: Path) -> Any:
    with Catalog(tmp_path / "catalog.sqlite3") as cat:
        yield cat


def test_withdrawn_is_a_file_later_crawls_of_the_same_start_urls_no_longer_find(catalog: Catalog) -> None:
    a, b, c = "a" * 64, "b" * 64, "c" * 64
    site = ["http://portal.example/"]
    _crawl(catalog, site, [(a, "甲局", 2022), (b, "乙局", 2022)], start=0)
    second = _crawl(catalog, site, [(a, "甲局", 2022)], start=10)
    _crawl(catalog, ["http://other.example/"], [(c, "丙局", 2023)], start=20)
    report = build_report(catalog)
    (gone,) = report.withdrawn
    assert gone["sha256"] == b and gone["crawls_without_it"] == 1 and gone["last_crawl_without_it"] == second
    assert gone["start_urls"] == site and gone["department"] == "乙局"
    assert len(report.crawl_runs) == 3


def test_failed_checks_are_listed_per_document(catalog: Catalog) -> None:
    a, b = "a" * 64, "b" * 64
    _crawl(catalog, ["http://portal.example/"], [(a, "甲局", 2022), (b, "乙局", 2022)], start=0)
    checks = [
        {"type": "check", "doc": a, "check": "children_sum", "ok": False, "subject": "21015",
         "expected": "10.00", "actual": "9.00"},
        {"type": "check", "doc": a, "check": "columns_sum", "ok": True, "subject": "21015"},
        {"type": "check", "doc": a, "check": "cross_table", "ok": False, "subject": "2101501"},
    ]
    catalog.save_parse_result(a, "p@1", "partial", ["one table failed"], [{"type": "document"}, *checks])
    catalog.save_parse_result(b, "p@1", "ok", [], [{"type": "check", "doc": b, "check": "x", "ok": True}])
    report = build_report(catalog)
    (entry,) = report.failed_checks
    assert entry["sha256"] == a and entry["failed"] == 2
    assert [c["check"] for c in entry["checks"]] == ["children_sum", "cross_table"]
    cell = report.cell("130400", 2022)
    assert cell is not None and (cell.found, cell.ok, cell.partial, cell.unparsed) == (2, 1, 1, 0)


def test_missing_departments_are_those_seen_in_other_years(catalog: Catalog) -> None:
    _crawl(catalog, ["http://portal.example/"],
           [("a" * 64, "甲局", 2021), ("b" * 64, "乙局", 2021), ("c" * 64, "甲局", 2022)], start=0)
    report = build_report(catalog)
    assert report.years == [2021, 2022]
    cell = report.cell("130400", 2022)
    assert cell is not None
    assert (cell.found, cell.unparsed, cell.missing, cell.missing_departments) == (1, 1, 1, ["乙局"])


def test_report_of_the_simulator_crawl(tmp_path_factory: pytest.TempPathFactory, simulator: Any) -> None:
    data = crawled_dataset(tmp_path_factory, simulator)
    report = build_report(data.svc.catalog)
    expected = archived_files(data)
    cells = simulator_cells(data)
    assert set(report.regions) == {r for r, _ in cells}
    assert set(report.years) == {y for _, y in cells}
    assert {(c.region_code, c.fiscal_year) for c in report.coverage if c.found} == cells
    assert sum(c.found for c in report.coverage) == len(expected)
    statuses = {s: sum(getattr(c, s) for c in report.coverage) for s in ("ok", "partial", "failed")}
    assert sum(statuses.values()) == len(expected)
    assert statuses == {s: sum(d["parse_status"] == s for d in data.svc.catalog.documents()
                               if d["sha256"] in expected) for s in statuses}
    handan = report.cell("130400", 2022)
    assert handan is not None and "邯郸市医疗保障局" in handan.departments
    assert report.withdrawn == [], "nothing was re-crawled, so nothing can be withdrawn"
    assert {tuple(r["start_urls"]) for r in report.crawl_runs} == {(s.start_url,) for s in simulator.sites}


def test_amounts_read_lists_each_measured_document_lowest_first(catalog: Catalog) -> None:
    a, b, c = "a" * 64, "b" * 64, "c" * 64
    files = [(a, "甲局", 2022), (b, "乙局", 2022), (c, "丙局", 2022)]
    _crawl(catalog, ["http://portal.example/"], files, start=0)
    gap = {"type": "check", "doc": a, "check": "coverage", "ok": False, "subject": "income_summary",
           "table_title": "收入总表", "table_locator": {"page": 3, "row": 1}, "expected": 12, "actual": 10,
           "ratio": 10 / 12, "missed": [{"text": "1,512.23", "locator": {"page": 3, "row": 9, "col": 4}},
                                        {"text": "0", "locator": {"page": 4, "row": 1, "col": 4}}]}
    error = "table income_summary on page 3 row 1: read 10 of 12 amounts"
    catalog.save_parse_result(a, "p@1", "partial", [error],
                              [{"type": "document", "sha256": a, "coverage": 10 / 12}, gap])
    catalog.save_parse_result(b, "p@1", "ok", [], [{"type": "document", "sha256": b, "coverage": 1.0}])
    catalog.save_parse_result(c, "p@1", "ok", [], [{"type": "document", "sha256": c, "coverage": None}])
    report = build_report(catalog)
    assert [(d["sha256"], d["coverage"]) for d in report.amounts_read] == [(a, 10 / 12), (b, 1.0)]
    (table,) = report.amounts_read[0]["tables_below_full"]
    assert (table["table_kind"], table["read"], table["printed"], table["missed"]) == (
        "income_summary", 10, 12, 2)
    summary = report.amounts_read_summary
    assert (summary["documents"], summary["below_full"], summary["min"]) == (2, 1, 10 / 12)
    assert summary["mean"] == (10 / 12 + 1) / 2
    (failed,) = report.failed_checks  # the failed coverage check, with the cells it missed
    assert failed["checks"][0]["missed"][0]["text"] == "1,512.23"
    assert report.as_dict()["amounts_read_summary"] == summary
