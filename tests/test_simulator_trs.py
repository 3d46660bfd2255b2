"""The simulated TRS WCM city site (/hd/): GBK pages, JS-only pagination, relative attachments, decoys."""

from __future__ import annotations

import hashlib
import re
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urljoin

import pytest

COLUMN = "/hd/xxgk/fdzdgknr/czyjs/"
ANCHOR = re.compile(r'<a href="([^"]+)"[^>]*>([^<]*)</a>')
PAGER = re.compile(r'createPageHTML\((\d+),\s*(\d+),\s*"(\w+)",\s*"(\w+)"\)')
META_CHARSET = re.compile(rb'charset=([\w-]+)')


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET without raising on 3xx-5xx, so tests can assert on status codes."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def decode(headers: dict[str, str], body: bytes) -> str:
    """Header charset if any, else the <meta> one: what a crawler must do with these servers."""
    found = META_CHARSET.search(headers.get("Content-Type", "").encode()) or META_CHARSET.search(body[:1024])
    return body.decode(found.group(1).decode() if found else "utf-8")


def anchors(url: str, html: str) -> list[tuple[str, str]]:
    """(absolute URL, link text) of every `<a href>` plus the pages `createPageHTML` would write."""
    out = [(urljoin(url, href), text.strip()) for href, text in ANCHOR.findall(html)]
    for count, _, name, ext in PAGER.findall(html):
        out += [(urljoin(url, f"{name}_{i}.{ext}" if i else f"{name}.{ext}"), str(i + 1))
                for i in range(int(count))]
    return out


def walk(start: str, limit: int = 400) -> dict[str, tuple[str, bytes]]:
    """Breadth-first fetch of every same-site URL reachable from `start`: URL → (content type, body)."""
    seen: dict[str, tuple[str, bytes]] = {}
    queue = [start]
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen or not url.startswith(start):
            continue
        status, headers, body = fetch(url)
        assert status == 200, f"{url} answered {status}"
        ctype = headers.get("Content-Type", "")
        seen[url] = (ctype, body)
        if ctype.startswith("text/html"):
            queue += [link for link, _ in anchors(url, decode(headers, body))]
    return seen


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def sim(simulator: Any) -> Any:
    return simulator


@pytest.fixture(scope="module")
def hd_files(sim: Any) -> dict[str, tuple[str, bytes]]:
    """Every file (non-HTML resource) reachable from the /hd/ home page."""
    pages = walk(sim.base_url + "/hd/")
    return {u: v for u, v in pages.items() if not v[0].startswith(("text/", "application/javascript"))}


def test_home_reaches_budget_column_through_navigation(sim: Any) -> None:
    url = sim.base_url + "/hd/"
    for text in ("信息公开", "法定主动公开内容", "财政预决算"):
        status, headers, body = fetch(url)
        assert status == 200
        url = next(link for link, label in anchors(url, decode(headers, body)) if label == text)
    assert url == sim.base_url + COLUMN


def test_pages_are_gbk_encoded_and_declare_gb2312(sim: Any) -> None:
    _, headers, body = fetch(sim.base_url + COLUMN + "index.html")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    html = body.decode("gbk")
    assert "财政预决算" in html
    assert 'content="text/html; charset=gb2312"' in html
    assert headers["Content-Type"] == "text/html"  # no charset: the <meta> decides


def test_navigation_pages_declare_charset_in_header(sim: Any) -> None:
    _, headers, _ = fetch(sim.base_url + "/hd/")
    assert headers["Content-Type"] == "text/html; charset=GBK"


def test_list_pages_exist_only_in_create_page_html(sim: Any) -> None:
    html = fetch(sim.base_url + COLUMN + "index.html")[2].decode("gbk")
    assert 'createPageHTML(3, 0, "index", "html")' in html
    assert "index_1.html" not in html and "index_2.html" not in html
    for n in (1, 2):
        status, _, body = fetch(f"{sim.base_url}{COLUMN}index_{n}.html")
        assert status == 200
        assert f'createPageHTML(3, {n}, "index", "html")' in body.decode("gbk")
    assert fetch(sim.base_url + COLUMN + "index_3.html")[0] == 404


def test_site_js_defines_create_page_html(sim: Any) -> None:
    html = fetch(sim.base_url + COLUMN + "index.html")[2].decode("gbk")
    src = re.search(r'<script type="text/javascript" src="([^"]+)"', html)
    assert src
    status, headers, js = fetch(urljoin(sim.base_url + COLUMN, src.group(1)))
    assert status == 200 and headers["Content-Type"] == "application/javascript"
    assert b"function createPageHTML(" in js


def test_articles_carry_cms_meta_and_trs_editor_body(sim: Any) -> None:
    html = fetch(sim.base_url + COLUMN + "index.html")[2].decode("gbk")
    links = anchors(sim.base_url + COLUMN, html)
    article = next(u for u, _ in links if re.search(r"/\d{6}/t\d{8}_\d+\.html$", u))
    page = fetch(article)[2].decode("gbk")
    for name in ("SiteName", "SiteIDCode", "ColumnName", "ArticleTitle", "PubDate"):
        assert f'<meta name="{name}" content="' in page
    assert re.search(r'<meta name="SiteIDCode" content="130400', page)
    assert '<div class="TRS_Editor">' in page


def test_every_hd_disclosure_is_linked_from_its_article_page(sim: Any) -> None:
    expected = {h for u, h in sim.disclosure_urls().items() if "/hd/" in u}
    assert expected
    found: set[str] = set()
    list_pages = [sim.base_url + COLUMN + n for n in ("index.html", "index_1.html", "index_2.html")]
    for list_url in list_pages:
        html = fetch(list_url)[2].decode("gbk")
        for article, _ in anchors(list_url, html):
            if not re.search(r"/t\d{8}_\d+\.html$", article):
                continue
            page = fetch(article)[2].decode("gbk")
            body = page[page.index('<div class="TRS_Editor">'):]
            for href, text in ANCHOR.findall(body):
                assert href.startswith("./W0") and text.endswith((".pdf", ".xlsx"))
                found.add(sha(fetch(urljoin(article, href))[2]))
    assert expected <= found
    assert found - expected, "the tender PDF decoy should be linked too"


def test_reachable_disclosures_match_the_expected_hd_subset(sim: Any, hd_files: dict[str, Any]) -> None:
    expected = sim.expected_disclosures()
    reached = {sha(body) for _, body in hd_files.values()}
    hd_expected = {h for u, h in sim.disclosure_urls().items() if "/hd/" in u}
    assert reached & set(expected) == hd_expected


def test_files_are_served_with_type_length_and_validators(sim: Any) -> None:
    for url, digest in sim.disclosure_urls().items():
        if "/hd/" not in url:
            continue  # other families (gates, servlets) have tests of their own
        status, headers, body = fetch(url)
        assert status == 200 and sha(body) == digest
        assert headers["Content-Length"] == str(len(body))
        assert headers["Content-Type"] in {
            "application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        assert headers["ETag"] and headers["Last-Modified"].endswith("GMT")


def test_decoys_are_not_expected_disclosures(sim: Any) -> None:
    expected = sim.expected_disclosures()
    decoys = sim.decoy_urls()
    local = [u for u in decoys if u.startswith(sim.base_url + "/hd/")]
    assert any(u.startswith("http://example.invalid/") for u in decoys)
    assert any(u.endswith(".pdf") for u in local), "a non-budget PDF (招标公告) is among the decoys"
    for url in local:
        status, _, body = fetch(url)
        assert status == 200
        assert sha(body) not in expected
    titles = " ".join(decode(*fetch(u)[1:]) for u in local if u.endswith(".html"))
    for kind in ("政策解读", "招标公告", "任免", "预算执行情况"):
        assert kind in titles


def test_tender_decoy_is_a_real_pdf(sim: Any) -> None:
    pdf = next(u for u in sim.decoy_urls() if u.endswith(".pdf"))
    _, headers, body = fetch(pdf)
    assert body.startswith(b"%PDF") and headers["Content-Type"] == "application/pdf"


def test_external_link_sits_in_the_budget_list(sim: Any) -> None:
    html = fetch(sim.base_url + COLUMN + "index.html")[2].decode("gbk")
    html += "".join(fetch(f"{sim.base_url}{COLUMN}index_{n}.html")[2].decode("gbk") for n in (1, 2))
    assert 'href="http://example.invalid/' in html


@pytest.mark.integration
def test_chromium_runs_create_page_html_into_page_links(sim: Any) -> None:
    """The site JS really writes the pager: a browser sees links a raw-HTML crawler does not."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from tests.test_simulator_js import CHROMIUM_ARGS

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(sim.base_url + COLUMN + "index.html")
            hrefs = page.eval_on_selector_all(".page a", "els => els.map(e => e.href)")
            text = page.text_content(".page") or ""
        finally:
            browser.close()
    assert {sim.base_url + COLUMN + f"index_{n}.html" for n in (1, 2)} <= set(hrefs)
    assert "共3页" in text
