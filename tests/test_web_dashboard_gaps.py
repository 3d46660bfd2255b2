"""The dashboard's naming and wording helpers on their own (issue #12 item 7): a download's name from
what the server sent or the URL, its Content-Disposition, readable locators and coverage classes.
The pages that use them are tested in a browser in test_web_dashboard.py."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from govbudget.storage.catalog import Catalog
from govbudget.storage.rows import CaptureRow
from govbudget.web.originals import content_disposition, original_name
from govbudget.web.views import coverage_class, coverage_text, locator_text, missed_cells

SHA = "ab" * 32


def test_download_name_from_rfc5987_header() -> None:
    headers = {"Content-Disposition": "attachment; filename*=UTF-8''%E9%99%84%E4%BB%B6.pdf"}
    assert original_name("http://h/download.do?id=1", headers, "pdf", SHA) == "附件.pdf"


def test_download_name_from_gbk_bytes_read_as_latin1() -> None:
    raw = "邯郸市2022年部门预算.pdf".encode("gbk").decode("latin-1")
    headers = {"content-disposition": f'attachment; filename="{raw}"'}
    assert original_name("http://h/DownLoad.aspx?fid=2", headers, "pdf", SHA) == "邯郸市2022年部门预算.pdf"


def test_download_name_falls_back_to_member_url_path_then_title() -> None:
    assert original_name("http://h/a.zip#预算/体育局.pdf", {}, "pdf", SHA) == "体育局.pdf"
    assert original_name("http://h/files/W0203.xlsx", None, "xlsx", SHA) == "W0203.xlsx"
    garbled = {"Content-Disposition": 'attachment; filename="\ufffd\ufffd.pdf"'}
    assert original_name("http://h/DownLoad.aspx?fid=2", garbled, "pdf", SHA, "水务局2022年部门预算") == (
        "水务局2022年部门预算.pdf")
    assert original_name("http://h/get.jsp?id=3", None, "pdf", SHA) == f"{SHA}.pdf"


def test_content_disposition_has_ascii_fallback_and_utf8_name() -> None:
    assert content_disposition("预算 2022.pdf") == (
        "attachment; filename=\"__ 2022.pdf\"; filename*=UTF-8''%E9%A2%84%E7%AE%97%202022.pdf")


def test_locators_read_as_text() -> None:
    assert locator_text({"page": 7, "row": 12}) == "第7页第12行"
    assert locator_text({"page": 7, "row": 12, "col": 3}) == "第7页第12行第3列"
    assert locator_text({"page_start": 7, "page_end": 9}) == "第7–9页"
    assert locator_text({"page_start": 7, "page_end": 7}) == "第7页"
    assert locator_text({"sheet": "收支总表", "rows": [3, 40]}) == "工作表「收支总表」第3–40行"
    assert locator_text({"table": 2, "rows": [1, 9]}) == "第2个表格第1–9行"


def test_coverage_class_by_share_of_departments() -> None:
    assert coverage_class(0, 10, 0) == "cov-none"
    assert coverage_class(1, 10, 1) == "cov-low"
    assert coverage_class(5, 10, 5) == "cov-part"
    assert coverage_class(10, 10, 12) == "cov-full"
    assert coverage_class(0, 0, 2) == "cov-unknown"


def test_amounts_read_show_as_a_share_and_missed_cells_with_their_place() -> None:
    assert coverage_text({"coverage": 0.98765}) == "98.77%"
    assert coverage_text({"extra": {"coverage": 1.0}}) == "100.00%"  # a parser field the export keeps
    assert coverage_text({"coverage": None}) == "—"
    check = {"missed": [{"text": "1,512.23", "locator": {"page": 8, "row": 11, "col": 4}},
                        {"text": "0", "locator": {"sheet": "收入", "row": 1, "col": 4}}]}
    assert missed_cells(check) == "1,512.23（第8页第11行第4列）；0（工作表「收入」第1行第4列）"
    assert missed_cells(check, limit=1) == "1,512.23（第8页第11行第4列） 等共 2 处"


def test_dashboard_pages_show_a_documents_coverage_and_its_unread_cells(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from govbudget.web.app import create_app

    with Catalog(tmp_path / "catalog.sqlite3") as cat:
        cat.ensure_object(SHA, 10, f"raw/{SHA}", "text/html")
        cat.add_capture(CaptureRow(sha256=SHA, url="http://portal.example/a.html", crawl_id=None,
                                   fetched_at=datetime(2024, 3, 1, tzinfo=UTC), region_code="130400",
                                   fiscal_year=2022, doc_kind="budget", department="甲局", format="html"))
        gap = {"type": "check", "doc": SHA, "check": "coverage", "ok": False, "subject": "income_summary",
               "expected": 2, "actual": 1, "missed": [{"text": "1,512.23", "locator": {"page": 3, "row": 9,
                                                                                       "col": 4}}]}
        error = "table income_summary on page 3 row 1: read 1 of 2 amounts"
        cat.save_parse_result(SHA, "p@1", "partial", [error],
                              [{"type": "document", "sha256": SHA, "coverage": 0.5}, gap])
        client = TestClient(create_app(SimpleNamespace(catalog=cat, store=None)))
        assert '<td class="num coverage">50.00%</td>' in client.get("/documents").text
        page = client.get(f"/documents/{SHA}").text
        assert "金额读取率 50.00%" in page and "未读出：1,512.23（第3页第9行第4列）" in page
        assert "未读出：1,512.23（第3页第9行第4列）" in client.get("/checks").text
        header, row = client.get("/documents.csv").text.splitlines()[:2]
        assert row.split(",")[header.split(",").index("coverage")] == "0.5"
