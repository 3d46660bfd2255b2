"""The dashboard in a real browser (Playwright on Debian's Chromium) over the simulator crawl.

The heat-map shows the simulator's regions and years; a click on a cell lists that cell's documents;
opening one shows its original (rendered pages) beside its parsed tables. Each page is saved as a
screenshot under artifacts/screenshots/ to check by eye that Chinese renders.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

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
    config = uvicorn.Config(create_app(data.svc), host="127.0.0.1", port=port, log_level="warning")
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
    regions = page.locator("#heatmap th.region").all_inner_texts()
    cells = simulator_cells(data)
    assert set(regions) == {r for r, _ in cells} and {"130400", "130000"} <= set(regions)
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
