"""The dashboard in a real browser (Playwright on Debian's Chromium) over the simulator crawl.

The heat-map shows the simulator's regions and years; a click on a cell lists that cell's documents;
opening one shows its original (rendered pages) beside its parsed tables. Each page is saved as a
screenshot under artifacts/screenshots/ to check by eye that Chinese renders.

The gaps (issue #12 item 7), one test each: cells coloured by departments found of expected, region
names beside codes, a parsed row linked to its highlighted band on the page image, readable locators,
downloads under their original names, a ZIP's members listed with links, pagination, search, CSV of
every list, HTML 404s.
"""

from __future__ import annotations

import csv
import io
import re
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
import uvicorn

from govbudget.crawler.regions import all_divisions
from govbudget.web.app import create_app
from tests.test_export_dataset import Dataset, crawled_dataset, handan_2022, simulator_cells

SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, simulator: Any) -> Dataset:
    return crawled_dataset(tmp_path_factory, simulator)


@pytest.fixture(scope="module")
def dashboard(data: Dataset) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, for the module's tests."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    names = {code: d.full_name for code, d in all_divisions().items()}
    app = create_app(data.svc, region_names=names)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the dashboard did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000


@pytest.mark.integration
def test_heatmap_click_cell_open_document(dashboard: str, browser: Any, data: Dataset) -> None:
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.goto(dashboard + "/")
    regions = page.locator("#heatmap th.region").evaluate_all("ths => ths.map(t => t.dataset.region)")
    cells = simulator_cells(data)
    # regions as the catalog places the files (the document's own region before its site's)
    assert set(regions) == {d["region_code"] or "unknown" for d in _files(data)} and "130400" in regions
    years = {int(t.rstrip("年")) for t in page.locator("#heatmap thead th").all_inner_texts()[1:]}
    assert years == {y for _, y in cells}
    _shot(page, "heatmap")

    page.locator('td.cell[data-region="130400"][data-year="2022"] a').click()
    page.wait_for_url("**/documents?region=130400&year=2022")
    rows = page.locator("tr.doc")
    listed = set(rows.evaluate_all("rows => rows.map(r => r.dataset.sha256)"))
    assert set(handan_2022(data)) <= listed
    in_cell = {d["sha256"] for d in data.svc.catalog.documents()
               if d["region_code"] == "130400" and d["fiscal_year"] == 2022 and d["doc_kind"] != "page"}
    assert listed == in_cell
    assert "邯郸市医疗保障局" in page.locator("#documents").inner_text()
    _shot(page, "documents")

    pdf_sha = next(s for s in handan_2022(data)
                   if data.sim.expected_disclosures()[s].fmt == "pdf")
    page.locator(f'tr.doc[data-sha256="{pdf_sha}"] a').click()
    page.wait_for_url(f"**/documents/{pdf_sha}")
    images = page.locator("#original img")
    assert images.count() >= 10
    images.first.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('#original img').naturalWidth > 0")
    parsed = page.locator("#parsed")
    assert parsed.locator(".parsed-table").count() == sum(
        1 for r in data.svc.catalog.records(sha256=pdf_sha, type="table"))
    text = parsed.inner_text()
    assert "医疗保障管理事务" in text and "903.22" in text
    _shot(page, "document_pdf")

    xlsx_sha = next(s for s in handan_2022(data) if s != pdf_sha)
    page.goto(f"{dashboard}/documents/{xlsx_sha}")
    assert "903.22" in page.locator("#original").inner_text()
    # a sheet row's locator links to that row of the rendered sheet
    link = page.locator("tr.item", has_text="医疗保障管理事务").first.locator("a.where")
    assert re.fullmatch(r"工作表「.+」第\d+行", link.inner_text())
    link.click()
    assert "医疗保障管理事务" in page.locator("table.sheet tr:target").inner_text()
    _shot(page, "document_xlsx")

    for name in ("checks", "crawls"):
        page.goto(f"{dashboard}/{name}")
        assert page.locator("header").inner_text().startswith("govbudget")
        _shot(page, name)
    assert page.locator("tr.crawl").count() == len(data.sim.sites)
    page.close()


def test_raw_original_is_sandboxed_and_unknown_digests_are_404(dashboard: str, data: Dataset) -> None:
    sha = handan_2022(data)[0]
    raw = httpx.get(f"{dashboard}/objects/{sha}")
    assert raw.status_code == 200 and raw.content == data.sim.expected_disclosures()[sha].data
    assert "sandbox" in raw.headers["content-security-policy"]
    assert raw.headers["x-content-type-options"] == "nosniff"
    assert httpx.get(f"{dashboard}/documents/{'0' * 64}").status_code == 404
    assert httpx.get(f"{dashboard}/documents/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert httpx.get(f"{dashboard}/objects/{sha}/pages/999.png").status_code in {404}
    filtered = httpx.get(f"{dashboard}/documents", params={"status": "failed"}).text
    failed = [d for d in data.svc.catalog.documents() if d["parse_status"] == "failed"]
    assert filtered.count('class="doc"') == len(failed)


# -- the gaps (issue #12 item 7) --------------------------------------------------------------------


def _files(data: Dataset) -> list[dict[str, Any]]:
    return [d for d in data.svc.catalog.documents() if d["doc_kind"] != "page"]


def _sorted_docs(docs: list[dict[str, Any]]) -> list[str]:
    """Digests in the list's order: region, year, department, format."""
    key = lambda d: (d["region_code"] or "", d["fiscal_year"] or 0, d["department"] or "", d["format"] or "")  # noqa: E731
    return [d["sha256"] for d in sorted(docs, key=key)]


def _download(page: Any, selector: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.locator(selector).click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


@pytest.mark.integration
def test_heatmap_colours_cells_by_departments_found_of_expected(
    dashboard: str, browser: Any, data: Dataset
) -> None:
    expected: dict[str, set[str]] = defaultdict(set)
    found: dict[tuple[str, int], set[str]] = defaultdict(set)
    for d in _files(data):
        if d["department"]:
            dept = re.sub(r"\s+", "", d["department"])
            expected[d["region_code"]].add(dept)
            if d["fiscal_year"] is not None:
                found[(d["region_code"], d["fiscal_year"])].add(dept)
    # a partly covered cell: fewer than half of the region's departments found this year
    (region, year), depts = min(
        ((k, v) for k, v in found.items() if 2 * len(v) < len(expected[k[0]])),
        key=lambda kv: (len(kv[1]) / len(expected[kv[0][0]]), kv[0]),
    )
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.goto(dashboard + "/")
    cell = page.locator(f'td.cell[data-region="{region}"][data-year="{year}"]')
    assert cell.locator(".depts").inner_text() == f"部门 {len(depts)} / {len(expected[region])}"
    assert cell.get_attribute("class").split() == ["cell", "cov-low"]
    assert f"找到 {len(depts)} / 应有 {len(expected[region])} 个部门" in cell.get_attribute("title")
    assert cell.evaluate("td => getComputedStyle(td).backgroundColor") == "rgb(253, 226, 226)"
    full = next(k for k, v in found.items() if len(v) == len(expected[k[0]]))
    full_cell = page.locator(f'td.cell[data-region="{full[0]}"][data-year="{full[1]}"]')
    assert full_cell.get_attribute("class").split() == ["cell", "cov-full"]
    header = page.locator('#heatmap th.region[data-region="130400"]').inner_text()
    assert header == "130400 河北省邯郸市"
    page.close()


@pytest.mark.integration
def test_parsed_row_links_to_its_highlighted_band_on_the_page(
    dashboard: str, browser: Any, data: Dataset
) -> None:
    import pdfplumber

    pdf_sha = next(s for s in handan_2022(data) if data.sim.expected_disclosures()[s].fmt == "pdf")
    item = next(r for r in data.svc.catalog.records(sha256=pdf_sha, type="line_item")
                if r["name"] == "医疗保障管理事务")
    number, row = item["locator"]["page"], item["locator"]["row"]
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.goto(f"{dashboard}/documents/{pdf_sha}")
    wheres = page.locator(".table-where").all_inner_texts()
    assert wheres and all(re.fullmatch(r"第\d+(–\d+)?页", w) for w in wheres)
    link = page.locator("tr.item", has_text="医疗保障管理事务").first.locator("a.where")
    assert link.inner_text() == f"第{number}页第{row}行"
    link.click()
    page.wait_for_url(f"**/documents/{pdf_sha}/pages/{number}?row={row}*")
    page.wait_for_function("() => document.querySelector('#pageview img').naturalWidth > 0")
    image = page.locator("#pageview img").bounding_box()
    band = page.locator("#highlight").bounding_box()
    top = (band["y"] - image["y"]) / image["height"]
    bottom = top + band["height"] / image["height"]
    assert 0 < bottom - top < 0.08  # one row, not the table
    with pdfplumber.open(io.BytesIO(data.sim.expected_disclosures()[pdf_sha].data)) as pdf:
        sheet = pdf.pages[number - 1]
        # the printed line of the row: its name may wrap inside the cell (医疗保障管理 / 事务)
        spots = [((line["top"] + line["bottom"]) / 2) / sheet.height for line in sheet.extract_text_lines()
                 if "医疗保障管理" in re.sub(r"\s+", "", line["text"])]
    assert any(top < y < bottom for y in spots), (top, bottom, spots)
    _shot(page, "page_highlight")
    page.close()


@pytest.mark.integration
def test_downloads_carry_the_original_file_name(dashboard: str, browser: Any, data: Dataset) -> None:
    by_url = {d["url"]: d for d in _files(data)}
    nanjing = next(d for u, d in by_url.items() if "/spa/download.do" in u and d["fiscal_year"] == 2023)
    sent = next(v for c in data.svc.catalog.captures(nanjing["sha256"])
                for k, v in c["headers"].items() if k.lower() == "content-disposition")
    served_name = unquote(sent.split("''", 1)[1])
    assert served_name == "南京市卫生健康委员会2023年部门预算.pdf"
    page = browser.new_page()
    page.goto(f"{dashboard}/documents/{nanjing['sha256']}")
    name, body = _download(page, "#download")
    assert name == served_name and body == data.svc.store.get(nanjing["storage_key"])
    raw = httpx.get(f"{dashboard}/objects/{nanjing['sha256']}")
    assert raw.headers["content-disposition"] == (
        "attachment; filename=\"__________2023_____.pdf\"; filename*=UTF-8''"
        + sent.split("''", 1)[1]
    )
    # a garbled server name (GBK read as Latin-1) and a script URL: the link's title names it
    garbled = next(d for u, d in by_url.items() if u.endswith("DownLoad.aspx?fid=2"))
    page.goto(f"{dashboard}/documents/{garbled['sha256']}")
    assert _download(page, "#download")[0] == "茂名市电白区水务局2022年部门预算.pdf"
    member = next(d for u, d in by_url.items() if "#" in u)
    page.goto(f"{dashboard}/documents/{member['sha256']}")
    assert _download(page, "#download")[0] == member["url"].split("#", 1)[1]
    page.close()


@pytest.mark.integration
def test_zip_lists_its_members_with_links(dashboard: str, browser: Any, data: Dataset) -> None:
    files = _files(data)
    archive = next(d for d in files if d["format"] == "zip")
    members = {d["url"].split("#", 1)[1]: d["sha256"] for d in files
               if d["url"].startswith(archive["url"] + "#")}
    assert len(members) == 2
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.goto(f"{dashboard}/documents/{archive['sha256']}")
    assert "压缩包内的文件（2）" in page.locator("#parsed").inner_text()
    assert "解析出的表格" not in page.locator("#parsed").inner_text()
    links = page.locator("#members tr.member a")
    paths = links.evaluate_all("as => as.map(a => a.pathname)")
    listed = dict(zip(links.all_inner_texts(), paths, strict=True))
    assert listed == {name: f"/documents/{sha}" for name, sha in members.items()}
    first = sorted(members)[0]
    page.locator("#members a", has_text=first).click()
    page.wait_for_url(f"**/documents/{members[first]}")
    assert page.locator("#container").get_attribute("href") == f"/documents/{archive['sha256']}"
    page.close()


@pytest.mark.integration
def test_documents_list_pages(dashboard: str, browser: Any, data: Dataset) -> None:
    order = _sorted_docs(_files(data))
    assert len(order) > 20
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.goto(f"{dashboard}/documents?size=10")
    shas = "rows => rows.map(r => r.dataset.sha256)"
    assert page.locator("tr.doc").evaluate_all(shas) == order[:10]
    assert page.locator("#page-of").inner_text() == f"第 1 / {-(-len(order) // 10)} 页"
    page.locator('#pager a[rel="next"]').click()
    page.wait_for_url(re.compile(r".*/documents\?size=10&page=2$"))
    assert page.locator("tr.doc").evaluate_all(shas) == order[10:20]
    assert page.locator("#page-of").inner_text().startswith("第 2 / ")
    assert f"{len(order)} / {len(order)} 个文件，显示第 11–20 个" in page.locator("#count").inner_text()
    page.close()


@pytest.mark.integration
def test_documents_search(dashboard: str, browser: Any, data: Dataset) -> None:
    files = _files(data)
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.goto(f"{dashboard}/documents")
    page.locator("#search").fill("体育局")
    page.locator("#filter").click()
    page.wait_for_url("**/documents?q=*")
    hits = page.locator("tr.doc").evaluate_all("rows => rows.map(r => r.dataset.sha256)")
    assert hits == [d["sha256"] for d in files if "体育局" in (d["title"] or "") + (d["department"] or "")]
    assert len(hits) == 1
    # a region's name finds its documents though no title says it
    page.goto(f"{dashboard}/documents?q=河北省&size=500")
    hebei = page.locator("tr.doc").evaluate_all("rows => rows.map(r => r.dataset.sha256)")
    assert sorted(hebei) == sorted(d["sha256"] for d in files if (d["region_code"] or "").startswith("13"))
    assert "河北省邯郸市" in page.locator("#documents").inner_text()
    page.close()


def _csv(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


@pytest.mark.integration
def test_every_list_downloads_as_csv(dashboard: str, browser: Any, data: Dataset) -> None:
    files = _files(data)
    page = browser.new_page()
    page.goto(f"{dashboard}/documents?region=130400&year=2022")
    name, body = _download(page, "#csv")
    rows = _csv(body.decode("utf-8"))
    assert name == "documents.csv"
    assert sorted(r["sha256"] for r in rows) == sorted(
        d["sha256"] for d in files if d["region_code"] == "130400" and d["fiscal_year"] == 2022)
    assert {r["region_name"] for r in rows} == {"河北省邯郸市"}
    assert "邯郸市医疗保障局" in {r["department"] for r in rows}

    failed = [c for c in data.svc.catalog.records(type="check") if c.get("ok") is False
              and c["doc"] in {d["sha256"] for d in files}]
    page.goto(f"{dashboard}/checks")
    checks = _csv(_download(page, "#csv")[1].decode("utf-8"))
    assert sorted((r["sha256"], r["check"]) for r in checks) == sorted((c["doc"], c["check"]) for c in failed)

    page.goto(f"{dashboard}/crawls")
    crawls = _csv(_download(page, "#csv")[1].decode("utf-8"))
    assert [r["id"] for r in crawls] == [r["id"] for r in data.svc.catalog.crawl_runs()]
    assert {r["status"] for r in crawls} == {"finished"}

    pdf_sha = next(s for s in handan_2022(data) if data.sim.expected_disclosures()[s].fmt == "pdf")
    page.goto(f"{dashboard}/documents/{pdf_sha}")
    items = _csv(_download(page, "#items-csv")[1].decode("utf-8"))
    records = list(data.svc.catalog.records(sha256=pdf_sha, type="line_item"))
    assert len(items) == len(records)
    medical = [r for r in items if r["name"] == "医疗保障管理事务"]
    assert "903.22" in {r["amount"] for r in medical}
    assert all(re.fullmatch(r"第\d+页第\d+行第\d+列", r["where"]) for r in items)
    page.close()


@pytest.mark.integration
def test_unknown_urls_answer_an_html_404(dashboard: str, browser: Any) -> None:
    page = browser.new_page()
    unknown = ("/no/such/page", f"/documents/{'0' * 64}", f"/objects/{'0' * 64}", "/documents/not-a-digest")
    for path in unknown:
        response = page.goto(dashboard + path)
        assert response.status == 404, path
        assert response.headers["content-type"].startswith("text/html")
        assert page.locator("#error").inner_text().startswith("404")
        assert page.locator("header").inner_text().startswith("govbudget")
    _shot(page, "not_found")
    page.close()
    api = httpx.get(f"{dashboard}/api/nothing")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
