"""The dashboard's naming and wording helpers on their own (issue #12 item 7): a download's name from
what the server sent or the URL, its Content-Disposition, readable locators and coverage classes.
The pages that use them are tested in a browser in test_web_dashboard.py."""

from __future__ import annotations

from govbudget.web.originals import content_disposition, original_name
from govbudget.web.views import coverage_class, locator_text

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
