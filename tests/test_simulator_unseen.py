"""The unseen-family suite (devtools/simulator/unseen/): five JavaScript platforms no crawler adapter knows.

Each platform serves an empty shell, its API pages and its files; Chromium, following the app's own
paging and clicks, ends up with every file; and nothing under crawler/ names the suite or its platforms.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest

from govbudget.simulator import PortalSimulator
from govbudget.simulator.unseen import PLATFORMS, markers
from govbudget.simulator.unseen.content import PLAN
from tests.test_simulator_trs import fetch

PREFIXES = [p.site.prefix for p in PLATFORMS]
CRAWLER = Path(__file__).resolve().parents[1] / "crawler"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WAIT = 15_000  # ms a selector may take to appear: a bound on a hang, not a speed assertion


@pytest.fixture(scope="module")
def sim() -> Iterator[PortalSimulator]:
    with PortalSimulator(suite="unseen") as sim:
        yield sim


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def site_root(sim: PortalSimulator, prefix: str) -> str:
    return f"{sim.base_url}/{prefix}/"


def expected_urls(sim: PortalSimulator, prefix: str) -> dict[str, str]:
    """URL → sha256 of the platform's disclosure files."""
    return {u: h for u, h in sim.disclosure_urls().items() if u.startswith(site_root(sim, prefix))}


def decoys(sim: PortalSimulator, prefix: str) -> set[str]:
    return {u for u in sim.decoy_urls() if u.startswith(site_root(sim, prefix))}


def all_files(sim: PortalSimulator, prefix: str) -> set[str]:
    return set(expected_urls(sim, prefix)) | decoys(sim, prefix)


def get_json(url: str) -> Any:
    status, headers, body = fetch(url)
    assert status == 200 and headers["Content-Type"].startswith("application/json"), (url, status, body[:200])
    return json.loads(body)


def post(url: str, body: bytes, ctype: str = "application/json;charset=UTF-8") -> tuple[int, Any]:
    req = urllib.request.Request(url, data=body, headers={"Content-Type": ctype}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


# the suite as data

def test_five_platforms_each_of_its_own_family_and_needing_a_browser(sim: PortalSimulator) -> None:
    assert len(sim.sites) == 5
    assert len({s.family for s in sim.sites}) == 5
    assert all(s.needs_browser for s in sim.sites)
    assert sim.start_urls == [site_root(sim, p) for p in PREFIXES]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_platform_serves_departments_by_years_of_disclosures(sim: PortalSimulator, prefix: str) -> None:
    expected = sim.expected_disclosures()
    docs = [expected[h] for h in expected_urls(sim, prefix).values()]
    assert len(docs) == sum(len(p.fmts) for p in PLAN) >= 8
    assert len({d.department for d in docs}) == 4 and {d.fiscal_year for d in docs} == {2022, 2023, 2024}
    assert {d.doc_kind for d in docs} == {"budget", "final", "three_public", "performance"}  # type: ignore[attr-defined]
    assert {d.fmt for d in docs} == {"pdf", "xlsx", "docx", "xls"}
    assert len(decoys(sim, prefix)) == 5


def test_every_file_of_the_suite_has_bytes_of_its_own(sim: PortalSimulator) -> None:
    urls = sim.disclosure_urls()
    assert len(set(urls.values())) == len(urls) == len(sim.expected_disclosures()) == 55
    decoy_hashes = {sha(fetch(u)[2]) for u in sim.decoy_urls()}
    assert len(decoy_hashes) == 25 and not decoy_hashes & set(urls.values())


def test_the_known_simulator_does_not_mount_the_suite() -> None:
    with pytest.raises(ValueError, match="unknown simulator suite"):
        PortalSimulator(suite="other")
    from govbudget.simulator.portals import family_sites

    assert not {s.prefix for s in family_sites()} & set(PREFIXES)


# shells

@pytest.mark.parametrize("prefix", PREFIXES)
def test_shell_is_an_empty_mount_node_without_links(sim: PortalSimulator, prefix: str) -> None:
    status, headers, body = fetch(site_root(sim, prefix))
    html = body.decode("utf-8")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "<noscript>" in html and "JavaScript" in html
    assert re.search(r'<(div|main) id="[\w-]+"[^>]*></\1>', html)
    assert "<a " not in html and not re.search(r"\.(pdf|xlsx?|docx?)\b", html)
    assert "<script" in html


@pytest.mark.parametrize("prefix", PREFIXES)
def test_files_serve_their_bytes(sim: PortalSimulator, prefix: str) -> None:
    for url, digest in expected_urls(sim, prefix).items():
        status, headers, body = fetch(url)
        assert status == 200 and sha(body) == digest, url
        assert not headers["Content-Type"].startswith("text/html"), url
    for url in decoys(sim, prefix):
        assert fetch(url)[0] == 200, url


def test_servlet_files_are_named_only_in_content_disposition(sim: PortalSimulator) -> None:
    for prefix in ("qd", "sz"):
        for url in expected_urls(sim, prefix):
            disposition = fetch(url)[1]["Content-Disposition"]
            assert disposition.startswith("attachment; filename*=UTF-8''%E")
            assert "." not in url.rsplit("/", 1)[-1]


# each platform's API, walked as its app walks it

def test_rest_records_pages(sim: PortalSimulator) -> None:
    api = site_root(sim, "nb") + "prod-api/gkpt/openinfo/records"
    first = get_json(api + "?pageNum=1&pageSize=6&columnCode=YJSGK")
    assert first["code"] == 0 and first["data"]["pages"] == 3 and first["data"]["total"] == 16
    seen = set()
    for page in range(1, 4):
        records = get_json(f"{api}?pageNum={page}&pageSize=6&columnCode=YJSGK")["data"]["records"]
        assert records and set(records[0]) == {"id", "wjmc", "fjdz", "fbrq", "dwmc", "lmmc"}
        seen |= {urljoin(api, r["fjdz"]) for r in records}
    assert seen == all_files(sim, "nb")
    page_one = {urljoin(api, r["fjdz"]) for r in first["data"]["records"]}
    assert set(expected_urls(sim, "nb")) - page_one  # some disclosures only past page 1
    capped = get_json(api + "?pageNum=1&pageSize=500&columnCode=YJSGK")["data"]
    assert (capped["size"], len(capped["records"]), capped["pages"]) == (10, 10, 2)
    assert get_json(api + "?pageNum=1&pageSize=6&columnCode=XWZX")["data"]["total"] == 0
    assert get_json(api + "?pageNum=x&pageSize=6&columnCode=YJSGK")["code"] == 400


def test_post_rows_pages(sim: PortalSimulator) -> None:
    from govbudget.simulator.unseen.post_rows import CATALOGS

    root = site_root(sim, "qd")
    api = root + "api/info/pageList"
    paths: list[str] = []
    pages_per_catalog = {}
    for catalog in CATALOGS:
        page = 1
        while True:
            body = json.dumps({"pageIndex": page, "pageSize": 5, "catalogId": catalog}).encode()
            status, data = post(api, body)
            assert status == 200 and data["success"], data
            paths += [f["attachPath"] for row in data["result"]["rows"] for f in row["attachments"]]
            if page * 5 >= data["result"]["totalRows"]:
                break
            page += 1
        pages_per_catalog[catalog] = page
    assert {urljoin(root, p) for p in paths} == all_files(sim, "qd")
    assert pages_per_catalog["c0101"] == 2
    assert all(p.startswith("api/file/download?id=") for p in paths)  # relative to the shell
    assert fetch(api)[0] == 405
    assert post(api, b"pageIndex=1&catalogId=c0101", "application/x-www-form-urlencoded")[0] == 400
    assert post(api, b"{not json")[0] == 400
    status, empty = post(api, b'{"pageIndex": 1, "pageSize": 5, "catalogId": "c9999"}')
    assert status == 200 and empty["result"]["totalRows"] == 0
    assert fetch(root + "api/file/download?id=1")[0] == 404


def test_jsonp_list_pages(sim: PortalSimulator) -> None:
    root = site_root(sim, "xm")
    api = root + "was/interface/yjsInfoList.jsp?chnlid=4182"
    callback = "jQuery18305543_1714000000000"
    seen: set[str] = set()
    start, total = 0, None
    while total is None or start < total:
        status, headers, body = fetch(f"{api}&callback={callback}&start={start}&limit=6&_=1714000000001")
        text = body.decode("utf-8")
        assert status == 200 and "javascript" in headers["Content-Type"]
        assert text.startswith(callback + "(") and text.endswith(");")
        data = json.loads(text[len(callback) + 1:-2])
        total = data["totalCount"]
        seen |= {urljoin(root, f["APPFILE"]) for d in data["datas"] for f in d["APPENDIX"]}
        start += 6
    assert total == 15 and start == 18
    assert seen == all_files(sim, "xm")
    bare = get_json(f"{api}&start=0&limit=15")
    assert len(bare["datas"]) == 10 and bare["totalCount"] == 15  # capped at ten, no callback: plain JSON
    assert fetch(f"{api}&callback=alert(1)//&start=0")[0] == 400


def test_hash_tree_api(sim: PortalSimulator) -> None:
    rest = site_root(sim, "dl") + "rest/v3/"
    roots = get_json(rest + "catalog/roots")
    assert roots["status"] == "OK"
    assert [(n["nodeName"], n["expandable"]) for n in roots["payload"]] == [
        ("预决算公开", True), ("工作动态", False)]
    children = get_json(rest + "catalog/children?parent=r1")["payload"]
    assert [n["nodeName"] for n in children] == ["部门预算", "部门决算", "一图读懂"]
    assert get_json(rest + "catalog/children?parent=r2")["payload"] == []
    seen: set[str] = set()
    page_counts = {}
    for node in [*children, roots["payload"][1]]:
        first = get_json(f"{rest}docs?nid={node['nid']}&page=1&rows=5")["payload"]
        page_counts[node["nodeName"]] = first["pageCount"]
        for page in range(1, first["pageCount"] + 1):
            docs = get_json(f"{rest}docs?nid={node['nid']}&page={page}&rows=5")["payload"]["list"]
            seen |= {site_root(sim, "dl") + "oss/" + f["ccdz"] for d in docs for f in d["fjxx"]}
    assert seen == all_files(sim, "dl")
    assert page_counts["部门预算"] == 2
    assert get_json(rest + "docs?nid=n99&page=1&rows=5")["status"] == "ERROR"


def test_load_more_feed(sim: PortalSimulator) -> None:
    root = site_root(sim, "sz")
    boot = get_json(root + "bff/bootstrap")
    assert boot == {"feed": "/sz/bff/disclosure/feed", "asset": "/sz/bff/asset/", "limit": 4}
    seen: set[str] = set()
    offset, loads, more = 0, 0, True
    while more:
        data = get_json(f"{sim.base_url}{boot['feed']}?offset={offset}&limit={boot['limit']}")
        assert data["ok"] and data["items"]
        seen |= {sim.base_url + boot["asset"] + a["assetId"]
                 for item in data["items"] for a in item["assets"]}
        offset, loads, more = offset + len(data["items"]), loads + 1, data["hasMore"]
    assert (offset, loads) == (15, 4)
    assert seen == all_files(sim, "sz")
    assert len(get_json(f"{sim.base_url}{boot['feed']}?offset=0&limit=100")["items"]) == 8


# a real browser following each app

def _links(page: Any) -> set[str]:
    """Every link to a URL (pager anchors to ``javascript:;`` are no links)."""
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    return {h for h in hrefs if h.startswith("http")}


def _drive_rest_records(page: Any) -> set[str]:
    page.wait_for_selector('#root[data-page="1"] a', timeout=WAIT)
    found, current = _links(page), 1
    while page.locator("button.pg", has_text="下一页").is_enabled():
        page.locator("button.pg", has_text="下一页").click()
        current += 1
        page.wait_for_selector(f'#root[data-page="{current}"]', timeout=WAIT)
        found |= _links(page)
    assert current == 3
    return found


def _drive_post_rows(page: Any) -> set[str]:
    page.wait_for_selector('#app[data-state="c0101:1"] .gk-row a', timeout=WAIT)
    found: set[str] = set()
    for tab in page.locator(".gk-tabs li").all():
        catalog = tab.get_attribute("data-catalog")
        tab.click()
        page.wait_for_selector(f'#app[data-state="{catalog}:1"]', timeout=WAIT)
        found |= _links(page)
        here, total = (int(n) for n in page.text_content(".info").split(" / "))
        while here < total:
            page.click(".next")
            here += 1
            page.wait_for_selector(f'#app[data-state="{catalog}:{here}"]', timeout=WAIT)
            found |= _links(page)
    return found


def _drive_jsonp_list(page: Any) -> set[str]:
    page.wait_for_selector('#infoList[data-start="0"] a', timeout=WAIT)
    found = _links(page)
    while page.locator("#pageBar a", has_text="下一页").count():
        start = page.locator("#pageBar a", has_text="下一页").get_attribute("data-start")
        page.locator("#pageBar a", has_text="下一页").click()
        page.wait_for_selector(f'#infoList[data-start="{start}"]', timeout=WAIT)
        found |= _links(page)
    return found


def _drive_hash_tree(page: Any) -> set[str]:
    page.wait_for_selector(".roots .label", timeout=WAIT)
    assert page.locator(".doc-list a").count() == 0 and page.locator(".kids .label").count() == 0
    page.locator(".label", has_text="预决算公开").click()
    page.wait_for_selector('.kids .label:text-is("部门决算")', timeout=WAIT)
    assert page.locator(".doc-list a").count() == 0  # the tree alone lists nothing
    found: set[str] = set()
    for name in ("部门预算", "部门决算", "一图读懂", "工作动态"):
        node = page.locator(".node.leaf", has=page.locator(f'.label:text-is("{name}")'))
        nid = node.get_attribute("data-nid")
        node.locator(".label").click()
        page.wait_for_selector(f'#portal-root[data-route="{nid}/1"]', timeout=WAIT)
        assert page.evaluate("location.hash") == f"#/list/{nid}"
        found |= _links(page)
        for n in range(2, page.locator(".pages a").count() + 1):
            page.locator(".pages a", has_text=str(n)).click()
            page.wait_for_selector(f'#portal-root[data-route="{nid}/{n}"]', timeout=WAIT)
            found |= _links(page)
    return {u for u in found if "#/" not in u}


def _drive_load_more(page: Any) -> set[str]:
    page.wait_for_selector('#mount[data-offset="4"]', timeout=WAIT)
    assert page.locator("a[href]").count() == 0
    offset = 4
    while page.locator("#load-more").is_visible():
        page.click("#load-more")
        offset = min(offset + 4, 15)
        page.wait_for_selector(f'#mount[data-offset="{offset}"]', timeout=WAIT)
    assert page.get_attribute("#mount", "data-done") == "1"
    found: set[str] = set()
    for button in page.locator("button[data-asset]").all():
        with page.expect_download(timeout=WAIT) as download:
            button.click()
        found.add(download.value.url)
        saved = download.value.path()
        assert saved is not None and Path(saved).stat().st_size > 0
    return found


DRIVERS: dict[str, Callable[[Any], set[str]]] = {
    "nb": _drive_rest_records, "qd": _drive_post_rows, "xm": _drive_jsonp_list, "dl": _drive_hash_tree,
    "sz": _drive_load_more,
}


def _script_sources(sim: PortalSimulator, prefix: str) -> str:
    html = fetch(site_root(sim, prefix))[2].decode("utf-8")
    srcs = re.findall(r'<script[^>]*\ssrc="([^"]+)"', html)
    return html + "".join(fetch(urljoin(site_root(sim, prefix), s))[2].decode("utf-8") for s in srcs)


@pytest.mark.integration
@pytest.mark.parametrize("prefix", PREFIXES)
def test_chromium_following_the_app_reaches_every_file(sim: PortalSimulator, prefix: str) -> None:
    from playwright.sync_api import sync_playwright

    requested: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(accept_downloads=True)
            page.on("request", lambda r: requested.append(r.url))
            page.goto(site_root(sim, prefix))
            found = DRIVERS[prefix](page)
        finally:
            browser.close()
    expected = expected_urls(sim, prefix)
    assert set(expected) <= found, sorted(set(expected) - found)
    assert found - set(expected) == decoys(sim, prefix)  # the app lists its decoys too, nothing else
    platform = next(p for p in PLATFORMS if p.site.prefix == prefix)
    used = _script_sources(sim, prefix) + "\n".join(requested)
    assert [m for m in platform.markers if m not in used] == []  # the markers are names the app uses


# the crawler knows nothing of the suite

def test_crawler_never_names_the_unseen_suite() -> None:
    names = markers()
    assert "unseen" in names and len(names) == 1 + sum(len(p.markers) for p in PLATFORMS) >= 15
    assert len(set(names)) == len(names)
    offenders = []
    for path in sorted(CRAWLER.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [(str(path.relative_to(CRAWLER)), m) for m in names
                      if (m.lower() in text.lower() if m == "unseen" else m in text)]
    assert offenders == []


# eval-sim scores the suite apart, and only the known suite decides the exit code

def _score(suite: str, found: int, expected: int) -> Any:
    from govbudget.simulator.evaluate import score

    expected_set = {f"h{n}" for n in range(expected)}
    docs = [{"sha256": f"h{n}", "doc_kind": "budget", "url": f"u{n}"} for n in range(found)]
    return score(expected_set, docs, set(), 1000, 10, suite=suite)


def test_report_keeps_the_known_fields_on_top_and_the_unseen_suite_apart() -> None:
    from govbudget.simulator.evaluate import SimReport

    known, unseen = _score("known", 25, 25), _score("unseen", 0, 55)
    report = SimReport({"known": known, "unseen": unseen})
    data = report.as_dict()
    assert (data["expected"], data["recall"], data["suite"], data["gating"]) == (25, 1.0, "known", True)
    assert data["suites"] == ["known", "unseen"]
    apart = data["unseen"]
    assert (apart["expected"], apart["recall"], apart["gating"]) == (55, 0.0, False)
    assert apart["targets"]["min_recall"] == 0.95 and not apart["passed"]
    assert len(apart["missed"]) == 55
    assert report.failures == [] and data["passed"] and data["failures"] == []


def test_only_the_known_suite_or_an_explicit_floor_fails_the_evaluation() -> None:
    from govbudget.simulator.evaluate import SimReport

    unseen = _score("unseen", 11, 55)
    assert SimReport({"unseen": unseen}).failures == []
    assert SimReport({"unseen": unseen}, min_unseen_recall=0.2).failures == []
    assert SimReport({"unseen": unseen}, min_unseen_recall=0.5).failures == [
        "unseen: recall 0.2000 < 0.5 (44 missed)"]
    failing_known = SimReport({"known": _score("known", 24, 25), "unseen": unseen})
    assert failing_known.failures == ["recall 0.9600 < 1.0 (1 missed)"]
    assert not failing_known.as_dict()["passed"]


def test_eval_sim_refuses_an_unseen_floor_without_the_unseen_suite(tmp_path: Path) -> None:
    from tests.cli_process import run_cli

    result = run_cli("eval-sim", "--suite", "known", "--min-unseen-recall", "0.5",
                     "--data-dir", str(tmp_path))
    assert result.returncode == 2 and "needs the unseen suite" in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing was crawled


@pytest.mark.integration
def test_eval_sim_scores_the_unseen_suite_apart(tmp_path: Path) -> None:
    from tests.cli_process import run_cli

    result = run_cli("eval-sim", "--suite", "unseen", "--json", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr  # reported, never gating
    report = json.loads(result.stdout)
    assert report["suites"] == ["unseen"] and "expected" not in report and report["passed"]
    unseen = report["unseen"]
    assert (unseen["suite"], unseen["gating"], unseen["expected"]) == ("unseen", False, 55)
    assert len(unseen["missed"]) == unseen["expected"] - unseen["found"]
    assert unseen["recall"] == unseen["found"] / 55 and unseen["first_bytes"] > 0
    assert (tmp_path / "unseen" / "catalog.sqlite3").exists() and not (tmp_path / "catalog.sqlite3").exists()
