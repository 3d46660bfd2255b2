"""The explorer on what the first explorer tests do not show: a list API answering an HTML fragment
(paged over plain HTTP by the page number its request carries), a cookie the page's script set
(carried to those plain requests), a page whose only followed links are the site's chrome (首页),
bounds kept per site on a host that serves several, and the script shell of a unified budget
platform (a JSON chain no adapter reads) left to the explorer.

A lazily loaded tree is walked to its leaves: each request a click made with a node's id is asked
again, over plain HTTP, for every node the answers of its level list, level after level.

A query form that lists nothing until its button is pressed (查询) is pressed once; a list shown
for the option chosen in a ``<select>`` is asked for each other option.

The crawl is of one small site of our own (``data/families/explorer/frag/``): ``/frag/list/`` shows
an empty ``<tbody>``, sets ``list_session`` by ``document.cookie`` and fetches
``api/rows.htm?pageNo=1&size=2``, which answers ``<tr>`` rows (403 without the cookie).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

from govbudget.crawler.families import FAMILIES, Link, explorer
from govbudget.crawler.families.explorer_fragment import fragment_links, is_fragment
from govbudget.crawler.families.explorer_json import ApiCall, Paging, choices, paging_in_request, read_json
from govbudget.crawler.families.explorer_render import CAPTURE_META, Capture
from govbudget.crawler.render_policy import shell_signs
from tests.family_fixtures import FAMILY_DATA, answer, context, on_page

DATA = FAMILY_DATA / "explorer"
HOST = "http://www.example.gov.cn"
TOKEN = "ahov"  # what the fixture page's script computes
ROWS = [  # (text, href as the fragment gives it, a disclosure)
    ("某县财政局2024年部门预算", "/frag/files/czj-2024.pdf", True),
    ("某县教育局2024年部门预算", "/frag/files/jyj-2024.pdf", True),
    ("某县2024年部门预算公开工作政策解读", "/frag/content/zcjd.html", False),
    ("某县卫生健康局2023年部门决算", "/frag/files/wjj-2023.pdf", True),
    ("某县财政局2023年三公经费", "files/czj-2023-sg.pdf", True),  # relative: to the page, as in the browser
]


QUERIED = [  # what the query form lists, once its button is pressed
    ("某县水利局2024年部门预算", "/frag/q/slj-2024.pdf"),
    ("某县林业局2024年部门预算", "/frag/q/lyj-2024.pdf"),
    ("某县商务局2024年部门决算", "/frag/q/swj-2024.pdf")]


BY_YEAR = {"2024": ("某县统计局2024年部门预算", "/frag/s/tjj-2024.pdf"),  # one year at a time, by a <select>
           "2023": ("某县统计局2023年部门预算", "/frag/s/tjj-2023.pdf"),
           "2014": ("某县统计局2014年部门预算", "/frag/s/tjj-2014.pdf")}  # too old: never asked for


def file_bytes(path: str) -> bytes:
    return f"%PDF-1.4\n% fragment fixture {path}\n%%EOF\n".encode()


def expected() -> set[str]:
    paths = [href if href.startswith("/") else "/frag/list/" + href for _, href, ok in ROWS if ok]
    paths += [href for _, href in QUERIED] + [BY_YEAR[y][1] for y in ("2024", "2023")]
    return {hashlib.sha256(file_bytes(p)).hexdigest() for p in paths}


def rows_page(page: int, size: int) -> bytes:
    chunk = ROWS[(page - 1) * size:page * size] if page >= 1 else []
    return "".join(f'<tr><td><a href="{href}">{text}</a></td><td>2024-02-01</td></tr>'
                   for text, href, _ in chunk).encode()


class FragmentSite:
    """The fixture site on 127.0.0.1; ``log`` holds (path, from the browser, cookie, status)."""

    def __init__(self) -> None:
        self.log: list[tuple[str, bool, str, int]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.answer(self)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        cookie = handler.headers.get("Cookie") or ""
        html = "text/html; charset=utf-8"
        status, ctype, body = 404, html, b"<html><body>404</body></html>"
        if parts.path == "/frag/list/":
            status, body = 200, (DATA / "frag" / "index.html").read_bytes()
        elif parts.path == "/frag/list/api/rows.htm":
            if f"list_session={TOKEN}" not in cookie:
                status, body = 403, "<p>非法访问</p>".encode()
            else:
                status, body = 200, rows_page(int(query.get("pageNo", 1)), int(query.get("size", 2)))
        elif parts.path == "/frag/query/":
            status, body = 200, (DATA / "query" / "index.html").read_bytes()
        elif parts.path == "/frag/query/api/search":
            page, size = int(query.get("pageIndex", 1)), int(query.get("pageSize", 2))
            rows = [{"Title": t, "Attach": a} for t, a in QUERIED[(page - 1) * size:page * size]]
            ctype, body = "application/json", json.dumps({"Total": len(QUERIED), "Rows": rows}).encode()
            status = 200
        elif parts.path == "/frag/select/":
            status, body = 200, (DATA / "select" / "index.html").read_bytes()
        elif parts.path == "/frag/select/api/list":
            title, path = BY_YEAR.get(query.get("nd", ""), ("", ""))
            items = [{"wjmc": title, "xzdz": path}] if path else []
            status, ctype, body = 200, "application/json", json.dumps({"items": items}).encode()
        elif parts.path.startswith(("/frag/files/", "/frag/list/files/", "/frag/q/", "/frag/s/")):
            status, ctype, body = 200, "application/pdf", file_bytes(parts.path)
        self.log.append((handler.path, "sec-fetch-mode" in {k.lower() for k in handler.headers}, cookie,
                         status))
        handler.send_response(status)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from govbudget.simulator.evaluate import archived_disclosures
    from govbudget.tasks.crawl import crawl_config, run_crawl
    from govbudget.tasks.runtime import configure
    from govbudget.tasks.settings import Settings

    site = FragmentSite()
    try:
        svc = configure(Settings.from_env(data_dir=tmp_path_factory.mktemp("fragments"), allow_loopback=True))
        starts = [f"{site.base}/frag/list/", f"{site.base}/frag/query/", f"{site.base}/frag/select/"]
        summary = run_crawl(svc, crawl_config(svc.settings, starts))
        yield {"captures": list(svc.catalog.captures()), "log": list(site.log), "base": site.base,
               "archived": archived_disclosures(list(svc.catalog.documents())),
               "crawl_log": Path(summary.log_file).read_text(encoding="utf-8")}
    finally:
        site.close()


# -- a real crawl ----------------------------------------------------------------------------------
def test_the_crawl_archives_exactly_the_disclosures_of_every_fragment_page(crawled: dict[str, Any]) -> None:
    assert set(crawled["archived"]) == expected()


def test_the_browser_asked_only_for_the_shell_and_its_first_fragment(crawled: dict[str, Any]) -> None:
    rendered = [c.url.removeprefix(crawled["base"]) for c in crawled["captures"]
                if c.via == "browser" and "/api/" not in c.url]
    assert sorted(rendered) == ["/frag/list/", "/frag/query/", "/frag/select/"]
    assert {p for p, browser, _, _ in crawled["log"] if browser} == {
        "/frag/list/", "/frag/list/api/rows.htm?pageNo=1&size=2",
        "/frag/query/", "/frag/query/api/search?year=&kw=&pageIndex=1&pageSize=2",  # after 查询 was pressed
        "/frag/select/", "/frag/select/api/list?nd=2024&page=1"}


def test_a_query_forms_list_is_shown_by_pressing_its_button_and_paged_over_plain_http(
        crawled: dict[str, Any]) -> None:
    plain = [p for p, browser, _, _ in crawled["log"] if not browser and "/query/api/" in p]
    assert plain == ["/frag/query/api/search?year=&kw=&pageIndex=2&pageSize=2"]
    rendered = f"rendered {crawled['base']}/frag/query/: 1 API answers, 1 clicks ['查询']"
    assert rendered in crawled["crawl_log"]


def test_the_later_fragments_were_asked_over_plain_http_with_the_scripts_cookie(
        crawled: dict[str, Any]) -> None:
    plain = [(p, cookie, status) for p, browser, cookie, status in crawled["log"]
             if not browser and "rows.htm" in p]
    assert [p for p, _, _ in plain] == [f"/frag/list/api/rows.htm?pageNo={n}&size=2" for n in (2, 3, 4)]
    assert all(f"list_session={TOKEN}" in cookie and status == 200 for _, cookie, status in plain)
    walked = [c for c in crawled["captures"] if "rows.htm" in c.url and c.via == "http"]
    assert sorted(c.url.removeprefix(crawled["base"]) for c in walked) == [p for p, _, _ in plain]
    assert {c.referrer for c in walked} == {f"{crawled['base']}/frag/list/"}


def test_the_fragment_the_browser_fetched_is_archived_as_read_referred_by_the_shell(
        crawled: dict[str, Any]) -> None:
    base = crawled["base"]
    [seen] = [c for c in crawled["captures"] if "rows.htm" in c.url and c.via == "browser"]
    assert (seen.url, seen.referrer, seen.kind) == (f"{base}/frag/list/api/rows.htm?pageNo=1&size=2",
                                                    f"{base}/frag/list/", "page")


def test_the_crawl_logs_the_fragment_walk_and_the_cookies(crawled: dict[str, Any]) -> None:
    log = crawled["crawl_log"]
    counters = dict(re.findall(r"'govbudget/(explorer_\w+)': (\d+)", log))
    assert (counters["explorer_renders"], counters["explorer_pages_walked"]) == ("3", "5")
    assert "answers an HTML fragment, pages by pageNo=1 (query)" in log
    assert "the browser's cookies (list_session) sent on 1 plain-HTTP requests" in log
    assert "ends: a page without links" in log


# -- fragments -------------------------------------------------------------------------------------
def test_a_fragment_is_html_with_links_and_its_links_resolve_against_the_page() -> None:
    body = rows_page(2, 2).decode() + rows_page(3, 2).decode()
    assert is_fragment(body, "text/html;charset=UTF-8") and is_fragment(body, "")
    assert not is_fragment("<p>暂无数据</p>", "text/html") and not is_fragment(body, "application/javascript")
    assert fragment_links(body, f"{HOST}/frag/list/") == [
        ("某县2024年部门预算公开工作政策解读", f"{HOST}/frag/content/zcjd.html"),
        ("某县卫生健康局2023年部门决算", f"{HOST}/frag/files/wjj-2023.pdf"),
        ("某县财政局2023年三公经费", f"{HOST}/frag/list/files/czj-2023-sg.pdf")]


@pytest.mark.parametrize(("call", "paging"), [
    (ApiCall(f"{HOST}/l?page=1"), Paging("query", "page", "page", 1, 0, None, 1)),
    (ApiCall(f"{HOST}/l?pageNo=0&pageSize=20"),
     Paging("query", "pageNo", "page", 0, 20, None, 0, "pageSize")),
    (ApiCall(f"{HOST}/l", "POST", "pageIndex=1&rows=2", "application/x-www-form-urlencoded"),
     Paging("form", "pageIndex", "page", 1, 2, None, 1, "rows")),
    (ApiCall(f"{HOST}/l", "POST", '{"query":{"current":1,"size":10}}', "application/json"),
     Paging("json", "query.current", "page", 1, 10, None, 1, "query.size")),
    (ApiCall(f"{HOST}/l?start=0&limit=15"), Paging("query", "start", "offset", 0, 15, None, 1, "limit")),
    (ApiCall(f"{HOST}/l?offset=30&size=10"), Paging("query", "offset", "offset", 30, 10, None, 1, "size")),
])
def test_the_paging_a_request_carries_is_read_from_it(call: ApiCall, paging: Paging) -> None:
    assert paging_in_request(call) == paging


def test_no_paging_in_a_request_without_a_page_or_an_offset_and_size() -> None:
    assert paging_in_request(ApiCall(f"{HOST}/l?colId=12")) is None
    assert paging_in_request(ApiCall(f"{HOST}/l?start=10")) is None  # an offset needs its page size


def _rendered(capture: Capture, url: str = f"{HOST}/frag/list/") -> HtmlResponse:
    body = (DATA / "frag" / "index.html").read_bytes()
    return HtmlResponse(url, body=body, encoding="utf-8",
                        request=Request(url, meta={"playwright": True, CAPTURE_META: capture}))


def _fragment_capture(url: str, *, method: str = "GET", post: str = "") -> Capture:
    capture = Capture()
    capture.responses.append({
        "url": url, "method": method, "post_data": post,
        "request_content_type": "application/x-www-form-urlencoded" if post else "",
        "headers": {"x-requested-with": "XMLHttpRequest"}, "status": 200, "content_type": "text/html",
        "body": rows_page(1, 2).decode(), "label": "", "format": "html"})
    capture.cookies.extend([("list_session", TOKEN, "www.example.gov.cn"), ("other", "1", "elsewhere.cn")])
    return capture


def test_a_fragment_answer_gives_its_links_and_its_next_page_with_the_browsers_cookie() -> None:
    capture = _fragment_capture(f"{HOST}/frag/list/api/rows.htm?pageNo=1&size=2")
    out = list(explorer.FAMILY.requests(_rendered(capture), context()))
    assert [o for o in out if isinstance(o, Link)] == [
        Link("某县财政局2024年部门预算", f"{HOST}/frag/files/czj-2024.pdf", "某县人民政府 预决算公开"),
        Link("某县教育局2024年部门预算", f"{HOST}/frag/files/jyj-2024.pdf", "某县人民政府 预决算公开")]
    [walk] = [o for o in out if isinstance(o, Request)]
    assert (walk.url, walk.method, walk.callback) == (f"{HOST}/frag/list/api/rows.htm?pageNo=2&size=2", "GET",
                                                      on_page)
    assert walk.cookies == {"list_session": TOKEN}  # the host's cookie only
    assert walk.headers["x-requested-with"] == b"XMLHttpRequest" and "playwright" not in walk.meta
    assert walk.meta["family"] == "explorer" and walk.meta["family_state"]["fragment"] is True


def test_a_posted_fragment_list_is_walked_with_the_same_form() -> None:
    capture = _fragment_capture(f"{HOST}/frag/list.do", method="POST", post="pageIndex=1&rows=2&colId=czyjs")
    [walk] = [o for o in explorer.FAMILY.requests(_rendered(capture), context()) if isinstance(o, Request)]
    assert (walk.method, walk.body, walk.callback) == ("POST", b"pageIndex=2&rows=2&colId=czyjs", on_page)
    assert walk.headers["Content-Type"] == b"application/x-www-form-urlencoded"


def test_a_fragment_walk_goes_on_while_pages_add_links_and_stops_on_an_empty_or_repeated_page() -> None:
    ctx = context()
    capture = _fragment_capture(f"{HOST}/frag/list/api/rows.htm?pageNo=1&size=2")
    [walk] = [o for o in explorer.FAMILY.requests(_rendered(capture), ctx) if isinstance(o, Request)]
    page2 = answer(walk, rows_page(2, 2), "text/html")
    assert explorer.FAMILY.matches(page2)  # a fragment the explorer asked for comes back to it
    out = list(explorer.FAMILY.requests(page2, ctx.for_response()))
    [nxt] = [o for o in out if isinstance(o, Request)]
    assert nxt.url == f"{HOST}/frag/list/api/rows.htm?pageNo=3&size=2"
    assert [o.url for o in out if isinstance(o, Link)] == [f"{HOST}/frag/content/zcjd.html",
                                                           f"{HOST}/frag/files/wjj-2023.pdf"]
    assert list(explorer.FAMILY.requests(answer(nxt, b"", "text/html"), ctx.for_response())) == []
    repeated = answer(nxt, rows_page(2, 2), "text/html")  # the parameter is ignored: the same rows
    again = list(explorer.FAMILY.requests(repeated, ctx.for_response()))
    assert [o for o in again if isinstance(o, Request)] == []


# -- which pages are rendered ----------------------------------------------------------------------
def _page(body: bytes, url: str) -> HtmlResponse:
    return HtmlResponse(url, body=body, encoding="utf-8", request=Request(url))


def test_a_shell_whose_followed_links_are_only_the_sites_chrome_is_rendered() -> None:
    page = _page((DATA / "frag" / "index.html").read_bytes(), f"{HOST}/frag/list/")
    ctx = context()
    ctx.followed = 1  # 首页 (/frag/) is followed by the link policy; 网站首页 is not
    [render] = explorer.FAMILY.requests(page, ctx)
    assert render.meta["playwright"] is True and isinstance(render.meta[CAPTURE_META], Capture)


def test_a_shell_with_a_followed_link_to_content_is_not_rendered() -> None:
    body = (DATA / "frag" / "index.html").read_bytes().replace(
        b'<div class="pager">', '<a href="/frag/list/index_1.html">下一页</a><div class="pager">'.encode())
    ctx = context()
    ctx.followed = 2  # 首页, and the next page of the list: content of its own
    assert list(explorer.FAMILY.requests(_page(body, f"{HOST}/frag/list/"), ctx)) == []


def test_bounds_are_kept_per_site_when_one_host_serves_several() -> None:
    family, ctx = explorer.Explorer(explorer.Bounds(renders_per_site=1)), context()
    body = (DATA / "frag" / "index.html").read_bytes()
    assert len(list(family.requests(_page(body, f"{HOST}/czj/list/"), ctx))) == 1
    assert len(list(family.requests(_page(body, f"{HOST}/jyj/list/"), ctx.for_response()))) == 1
    assert list(family.requests(_page(body, f"{HOST}/czj/other/"), ctx.for_response())) == []
    assert ctx.tallies[("explorer-renders", f"{HOST}/czj/")] == 1
    assert ctx.tallies[("explorer-renders", f"{HOST}/jyj/")] == 1


# -- a unified budget platform's shell: the explorer's, no adapter's ----------------------------------
def test_a_budget_platforms_script_shell_is_left_to_the_explorer() -> None:
    url = "http://yjsgk.jsczt.cn/spa/index.html"
    shell = HtmlResponse(url, body=(DATA / "spa" / "index.html").read_bytes(), request=Request(url))
    assert shell_signs(shell) == ["empty mount node <div#app>", "a body of scripts", "no content links"]
    assert [f.name for f in FAMILIES if f.matches(shell)] == ["explorer"]
    [render] = explorer.FAMILY.requests(shell, context())
    assert (render.url, render.callback, render.meta["playwright"]) == (url, on_page, True)
    assert isinstance(render.meta[CAPTURE_META], Capture)


# -- a lazily loaded tree, walked to its leaves over plain HTTP ----------------------------------------
TREE = f"{HOST}/t/api/node/children"
DOCS = f"{HOST}/t/api/doc/page"


def _node_answer(pid: str, rows: list[tuple[str, str]]) -> dict[str, Any]:
    compact = json.dumps({"pid": pid}, separators=(",", ":"))  # as JSON.stringify sends it
    return {"url": TREE, "method": "POST", "post_data": compact,
            "request_content_type": "application/json;charset=UTF-8", "headers": {}, "status": 200,
            "content_type": "application/json",
            "body": json.dumps({"code": 200, "rows": [{"nodeId": i, "nodeName": n} for i, n in rows]},
                               ensure_ascii=False), "label": "部门预算", "section": "部门预算"}


def _tree_capture() -> Capture:
    capture = Capture()
    capture.responses += [  # the categories; a click on 部门预算; a probe of 市级部门; of 某县财政局
        _node_answer("0", [("c1", "部门预算"), ("c9", "政策解读")]),
        _node_answer("c1", [("g1", "市级部门"), ("g2", "区县部门")]),
        _node_answer("g1", [("b1", "某县财政局"), ("b2", "某县统计局")]),
        {"url": f"{DOCS}?nodeId=b1&pageNum=1&pageSize=10", "method": "GET", "post_data": "",
         "request_content_type": "", "headers": {}, "status": 200, "content_type": "application/json",
         "body": json.dumps({"data": {"records": [{"docTitle": "某县财政局2024年部门预算",
                                                   "fileUrl": "/t/upload/b1.pdf"}], "total": 1}},
                            ensure_ascii=False), "label": "部门预算 某县财政局", "section": "部门预算"}]
    return capture


def _asked(out: list[Any]) -> set[tuple[str, str]]:
    return {(r.url.removeprefix(HOST), r.body.decode() if r.method == "POST" else "")
            for r in out if isinstance(r, Request)}


def test_each_level_of_a_tree_is_asked_with_every_request_a_click_made_on_the_level_before() -> None:
    meta = {"playwright": True, CAPTURE_META: _tree_capture()}
    page = HtmlResponse(f"{HOST}/t/", body=b"<html><title>t</title><div id='tree'></div></html>",
                        encoding="utf-8", request=Request(f"{HOST}/t/", meta=meta))
    ctx = context()
    out = list(explorer.FAMILY.requests(page, ctx))
    docs = "/t/api/doc/page?nodeId={}&pageNum=1&pageSize=10"
    assert _asked(out) == {  # 政策解读 (c9) is never asked for; what was captured is not asked again
        ("/t/api/node/children", '{"pid":"g2"}'), ("/t/api/node/children", '{"pid":"b1"}'),
        ("/t/api/node/children", '{"pid":"b2"}'),
        (docs.format("b2"), ""), (docs.format("c1"), ""), (docs.format("g1"), ""), (docs.format("g2"), "")}
    [g2] = [r for r in out if isinstance(r, Request) and r.body == b'{"pid":"g2"}']
    assert g2.meta["family_state"]["label"] == "部门预算 区县部门"
    # the level below 区县部门, which no click opened: its bodies' documents and their children
    later = answer(g2, json.dumps({"rows": [{"nodeId": "b3", "nodeName": "某区环保局"},
                                            {"nodeId": "b4", "nodeName": "某区民政局"}]}).encode())
    assert _asked(list(explorer.FAMILY.requests(later, ctx.for_response()))) == {
        (docs.format("b3"), ""), (docs.format("b4"), ""),
        ("/t/api/node/children", '{"pid":"b3"}'), ("/t/api/node/children", '{"pid":"b4"}')}
    [b3] = [r for r in explorer.FAMILY.requests(later, context()) if isinstance(r, Request)
            and "nodeId=b3" in r.url]
    leaf = answer(b3, json.dumps({"data": {"records": [{"docTitle": "某区环保局2024年部门预算",
                                                        "fileUrl": "/t/upload/b3.pdf"}], "total": 1}},
                                 ensure_ascii=False).encode())
    assert [o for o in explorer.FAMILY.requests(leaf, context()) if isinstance(o, Link)] == [
        Link("某区环保局2024年部门预算", f"{HOST}/t/upload/b3.pdf", "部门预算 区县部门 某区环保局_t")]


def test_the_other_options_of_a_select_are_asked_for_over_plain_http(crawled: dict[str, Any]) -> None:
    plain = [p for p, browser, _, _ in crawled["log"] if not browser and "/select/api/" in p]
    assert plain == ["/frag/select/api/list?nd=2023&page=1"]  # 2014 is too old to ask for


@pytest.mark.parametrize(("call", "chosen", "asked"), [
    (ApiCall(f"{HOST}/l?nd=2024&page=1"), "2024", [f"{HOST}/l?nd=2023&page=1", f"{HOST}/l?nd=2022&page=1"]),
    (ApiCall(f"{HOST}/l", "POST", '{"year":"2024","pageNo":1}', "application/json"), "2024",
     [f"{HOST}/l"] * 2),
    (ApiCall(f"{HOST}/l?page=2024"), "2024", []),  # a paging parameter is never an option's
    (ApiCall(f"{HOST}/l?kind=1"), "1", []),  # one character: too many parameters share it
])
def test_a_request_carrying_a_chosen_option_is_asked_with_each_other(call: ApiCall, chosen: str,
                                                                      asked: list[str]) -> None:
    found = choices(call, chosen, ["2024", "2023", "", "2022"])
    assert [c.url for c, _ in found] == asked
    if call.method == "POST":
        assert [json.loads(c.body)["year"] for c, _ in found] == ["2023", "2022"]


# -- a JSON answer encoded twice ---------------------------------------------------------------------
def test_json_values_that_are_json_again_are_read_in_place() -> None:
    item = {"wjmc": "某县统计局2023年部门预算", "xzdz": "/frag/s/tjj-2023.pdf"}
    inner = {"result": {"total": 3, "items": [item]}}
    text = json.dumps({"d": json.dumps(inner, ensure_ascii=False)}, ensure_ascii=False)
    assert read_json(text) == {"d": inner}
    assert read_json('{"a": "[not json", "b": "{x}"}') == {"a": "[not json", "b": "{x}"}  # strings stay
    assert read_json("<html></html>") is None


def test_a_twice_encoded_list_is_mined_and_paged_like_any_other() -> None:
    rows = [{"wjmc": f"某县第{n}局2024年部门预算", "xzdz": f"/frag/s/{n}.pdf"} for n in range(2)]
    capture = Capture()
    capture.responses.append({
        "url": f"{HOST}/frag/select/api/list?nd=2024&page=1&rows=2", "method": "GET", "post_data": "",
        "request_content_type": "", "headers": {}, "status": 200, "content_type": "application/json",
        "body": json.dumps({"d": json.dumps({"total": 5, "items": rows}, ensure_ascii=False)}), "label": ""})
    out = list(explorer.FAMILY.requests(_rendered(capture), context()))
    assert [o.url for o in out if isinstance(o, Link)] == [f"{HOST}/frag/s/0.pdf", f"{HOST}/frag/s/1.pdf"]
    assert [o.url for o in out if isinstance(o, Request)] == [
        f"{HOST}/frag/select/api/list?nd=2024&page={n}&rows=2" for n in (2, 3)]
