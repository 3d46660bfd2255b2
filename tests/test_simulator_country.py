"""The simulated country (issue #13): real divisions, every entry point answering, each trap as described.

All requests go through the country's simulator as an HTTP proxy, with the real-looking URLs of the
answer key, so what is checked here is what a discovery will see.
"""

from __future__ import annotations

import hashlib
import http.client
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
from w3lib.encoding import html_to_unicode

from govbudget.regions import all_divisions
from govbudget.regions.names import short_name
from govbudget.simulator.country import CountrySimulator, plan
from govbudget.simulator.country.answer_key import KEY_PATH, render
from govbudget.simulator.country.grading import grade, owner
from govbudget.simulator.country.hosts import candidates


@pytest.fixture(scope="module")
def sim() -> Iterator[CountrySimulator]:
    with CountrySimulator() as running:
        yield running


@pytest.fixture(scope="module")
def key() -> dict[str, Any]:
    return json.loads(render())


@pytest.fixture(scope="module")
def by_code(key: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["code"]: d for d in key["divisions"]}


def fetch(sim: CountrySimulator, url: str, via_proxy: bool = True) -> tuple[int, dict[str, str], bytes]:
    """GET `url` through the simulator (as a proxy, or by address with a Host header); no redirects."""
    ip, port = sim.address
    conn = http.client.HTTPConnection(ip, port, timeout=10)
    try:
        if via_proxy:
            conn.request("GET", url)
        else:
            parts = urlsplit(url)
            conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""),
                         headers={"Host": parts.netloc})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def parse(body: bytes, ctype: str) -> lxml.html.HtmlElement:
    _, text = html_to_unicode(ctype, body)
    return lxml.html.fromstring(text)


def page(sim: CountrySimulator, url: str) -> lxml.html.HtmlElement:
    status, headers, body = fetch(sim, url)
    assert status == 200, (url, status)
    return parse(body, headers.get("content-type", ""))


def meta(doc: lxml.html.HtmlElement, name: str) -> str:
    found = doc.xpath(f'//meta[@name="{name}"]/@content')
    return str(found[0]) if found else ""


def named_code(doc: lxml.html.HtmlElement) -> str:
    """The division a page proves it belongs to: SiteIDCode, or the platform's AdmDivCode."""
    return (meta(doc, "SiteIDCode") or meta(doc, "AdmDivCode"))[:6]


def proves(doc: lxml.html.HtmlElement, d: dict[str, Any]) -> bool:
    """The page names division `d` as the key says it does: by code, or (no code on it) by name."""
    if d["proof"] == "code":
        return named_code(doc) == d["code"]
    title = doc.findtext(".//title") or ""
    return named_code(doc) == "" and (d["name"] in title or d["name"] in meta(doc, "SiteName"))


def links(doc: lxml.html.HtmlElement, base: str) -> list[tuple[str, str]]:
    return [(a.text_content().strip(), urljoin(base, a.get("href"))) for a in doc.xpath("//a[@href]")]


def test_country_has_real_divisions_in_three_provinces(key: dict[str, Any]) -> None:
    table = all_divisions()
    divisions = key["divisions"]
    assert len(divisions) >= 60
    assert len({d["province"] for d in divisions}) >= 3
    for d in divisions:
        real = table[d["code"]]
        assert (d["name"], d["full_name"], d["level"]) == (real.name, real.full_name, real.level)
    codes = {d["code"] for d in divisions}
    assert all(table[c].parent in codes for c in codes if table[c].level != "province")
    assert {d["level"] for d in divisions} == {"province", "city", "county"}


def test_answer_key_file_is_what_the_country_builds() -> None:
    assert KEY_PATH.read_text(encoding="utf-8") == render()


def test_every_entry_point_answers_and_names_its_division(sim: CountrySimulator, key: dict[str, Any]) -> None:
    checked = 0
    for d in key["divisions"]:
        assert d["entry_points"] and d["methods"], d["code"]
        for ep in d["entry_points"]:
            doc = page(sim, ep["url"])
            if ep["kind"] == "directory":  # a province's finance department: its code, not a site's
                assert meta(doc, "SiteIDCode").startswith(d["code"])
            else:
                assert proves(doc, d), ep["url"]
            assert owner(ep["url"]) == d["code"]
            checked += 1
    assert checked >= 2 * len(key["divisions"]) - 12


def test_every_disclosure_is_served_with_its_sha256(sim: CountrySimulator, key: dict[str, Any]) -> None:
    files = [f for d in key["divisions"] for f in d["disclosures"]]
    assert all(d["disclosures"] for d in key["divisions"])
    assert len({f["sha256"] for f in files}) == len(files)
    for f in files:
        status, _, body = fetch(sim, f["url"])
        assert status == 200 and hashlib.sha256(body).hexdigest() == f["sha256"]
    assert set(sim.expected_disclosures()) == {f["sha256"] for f in files}


def test_directory_links_reach_their_division(sim: CountrySimulator, key: dict[str, Any]) -> None:
    """Every honest link of the key is on its page, under its text, and lands on the division it names."""
    namings = set()
    for d in key["divisions"]:
        for ln in d["linked_from"]:
            assert (ln["text"], ln["url"]) in links(page(sim, ln["source"]), ln["source"])
            assert proves(page(sim, ln["url"]), d)
            namings.add(ln["naming"])
    assert namings == {"full", "short", "former"}


def test_seed_reaches_exactly_the_linked_divisions(sim: CountrySimulator, key: dict[str, Any]) -> None:
    """Following every link from the seed reaches the divisions some page links, and no other."""
    seen: set[str] = set()
    reached: set[str | None] = set()
    todo = list(key["seeds"])
    while todo:
        url = todo.pop()
        if url in seen or not sim.resolves(urlsplit(url).hostname or ""):
            continue
        seen.add(url)
        status, headers, body = fetch(sim, url)
        if status in (301, 302):
            todo.append(urljoin(url, headers["location"]))
        if status != 200 or "html" not in headers.get("content-type", ""):
            continue
        reached.add(owner(url))
        todo.extend(href for _, href in links(parse(body, headers["content-type"]), url))
    linked = {d["code"] for d in key["divisions"] if d["linked_from"]}
    assert reached - {None} == linked
    assert len(seen) < 2000
    assert not linked & {d["code"] for d in key["divisions"] if d["methods"] in (["host"], ["platform"])}


def test_link_names_short_and_former(sim: CountrySimulator, by_code: dict[str, dict[str, Any]]) -> None:
    linzhang = by_code["130423"]["linked_from"][0]
    assert (linzhang["text"], linzhang["naming"]) == ("临漳", "short")
    feixiang = by_code["130407"]["linked_from"][0]
    assert feixiang["text"] == "肥乡县" and by_code["130407"]["name"] == "肥乡区"


def test_navigation_from_home_reaches_the_budget_column(sim: CountrySimulator, key: dict[str, Any]) -> None:
    """政府信息公开 → 法定主动公开内容/财政信息 → 财政预决算/部门预算, by link text from the home page."""
    seen_texts = set()
    for d in key["divisions"]:
        if not d["navigation"]:
            continue
        url = next(ep["url"] for ep in d["entry_points"] if ep["kind"] == "home")
        column = next(ep["url"] for ep in d["entry_points"] if ep["kind"] == "budget_column")
        for text in d["navigation"]:
            url = next(href for t, href in links(page(sim, url), url) if t == text)
            seen_texts.add(text)
        assert url.rstrip("/").removesuffix("/index.html") == column.rstrip("/").removesuffix("/index.html")
    assert {"政府信息公开", "法定主动公开内容", "财政信息", "财政预决算", "部门预算"} <= seen_texts


def test_local_site_lists_link_homes(sim: CountrySimulator, by_code: dict[str, dict[str, Any]]) -> None:
    navigated = [d for d in by_code.values() if "navigation" in d["methods"]]
    assert navigated
    for d in navigated:
        assert any(ln["url"] == f"http://{d['hosts'][0]}/" for ln in d["linked_from"])


def test_shared_platform_is_keyed_by_code_and_linked_once(sim: CountrySimulator, key: dict[str, Any]) -> None:
    on_platform = [d for d in key["divisions"] if "platform" in d["methods"]]
    assert len(on_platform) >= 10 and {d["province"] for d in on_platform} == {key["platform"]["province"]}
    pattern = key["platform"]["pattern"]
    for d in on_platform:
        assert d["entry_points"] == [{"url": pattern.format(code=d["code"]), "kind": "platform"}]
        doc = page(sim, d["entry_points"][0]["url"])
        assert d["full_name"] in doc.findtext(".//title")
    linked = [d for d in on_platform if d["linked_from"]]
    assert len(linked) == 1


def test_host_only_divisions_are_linked_from_nowhere(sim: CountrySimulator,
                                                     by_code: dict[str, dict[str, Any]]) -> None:
    """Only a host candidate reaches them: no page of another host mentions their host."""
    served = sim.country.hosts
    for code in plan.HOST_ONLY:
        d = by_code[code]
        assert d["methods"] == ["host"] and d["hosts"][0] in d["host_candidates"]
        needle = d["hosts"][0].encode()
        assert not [h for h, v in served.items() if h != d["hosts"][0]
                    for r in v.resources.values() if needle in r.body]
        doc = page(sim, f"http://{d['hosts'][0]}/")
        assert proves(doc, d) and d["name"] in meta(doc, "SiteName")
    assert {d["proof"] for d in by_code.values()} == {"code", "name"}


def test_some_hosts_are_no_candidate(by_code: dict[str, dict[str, Any]]) -> None:
    odd = [d for d in by_code.values()
           if d["hosts"] and "host" not in d["methods"] and d["family"] != plan.PLATFORM_FAMILY]
    assert odd and all(d["hosts"][0] not in d["host_candidates"] for d in odd)
    assert all(d["methods"] for d in odd)


def trap(key: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(t for t in key["traps"] if t["kind"] == kind)


def test_trap_wrong_name_links_the_neighbour(sim: CountrySimulator, key: dict[str, Any]) -> None:
    t = trap(key, "wrong_name")
    assert (all_divisions()[t["named"]].name, t["url"]) in links(page(sim, t["source"]), t["source"])
    assert all_divisions()[t["named"]].parent == all_divisions()[t["actual"]].parent
    assert named_code(page(sim, t["url"])) == t["actual"] != t["named"]


def test_trap_dead_link(sim: CountrySimulator, key: dict[str, Any]) -> None:
    t = trap(key, "dead_link")
    assert (t["text"], t["url"]) in links(page(sim, t["source"]), t["source"])
    assert fetch(sim, t["url"])[0] == 404


def test_trap_redirect_to_the_city(sim: CountrySimulator, key: dict[str, Any]) -> None:
    t = trap(key, "redirect_to_city")
    assert (t["text"], t["url"]) in links(page(sim, t["source"]), t["source"])
    status, headers, _ = fetch(sim, t["url"])
    assert status == 302
    assert named_code(page(sim, headers["location"])) == t["actual"] == all_divisions()[t["named"]].parent


def test_trap_same_short_name_in_two_provinces(sim: CountrySimulator, key: dict[str, Any]) -> None:
    t = trap(key, "same_short_name")
    named, actual = all_divisions()[t["named"]], all_divisions()[t["actual"]]
    assert short_name(named.name) == short_name(actual.name) and named.code[:2] != actual.code[:2]
    assert (t["text"], t["url"]) in links(page(sim, t["source"]), t["source"])
    assert named_code(page(sim, t["url"])) == actual.code


def test_trap_foreign_host_answers_for_another_division(sim: CountrySimulator, key: dict[str, Any],
                                                       by_code: dict[str, dict[str, Any]]) -> None:
    t = trap(key, "foreign_host")
    host = urlsplit(t["url"]).hostname
    assert host in candidates(all_divisions()[t["named"]])
    assert host not in by_code[t["named"]]["hosts"]
    doc = page(sim, t["url"])
    assert named_code(doc) == t["actual"]
    # the title alone would fit either: both are 新华区人民政府
    assert all_divisions()[t["named"]].name in doc.findtext(".//title")


def test_trap_platform_answers_unknown_codes(sim: CountrySimulator, key: dict[str, Any]) -> None:
    t = trap(key, "platform_unknown_code")
    assert t["named"] not in {d["code"] for d in key["divisions"]} and t["named"] in all_divisions()
    status, headers, body = fetch(sim, t["url"])
    assert status == 200
    doc = parse(body, headers["content-type"])
    assert named_code(doc) == "" and all_divisions()[t["named"]].name not in body.decode()
    assert owner(t["url"]) is None


def test_host_routing(sim: CountrySimulator, by_code: dict[str, dict[str, Any]]) -> None:
    a, b = by_code["130423"], by_code["130425"]
    for via_proxy in (True, False):
        docs = [page_by(sim, f"http://{d['hosts'][0]}/", via_proxy) for d in (a, b)]
        assert [named_code(doc) for doc in docs] == ["130423", "130425"]
    assert fetch(sim, "http://www.nosuchcounty.gov.cn/")[0] == 404
    assert not sim.resolves("www.nosuchcounty.gov.cn") and sim.resolves("www.linzhang.gov.cn")
    assert set(sim.host_addresses()) == set(sim.hosts) and set(sim.host_addresses().values()) == {"127.0.0.1"}
    assert sim.proxy_url == f"http://127.0.0.1:{sim.address[1]}"


def page_by(sim: CountrySimulator, url: str, via_proxy: bool) -> lxml.html.HtmlElement:
    status, headers, body = fetch(sim, url, via_proxy)
    assert status == 200
    return parse(body, headers.get("content-type", ""))


def test_grading_counts_traps_as_wrong(key: dict[str, Any]) -> None:
    """What a discovery's test will use: the key's own entry points all score, every trap scores wrong."""
    own = {d["code"]: [e["url"] for e in d["entry_points"]] for d in key["divisions"]}
    perfect = grade(own, key)
    assert perfect.coverage(len(key["divisions"])) == 1.0 and not perfect.wrong and not perfect.unverified
    for t in key["traps"]:
        scored = grade({t["named"]: [t["url"]]}, key)
        assert not scored.correct, t["kind"]
        if t["kind"] == "dead_link":  # its own host, but no page: not found, not wrong
            assert scored.unverified == [(t["named"], t["url"])] and not scored.wrong
        else:
            assert scored.wrong == [(t["named"], t["url"], t["actual"])], t["kind"]
