"""The simulated JS-list site (/js/): links exist only after `fetch()` of its JSON API runs."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urljoin

import pytest

from tests.test_simulator_trs import ANCHOR, fetch, sha, walk

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def sim(simulator: Any) -> Any:
    return simulator


@pytest.fixture(scope="module")
def listing(sim: Any) -> dict[str, Any]:
    status, headers, body = fetch(sim.base_url + "/js/api/list.json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    return json.loads(body)


def js_disclosures(sim: Any) -> set[str]:
    return {h for u, h in sim.disclosure_urls().items() if "/js/" in u}


def files_behind(sim: Any, urls: list[str]) -> set[str]:
    """sha256 of the files the listed URLs lead to: directly, or through an article's `<a href>`."""
    found: set[str] = set()
    for url in urls:
        _, headers, body = fetch(url)
        if not headers["Content-Type"].startswith("text/html"):
            found.add(sha(body))
            continue
        for href, _ in ANCHOR.findall(body.decode("utf-8")):
            found.add(sha(fetch(urljoin(url, href))[2]))
    return found


def test_site_needs_a_browser(sim: Any) -> None:
    site = next(s for s in sim.sites if s.start_url.endswith("/js/"))
    assert site.needs_browser and site.family == "js_list"


def test_shell_has_no_links_without_javascript(sim: Any) -> None:
    status, _, body = fetch(sim.base_url + "/js/")
    html = body.decode("utf-8")
    assert status == 200 and '<ul id="list"></ul>' in html
    assert "<a " not in html
    assert "/js/api/list.json" in html and "fetch(" in html
    assert set(walk(sim.base_url + "/js/")) == {sim.base_url + "/js/"}


def test_api_lists_articles_and_direct_files(listing: dict[str, Any]) -> None:
    kinds = {item["type"] for item in listing["items"]}
    assert listing["total"] == len(listing["items"])
    assert "article" in kinds and kinds & {"pdf", "xlsx"}
    assert all(item["url"].startswith("/js/") for item in listing["items"])


def test_every_js_disclosure_is_reachable_from_the_api(sim: Any, listing: dict[str, Any]) -> None:
    urls = [sim.base_url + item["url"] for item in listing["items"]]
    found = files_behind(sim, urls)
    assert js_disclosures(sim) <= found
    assert found - js_disclosures(sim) == set()


def test_js_site_uses_other_departments_than_hd(sim: Any) -> None:
    expected = sim.expected_disclosures()
    by_site = {site: {(expected[h].department, expected[h].fiscal_year)
                      for u, h in sim.disclosure_urls().items() if f"/{site}/" in u} for site in ("hd", "js")}
    assert by_site["js"] - by_site["hd"], "the JS site must hold groups the static site does not"
    assert js_disclosures(sim) & {h for u, h in sim.disclosure_urls().items() if "/hd/" in u}, (
        "one file is published on both sites (one sha256)")


def test_both_sites_together_cover_every_expected_disclosure(sim: Any, listing: dict[str, Any]) -> None:
    hd = walk(sim.base_url + "/hd/")
    reached = {sha(body) for ctype, body in hd.values() if not ctype.startswith("text/")}
    reached |= files_behind(sim, [sim.base_url + item["url"] for item in listing["items"]])
    # the other families' sites are covered by tests/test_discovery_families.py
    two_sites = {h for u, h in sim.disclosure_urls().items() if "/hd/" in u or "/js/" in u}
    assert reached & two_sites == two_sites


def test_api_decoy_is_not_a_disclosure(sim: Any) -> None:
    decoys = [u for u in sim.decoy_urls() if "/js/" in u]
    assert decoys
    for url in decoys:
        _, _, body = fetch(url)
        assert "预算执行情况" in body.decode("utf-8") and not re.search(r"\.(pdf|xlsx)\"", body.decode())


@pytest.mark.integration
def test_chromium_renders_the_list(sim: Any, listing: dict[str, Any]) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(sim.base_url + "/js/")
            page.wait_for_selector("#list a", timeout=15_000)
            hrefs = page.eval_on_selector_all("#list a", "els => els.map(e => e.href)")
            total = page.text_content("#total")
        finally:
            browser.close()
    assert sorted(hrefs) == sorted(sim.base_url + item["url"] for item in listing["items"])
    assert total == str(listing["total"])
    assert js_disclosures(sim) <= files_behind(sim, hrefs)
