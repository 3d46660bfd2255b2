"""The generic JavaScript explorer: shell detection, the JSON miner, paging inference, bounds, and a
real crawl (Chromium included) of three small script sites of our own (``data/families/explorer/``):

- ``records/``: an empty mount node filled from ``GET api/records?page=1&size=5`` (``data.total``),
  records with nested attachments under relative and rooted paths, some only on detail pages;
- ``rows/``: a body of scripts (and a ``<noscript>``) filled from ``POST api/rows`` with a JSON body
  ``{"pageNo", "pageSize"}`` (``result.pages``); files by a ``download.do?fileId=`` servlet that
  names them in ``Content-Disposition``, titles and bodies in sibling fields;
- ``tabs/``: a page with text and a home link whose list appears only after a click on a tab (plain
  ``<li>`` with a listener: 部门决算, 三公经费; 机构职能 and 政策解读 are not clicked), loaded by
  JSONP ``api/feed?kind=&limit=3&callback=`` with a ``hasMore`` flag, paged by ``start=`` (部门决算)
  or by a cursor ``after=<the last item's id>`` that only a "加载更多" click shows (三公经费);
- ``tree/``: a hash-routed tree whose sections (``#/section/<id>``) expand into bodies
  (``api/nodes?parent=``) and whose bodies show their documents only when clicked
  (``api/docs?node=``): one body of each list is probed in the browser, the others asked for over
  plain HTTP.
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
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

from govbudget.crawler.families import FAMILIES, Answer, Link, explorer
from govbudget.crawler.families.explorer_json import (
    ApiCall,
    Paging,
    documents,
    has_more,
    infer_paging,
    loads_json,
    more_than_shown,
    next_link,
    paging_from_pair,
    siblings,
    url_of,
    with_page,
)
from govbudget.crawler.families.explorer_render import (
    CAPTURE_META,
    Capture,
    RenderBounds,
    documents_without_links,
    is_navigation,
    probe_texts,
)
from govbudget.crawler.render_policy import needs_browser, shell_signs
from tests.family_fixtures import FAMILY_DATA, answer, context, on_json, on_page

DATA = FAMILY_DATA / "explorer"
SITES = ("records", "rows", "tabs", "tree")
REAL = Path(__file__).parent / "data" / "realhtml"
HOST = "http://www.example.gov.cn"


# -- the fixture sites ---------------------------------------------------------------------------------
def file_bytes(path: str) -> bytes:
    """The bytes every fixture file is served with: a tiny PDF naming its own path."""
    return f"%PDF-1.4\n% explorer fixture {path}\n%%EOF\n".encode()


def _public(record: dict[str, Any]) -> dict[str, Any]:
    """A record as an API serves it: no ``_expected`` marks, no detail-page-only ``article``."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key.startswith("_") or key == "article":
            continue
        if isinstance(value, list):
            value = [_public(v) if isinstance(v, dict) else v for v in value]
        out[key] = value
    return out


def _records() -> list[dict[str, Any]]:
    return json.loads((DATA / "records" / "records.json").read_text(encoding="utf-8"))


def _rows() -> list[dict[str, Any]]:
    return json.loads((DATA / "rows" / "rows.json").read_text(encoding="utf-8"))


def _feed() -> dict[str, list[dict[str, Any]]]:
    return json.loads((DATA / "tabs" / "feed.json").read_text(encoding="utf-8"))


def _tree() -> list[dict[str, Any]]:
    return json.loads((DATA / "tree" / "tree.json").read_text(encoding="utf-8"))


def expected_files() -> dict[str, str]:
    """Path → sha256 of every disclosure the three sites serve."""
    paths: list[str] = []
    for rec in _records():
        for att in [*rec.get("attachments", []), *rec.get("article", [])]:
            if att["_expected"]:
                paths.append("/records/" + att["path"].removeprefix("/records/"))
    paths += [f"/rows/download.do?fileId={row['fileId']}" for row in _rows() if row["_expected"]]
    paths += ["/tabs/" + it["a"].removeprefix("/tabs/") for items in _feed().values() for it in items
              if it["_expected"]]
    paths += ["/tree/" + d["file"].removeprefix("/tree/") for section in _tree()
              for body in section["children"] for d in body["docs"] if d["_expected"]]
    return {p: hashlib.sha256(file_bytes(p)).hexdigest() for p in paths}


def _article(rec: dict[str, Any]) -> bytes:
    files = "".join(f'<li><a href="{a["path"]}">{a["name"]}</a></li>'
                    for a in [*rec.get("article", []), *rec.get("attachments", [])])
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{rec["title"]}</title></head><body>'
            f'<h1>{rec["title"]}</h1><p>发布日期：{rec["publishDate"]}</p><ul>{files}</ul></body></html>'
            ).encode()


class FixtureSites:
    """The three sites on 127.0.0.1; ``log`` holds (method, path, from the browser) per request."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str, bool]] = []
        sites = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                sites._answer(self, b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                sites._answer(self, self.rfile.read(length))

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

    def _answer(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        browser = "sec-fetch-mode" in {k.lower() for k in handler.headers}
        self.log.append((handler.command, handler.path, browser))
        status, ctype, payload, extra = self.route(handler.command, handler.path, body)
        handler.send_response(status)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(payload)))
        for name, value in extra.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)

    def route(self, method: str, target: str, body: bytes) -> tuple[int, str, bytes, dict[str, str]]:
        parts = urlsplit(target)
        path, query = parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}
        html, js = "text/html; charset=utf-8", "application/javascript; charset=utf-8"
        jsn = "application/json; charset=utf-8"
        static = {"/records/": "records/index.html", "/rows/": "rows/index.html", "/tabs/": "tabs/index.html",
                  "/tree/": "tree/index.html", "/records/app.js": "records/app.js",
                  "/rows/vendor.js": "rows/vendor.js"}
        if path in static:
            return 200, html if path.endswith("/") else js, (DATA / static[path]).read_bytes(), {}
        if "/files/" in path:
            return 200, "application/pdf", file_bytes(path), {}
        if path == "/records/api/records" and method == "GET":
            page, size = int(query.get("page", 1)), int(query.get("size", 10))
            records = _records()
            chunk = [_public(r) for r in records[(page - 1) * size:page * size]]
            data = {"code": 0, "msg": "ok", "data": {"total": len(records), "page": page, "list": chunk}}
            return 200, jsn, json.dumps(data, ensure_ascii=False).encode(), {}
        if re.fullmatch(r"/records/content/\d+\.html", path):
            rec = next((r for r in _records() if f"/{r['id']}.html" in path), None)
            if rec is not None:
                return 200, html, _article(rec), {}
        if path == "/rows/api/rows" and method == "POST":
            asked = json.loads(body or b"{}")
            page, size, rows = int(asked.get("pageNo", 1)), int(asked.get("pageSize", 10)), _rows()
            chunk = [_public(r) for r in rows[(page - 1) * size:page * size]]
            pages = -(-len(rows) // size)
            data = {"code": "200", "result": {"pageNo": page, "pages": pages, "rows": chunk}}
            return 200, jsn, json.dumps(data, ensure_ascii=False).encode(), {}
        if path == "/rows/download.do":
            row = next((r for r in _rows() if r["fileId"] == query.get("fileId")), None)
            if row is not None:
                name = f"{row['deptName']}{row['year']}年{row['category']}.pdf"
                return 200, "application/octet-stream", file_bytes(target), {
                    "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}
        if path == "/tabs/api/feed":
            items = _feed().get(query.get("kind", ""), [])
            start, limit = int(query.get("start", 0)), int(query.get("limit", 3))
            if "after" in query:  # a cursor: the items after the one with that id
                start = 1 + next((i for i, it in enumerate(items) if it.get("id") == query["after"]), -1)
            chunk = [_public(i) for i in items[start:start + limit]]
            data = json.dumps({"items": chunk, "hasMore": start + limit < len(items)}, ensure_ascii=False)
            return 200, js, f"{query.get('callback', 'callback')}({data});".encode(), {}
        if path == "/tree/api/nodes":
            nodes = _tree() if "parent" not in query else next(
                (n["children"] for n in _tree() if n["id"] == query["parent"]), [])
            data = {"code": 0, "data": [{"id": n["id"], "label": n["label"]} for n in nodes]}
            return 200, jsn, json.dumps(data, ensure_ascii=False).encode(), {}
        if path == "/tree/api/docs":
            body_ = next((b for n in _tree() for b in n["children"] if b["id"] == query.get("node")), None)
            docs = [_public(d) for d in body_["docs"]] if body_ else []
            data = {"code": 0, "data": {"node": query.get("node"), "docs": docs}}
            return 200, jsn, json.dumps(data, ensure_ascii=False).encode(), {}
        if path == "/tabs/content/about.html":
            return 200, html, "<html><title>机构职能</title><body>职能</body></html>".encode(), {}
        return 404, "text/html", b"<html><body>404</body></html>", {}


@pytest.fixture(scope="module")
def sites() -> Iterator[FixtureSites]:
    served = FixtureSites()
    yield served
    served.close()


@pytest.fixture(scope="module")
def crawled(sites: FixtureSites, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from govbudget.simulator.evaluate import archived_disclosures
    from govbudget.tasks.crawl import crawl_config, run_crawl
    from govbudget.tasks.runtime import configure
    from govbudget.tasks.settings import Settings

    svc = configure(Settings.from_env(data_dir=tmp_path_factory.mktemp("explorer"), allow_loopback=True))
    starts = [f"{sites.base}/{site}/" for site in SITES]
    summary = run_crawl(svc, crawl_config(svc.settings, starts))
    documents_ = list(svc.catalog.documents())
    return {"summary": summary, "captures": list(svc.catalog.captures()), "log": list(sites.log),
            "archived": archived_disclosures(documents_), "base": sites.base,
            "crawl_log": Path(summary.log_file).read_text(encoding="utf-8")}


# -- a real crawl ----------------------------------------------------------------------------------
def test_the_crawl_archives_exactly_the_disclosures_of_the_four_sites(crawled: dict[str, Any]) -> None:
    assert set(crawled["archived"]) == set(expected_files().values())


def test_the_browser_rendered_only_the_four_shells(crawled: dict[str, Any]) -> None:
    base = crawled["base"]
    rendered = [c.url for c in crawled["captures"] if c.via == "browser" and "/api/" not in c.url]
    # archived as rendered, under the route the last click left (the tree's: #/section/s2)
    assert sorted(url.split("#")[0] for url in rendered) == sorted(f"{base}/{site}/" for site in SITES)
    # what the browser itself asked for: the shells, their scripts and first API pages, nothing else
    by_browser = {(m, p) for m, p, browser in crawled["log"] if browser}
    assert by_browser == {
        ("GET", "/records/"), ("GET", "/records/app.js"), ("GET", "/records/api/records?page=1&size=5"),
        ("GET", "/rows/"), ("GET", "/rows/vendor.js"), ("POST", "/rows/api/rows"),
        ("GET", "/tabs/"), ("GET", "/tabs/api/feed?kind=final&start=0&limit=3&callback=feed_cb_1"),
        ("GET", "/tabs/api/feed?kind=three&limit=3&callback=feed_cb_2"),
        ("GET", "/tabs/api/feed?kind=three&after=x303&limit=3&callback=feed_cb_3"),  # "load more"
        ("GET", "/tree/"), ("GET", "/tree/api/nodes"), ("GET", "/tree/api/nodes?parent=s1"),
        ("GET", "/tree/api/nodes?parent=s2"),  # the two sections clicked (政策解读 is not)
        ("GET", "/tree/api/docs?node=b101&lang=zh"), ("GET", "/tree/api/docs?node=b201&lang=zh"),  # probed
    }


def test_the_later_api_pages_were_walked_over_plain_http(crawled: dict[str, Any]) -> None:
    plain = {(m, p) for m, p, browser in crawled["log"] if not browser and "/api/" in p}
    assert plain == {
        ("GET", "/records/api/records?page=2&size=5"), ("GET", "/records/api/records?page=3&size=5"),
        ("POST", "/rows/api/rows"),
        ("GET", "/tabs/api/feed?kind=final&start=3&limit=3&callback=feed_cb_1"),
        ("GET", "/tabs/api/feed?kind=final&start=6&limit=3&callback=feed_cb_1"),
        ("GET", "/tabs/api/feed?kind=three&after=x306&limit=3&callback=feed_cb_3"),  # the cursor walked
        # the other bodies of the lists the probed ones came from, and the section nobody clicked
        ("GET", "/tree/api/docs?node=b102&lang=zh"), ("GET", "/tree/api/docs?node=b103&lang=zh"),
        ("GET", "/tree/api/docs?node=b202&lang=zh"), ("GET", "/tree/api/nodes?parent=s4"),
        # and each level asked with every request a click made on the level above it: the bodies'
        # children and the sections' documents (none: the tree ends there)
        *(("GET", f"/tree/api/nodes?parent={b}") for b in ("b101", "b102", "b103", "b201", "b202")),
        *(("GET", f"/tree/api/docs?node={s}&lang=zh") for s in ("s1", "s2", "s4")),
    }
    posts = [p for m, p, browser in crawled["log"] if m == "POST" and not browser]
    assert len(posts) == 2  # pageNo 2 and 3 of the rows
    base, captures = crawled["base"], crawled["captures"]
    archived = {c.url.removeprefix(base) for c in captures if "/api/" in c.url and c.via == "http"}
    assert archived == {p for _, p in plain}  # the walked pages were archived, over plain HTTP
    # and what the browser fetched was archived as it was read, referred by the shell it served
    by_browser = {(c.url.removeprefix(base), c.referrer.removeprefix(base).split("#")[0]) for c in captures
                  if "/api/" in c.url and c.via == "browser"}  # (the shell as archived: its route too)
    assert by_browser == {(p, "/" + p.split("/")[1] + "/") for m, p, browser in crawled["log"]
                          if browser and "/api/" in p}


def test_the_crawl_counts_what_the_explorer_did(crawled: dict[str, Any]) -> None:
    log = crawled["crawl_log"]
    counters = dict(re.findall(r"'govbudget/(explorer_\w+|render_retries)': (\d+)", log))
    assert counters["explorer_renders"] == counters["render_retries"] == "4"
    assert counters["explorer_clicks"] == "7"  # two tabs and "load more"; two sections of the tree
    assert counters["explorer_pages_walked"] == "19"  # and a body in each; 8 nodes asked a level down
    assert counters["explorer_api_responses"] == "10"
    assert "explorer_bounds_hit" not in counters
    assert "explorer: rendering" in log and "explorer: list API" in log


# -- the registry ------------------------------------------------------------------------------------
def test_the_explorer_is_the_last_family() -> None:
    assert FAMILIES[-1] is explorer.FAMILY and explorer.FAMILY.name == "explorer"


# -- shell detection -------------------------------------------------------------------------------
def _html(body: bytes | str, url: str = HOST + "/list/", **meta: Any) -> HtmlResponse:
    data = body.encode() if isinstance(body, str) else body
    return HtmlResponse(url, body=data, encoding="utf-8", request=Request(url, meta=meta))


def _saved(site: str) -> HtmlResponse:
    return _html((DATA / site / "index.html").read_bytes(), f"{HOST}/{site}/")


@pytest.mark.parametrize("name", sorted(p.name for p in REAL.glob("*.htm*")))
def test_real_saved_pages_are_not_shells(name: str) -> None:
    page = _html((REAL / name).read_bytes())
    assert shell_signs(page) == [] and not needs_browser(page)
    assert not explorer.FAMILY.matches(page)


@pytest.mark.parametrize(("site", "signs"), [
    ("records", ["empty mount node <div#app>", "a body of scripts", "no content links"]),
    ("rows", ["noscript asks for JavaScript", "a body of scripts", "no content links"]),
    ("tabs", ["empty mount node <div#list>", "noscript asks for JavaScript"]),
])
def test_each_fixture_shell_shows_its_signs(site: str, signs: list[str]) -> None:
    assert shell_signs(_saved(site)) == signs
    assert explorer.FAMILY.matches(_saved(site))


LONG_TEXT = "<p>" + "本栏目公开本县各部门的预算和决算。" * 6 + '</p><a href="/other/">其他</a>'


@pytest.mark.parametrize(("body", "sign"), [
    (f'<div id="root"></div>{LONG_TEXT}<script src="a.js"></script>', "empty mount node <div#root>"),
    (f"<app-root></app-root>{LONG_TEXT}<script src=a.js></script>", "empty mount node <app-root>"),
    (f'<div id="app">{{{{ title }}}}<p v-for="x in xs">{{{{ x }}}}</p></div>{LONG_TEXT}<script></script>',
     "empty mount node <div#app>"),
    (f'<section class="page" v-cloak></section>{LONG_TEXT}<script></script>', "empty mount node <section>"),
    (f"{LONG_TEXT}<noscript>您的浏览器不支持脚本</noscript><script></script>",
     "noscript asks for JavaScript"),
    ("<h1>列表</h1><script>load()</script><a href='/'>首页</a>", "a body of scripts"),
    ("<p>" + "说明" * 40 + "</p><a href='javascript:void(0)'>查看</a><script></script>", "no content links"),
])
def test_each_sign_of_a_shell_is_told(body: str, sign: str) -> None:
    assert shell_signs(_html(f"<!DOCTYPE html><html><body>{body}</body></html>")) == [sign]


HEADER = f"<div class='top'><a href='/'>网站首页</a></div>{LONG_TEXT}"


@pytest.mark.parametrize(("body", "sign"), [
    (f"{HEADER}<div id='box'></div><script>document.getElementById('box').innerHTML = 'x'</script>",
     "empty mount node <div#box>"),
    (f"{HEADER}<div id='box'></div><script>$('#box').load('list.jsp')</script>",
     "empty mount node <div#box>"),
    (f"{HEADER}<table><tbody></tbody></table><script src='/js/app.js'></script>",
     "empty mount node <tbody>"),
    (f"{HEADER}<div class='news-list'></div><script src='/js/app.js'></script>",
     "empty mount node <div>"),
])
def test_an_empty_container_a_script_fills_is_a_mount_node(body: str, sign: str) -> None:
    assert shell_signs(_html(f"<!DOCTYPE html><html><body>{body}</body></html>")) == [sign]


@pytest.mark.parametrize("body", [
    "<!DOCTYPE html><html><body><div id='app'></div></body></html>",  # no script: nothing to render
    f"<!DOCTYPE html><html><body>{HEADER}<div id='share'></div><div class='clear'></div>"
    "<script src='/js/stat.js'></script></body></html>",  # empty, but no list and no lookup of it
    f"<!DOCTYPE html><html><body><div id='app'><ul><li>一</li></ul></div>{LONG_TEXT}<script></script>"
    "</body></html>",  # a mount with content
    f"<!DOCTYPE html><html><body>{LONG_TEXT}<noscript><img src='/stat.gif'></noscript><script></script>"
    "</body></html>",  # a counter's noscript
])
def test_pages_with_content_are_not_shells(body: str) -> None:
    assert shell_signs(_html(body)) == []


def test_a_rendered_page_or_json_is_never_a_shell() -> None:
    assert shell_signs(_html((DATA / "records" / "index.html").read_bytes(), playwright=True)) == []
    assert shell_signs(answer(Request(HOST + "/api"), b'{"a": "<script>"}')) == []  # type: ignore[arg-type]


# -- the JSON miner --------------------------------------------------------------------------------
PAGE = HOST + "/site/index.html"


def test_json_and_jsonp_answers_are_read() -> None:
    assert loads_json('{"a": 1}') == {"a": 1}
    assert loads_json('cb_12({"a": [1]});') == {"a": [1]}
    assert loads_json('/**/ jQuery3_17({"a": 1})') == {"a": 1}
    assert loads_json(")]}',\n[1, 2]") == [1, 2]
    assert loads_json("while(1);{\"a\": 2}") == {"a": 2}
    assert loads_json("window.x = 1;") is None and loads_json("<html></html>") is None


def test_documents_in_nested_objects_with_relative_and_rooted_paths() -> None:
    data = {"data": {"list": [
        {"title": "某县财政局2024年部门预算", "pubDate": "2024-02-05", "detailUrl": "content/1.html",
         "files": [{"name": "附件1", "path": "upload/a.pdf"}, {"name": "附件2", "path": "/up/b.xlsx"}]},
    ]}}
    assert documents(data, PAGE) == [
        explorer_json_doc(HOST + "/site/content/1.html", "某县财政局2024年部门预算", date="2024-02-05",
                          file=False),
        explorer_json_doc(HOST + "/site/upload/a.pdf", "附件1", context="某县财政局2024年部门预算",
                          date="2024-02-05"),
        explorer_json_doc(HOST + "/up/b.xlsx", "附件2", context="某县财政局2024年部门预算",
                          date="2024-02-05"),
    ]


def explorer_json_doc(url: str, title: str, *, text: str = "", context: str = "", date: str = "",
                      department: str = "", file: bool = True) -> Any:
    from govbudget.crawler.families.explorer_json import Doc

    return Doc(url, title, text or title, context, date, department, file)


def test_servlet_urls_and_the_nearest_title_with_its_body_and_year() -> None:
    row = {"fileId": "a104", "deptName": "某县林业局", "year": "2023", "category": "部门决算",
           "fileName": "附件.pdf", "fileUrl": "download.do?fileId=a104"}
    [doc] = documents({"rows": [row]}, HOST + "/rows/", context="部门决算公开")
    assert (doc.url, doc.title, doc.text) == (HOST + "/rows/download.do?fileId=a104", "附件.pdf",
                                              "某县林业局2023年附件.pdf")
    assert (doc.context, doc.department, doc.file) == ("部门决算 部门决算公开", "某县林业局", True)


def test_a_body_named_above_its_files_is_their_context() -> None:
    data = [{"name": "某县教育局", "children": [{"title": "三公经费预算", "url": "/f/1.pdf"}]},
            {"name": "某县卫健局", "url": "/f/2.pdf"}]
    docs = documents(data, PAGE)
    assert [(d.url, d.text, d.context, d.department) for d in docs] == [
        (HOST + "/f/1.pdf", "三公经费预算", "某县教育局", "某县教育局"),
        (HOST + "/f/2.pdf", "某县卫健局", "", "某县卫健局"),
    ]


def test_the_longest_chinese_text_is_the_title_when_no_key_says_title() -> None:
    [doc] = documents([{"t": "某县水利局2024年部门决算", "d": "2025-08-01", "a": "/f/f-1.pdf"}], PAGE)
    assert (doc.title, doc.date) == ("某县水利局2024年部门决算", "2025-08-01")


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("path", "/u/2024/a.pdf", (HOST + "/u/2024/a.pdf", True)),
    ("x", "https://cdn.example.gov.cn/a.docx", ("https://cdn.example.gov.cn/a.docx", True)),
    ("fileUrl", "a.pdf", (HOST + "/site/a.pdf", True)),  # a bare name under a URL-like key
    ("attach", "/common/getFile?id=7", (HOST + "/common/getFile?id=7", True)),
    ("url", "/site/content/9.html", (HOST + "/site/content/9.html", False)),
    ("link", "https://www.example.gov.cn/col/3/", ("https://www.example.gov.cn/col/3/", False)),
    ("fileName", "某县2024年部门预算.pdf", None),  # a name, not a link
    ("type", "application/pdf", None),
    ("date", "2024/01/02", None),
    ("route", "#/detail?id=3", None),
    ("url", "javascript:void(0)", None),
    ("note", "详见附件", None),
])
def test_which_fields_are_links(key: str, value: str, expected: tuple[str, bool] | None) -> None:
    assert url_of(key, value, PAGE) == expected


# -- paging inference ------------------------------------------------------------------------------
def _items(n: int) -> list[dict[str, Any]]:
    return [{"id": i, "title": f"标题{i}"} for i in range(n)]


@pytest.mark.parametrize(("call", "data", "paging"), [
    (ApiCall(HOST + "/api/list?page=1&size=5"), {"data": {"total": 12, "list": _items(5)}},
     Paging("query", "page", "page", 1, 5, 3, 1, "size")),
    (ApiCall(HOST + "/api/list?pageIndex=0&pageSize=10"), {"totalPages": 4, "items": _items(10)},
     Paging("query", "pageIndex", "page", 0, 10, 3, 0, "pageSize")),
    (ApiCall(HOST + "/api/rows", "POST", '{"pageNo":1,"pageSize":4,"kind":"all"}', "application/json"),
     {"result": {"pages": 3, "rows": _items(4)}}, Paging("json", "pageNo", "page", 1, 4, 3, 1, "pageSize")),
    (ApiCall(HOST + "/api/q", "POST", '{"page":{"current":1,"size":10},"q":"预算"}', "application/json"),
     {"records": _items(10), "total": 25},
     Paging("json", "page.current", "page", 1, 10, 3, 1, "page.size")),
    (ApiCall(HOST + "/api/q", "POST", "col=1&pageNum=1&rows=15", "application/x-www-form-urlencoded"),
     {"totalCount": 40, "data": _items(15)}, Paging("form", "pageNum", "page", 1, 15, 3, 1, "rows")),
    (ApiCall(HOST + "/api/feed?start=0&limit=10"), {"total": 35, "items": _items(10)},
     Paging("query", "start", "offset", 0, 10, 30, 1, "limit")),
    (ApiCall(HOST + "/api/feed?offset=0&limit=3&cb=x"), {"items": _items(3), "hasMore": True},
     Paging("query", "offset", "offset", 0, 3, None, 1, "limit")),
    (ApiCall(HOST + "/api/list"), {"pageNum": 1, "total": 9, "list": _items(4)},
     Paging("query", "pageNum", "page", 1, 4, 3, 1, "")),  # the answer echoes its page number
    (ApiCall(HOST + "/api/grid?page=1&rows=10"), {"page": 1, "total": 5, "records": 48, "rows": _items(10)},
     Paging("query", "page", "page", 1, 10, 5, 1, "rows")),  # jqGrid: "total" counts pages
    (ApiCall(HOST + "/api/list?page=1&size=5"), {"list": _items(5)},
     Paging("query", "page", "page", 1, 5, None, 1, "size")),  # no total, but a full page
    (ApiCall(HOST + "/api/list?offset=0&limit=3"), _items(3),
     Paging("query", "offset", "offset", 0, 3, None, 1, "limit")),  # a bare array, a full page
])
def test_paging_is_inferred_for_each_parameter_style(call: ApiCall, data: Any, paging: Paging) -> None:
    assert infer_paging(call, data) == paging


@pytest.mark.parametrize(("call", "data"), [
    (ApiCall(HOST + "/api/list?page=1&size=20"), {"total": 12, "list": _items(12)}),  # all on one page
    (ApiCall(HOST + "/api/list?page=1&size=5"), {"list": _items(5), "hasMore": False}),
    (ApiCall(HOST + "/api/list?page=1&size=5"), {"list": _items(5), "isLastPage": True}),
    (ApiCall(HOST + "/api/list?page=1&size=5"), {"total": 12, "list": []}),  # no records
    (ApiCall(HOST + "/api/list"), {"total": 12, "list": _items(5)}),  # no parameter to turn
    (ApiCall(HOST + "/api/list?page=1"), {"list": _items(5)}),  # nothing says there is more
    (ApiCall(HOST + "/api/list?page=1&size=10"), {"list": _items(4)}),  # nor a full page
])
def test_no_paging_when_the_answer_says_there_is_no_more(call: ApiCall, data: Any) -> None:
    assert infer_paging(call, data) is None


def test_the_pages_after_the_current_one_stop_at_the_last_and_at_the_bound() -> None:
    paging = Paging("query", "page", "page", 1, 5, 3, 1, "size")
    assert paging.following() == ([2, 3], False)
    assert Paging("query", "start", "offset", 0, 10, 30, 1, "limit").following() == ([10, 20, 30], False)
    assert Paging("query", "page", "page", 1, 5, 500, 1, "size").following(limit=4) == ([2, 3, 4, 5], True)
    assert Paging("query", "start", "offset", 0, 3, None, 1, "limit").following() == ([], False)


def test_a_page_is_asked_for_as_the_script_asked_for_the_first() -> None:
    get = ApiCall(HOST + "/api/feed?kind=final&start=0&limit=3&callback=cb_1")
    assert with_page(get, Paging("query", "start", "offset", 0, 3, None), 3).url == (
        HOST + "/api/feed?kind=final&start=3&limit=3&callback=cb_1")
    echo = with_page(ApiCall(HOST + "/api/list"), Paging("query", "pageNum", "page", 1, 4, 3), 2)
    assert echo.url == HOST + "/api/list?pageNum=2"
    form = ApiCall(HOST + "/api/q", "POST", "col=1&pageNum=1&rows=15", "application/x-www-form-urlencoded")
    assert with_page(form, Paging("form", "pageNum", "page", 1, 15, 3), 2).body == "col=1&pageNum=2&rows=15"
    body = ApiCall(HOST + "/api/q", "POST", '{"page":{"current":"1","size":10},"q":"预算"}',
                   "application/json")
    assert json.loads(with_page(body, Paging("json", "page.current", "page", 1, 10, 3), 3).body) == {
        "page": {"current": "3", "size": 10}, "q": "预算"}  # a number sent as a string stays one


def test_has_more_reads_flags_and_their_opposites() -> None:
    assert has_more({"hasMore": True, "items": [{}]}, [{}]) is True
    assert has_more({"data": {"hasNextPage": "false"}}, []) is False
    assert has_more({"last": True}, []) is False
    assert has_more({"total": 3}, []) is None


# -- the family without a browser ---------------------------------------------------------------------
class Stats(dict[str, int]):
    def __call__(self, name: str, n: int) -> None:
        self[name] = self.get(name, 0) + n


def test_a_shell_nothing_followed_is_rendered_once_with_a_capture() -> None:
    stats = Stats()
    ctx = context(stats=stats)
    [request] = explorer.FAMILY.requests(_saved("records"), ctx)
    assert (request.url, request.callback, request.dont_filter) == (f"{HOST}/records/", on_page, True)
    assert request.meta["playwright"] is True and isinstance(request.meta[CAPTURE_META], Capture)
    assert request.meta["playwright_page_init_callback"] == request.meta[CAPTURE_META].attach
    assert stats == {"govbudget/explorer_renders": 1, "govbudget/render_retries": 1}
    assert list(explorer.FAMILY.requests(_saved("records"), ctx.for_response())) == []  # once


def test_a_page_whose_links_were_followed_is_not_rendered() -> None:
    ctx = context()
    ctx.followed = 1
    assert list(explorer.FAMILY.requests(_saved("records"), ctx)) == []
    assert list(explorer.FAMILY.requests(_html((REAL / "mof_sjyjsgkzl.html").read_bytes()), context())) == []


def test_pages_rendered_per_site_are_bounded_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    family, stats = explorer.Explorer(explorer.Bounds(renders_per_site=1)), Stats()
    ctx = context(stats=stats)
    assert len(list(family.requests(_saved("records"), ctx))) == 1
    same_site = _html((DATA / "rows" / "index.html").read_bytes(), f"{HOST}/records/rows/")
    assert list(family.requests(same_site, ctx.for_response())) == []
    other_site = _html((DATA / "rows" / "index.html").read_bytes(), "http://other.example.gov.cn/records/")
    assert len(list(family.requests(other_site, ctx.for_response()))) == 1
    assert stats["govbudget/explorer_bounds_hit"] == 1
    assert (f"bound reached on {HOST}/records/: pages rendered per site (1): "
            f"{HOST}/records/rows/ not rendered") in caplog.text


def test_clicks_are_shared_out_per_site_and_unused_ones_given_back() -> None:
    family = explorer.Explorer(explorer.Bounds(clicks_per_site=10, render=RenderBounds(clicks=8)))
    ctx = context()
    [first] = family.requests(_saved("records"), ctx)
    same_site = _html((DATA / "rows" / "index.html").read_bytes(), f"{HOST}/records/rows/")
    [second] = family.requests(same_site, ctx.for_response())
    assert (first.meta[CAPTURE_META].bounds.clicks, second.meta[CAPTURE_META].bounds.clicks) == (8, 2)
    capture = first.meta[CAPTURE_META]
    capture.clicks.append("部门预算")
    list(family.requests(_rendered("records", capture), ctx.for_response()))
    assert ctx.tallies[("explorer-clicks", f"{HOST}/records/")] == 3  # 7 of the first render's 8 came back


def _rendered(site: str, capture: Capture) -> HtmlResponse:
    return _html((DATA / site / "index.html").read_bytes(), f"{HOST}/{site}/",
                 playwright=True, **{CAPTURE_META: capture})


def _captured(url: str, body: Any, *, method: str = "GET", post: str = "", label: str = "",
              ctype: str = "") -> dict[str, Any]:
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return {"url": url, "method": method, "post_data": post, "request_content_type": ctype,
            "headers": {"X-Requested-With": "XMLHttpRequest", "content-type": ctype} if ctype else {},
            "status": 200, "content_type": "application/json", "body": text, "label": label}


def test_a_rendered_page_gives_its_json_documents_and_walks_the_rest_over_plain_http() -> None:
    capture = Capture()
    records = [_public(r) for r in _records()]
    capture.responses.append(_captured(f"{HOST}/records/api/records?page=1&size=5",
                                       {"data": {"total": 12, "list": records[:5]}}))
    stats = Stats()
    out = list(explorer.FAMILY.requests(_rendered("records", capture), context(stats=stats)))
    links = [o for o in out if isinstance(o, Link)]
    walks = [o for o in out if isinstance(o, Request)]
    assert links[:3] == [
        Link("某县财政局2024年部门预算", f"{HOST}/records/content/101.html", "信息公开目录"),
        Link("附件1：某县财政局2024年部门预算表", f"{HOST}/records/files/101-1.pdf",
             "某县财政局2024年部门预算_信息公开目录"),
        Link("附件", f"{HOST}/records/files/102-1.pdf", "某县教育局2024年部门预算_信息公开目录"),
    ]
    assert [w.url for w in walks] == [f"{HOST}/records/api/records?page={n}&size=5" for n in (2, 3)]
    assert {(w.method, w.callback, w.meta["family"]) for w in walks} == {("GET", on_json, "explorer")}
    assert "playwright" not in walks[0].meta
    assert stats == {"govbudget/explorer_api_responses": 1}


def test_a_posted_json_list_is_walked_with_the_same_body_shape_and_headers() -> None:
    capture = Capture()
    rows = [_public(r) for r in _rows()]
    capture.responses.append(_captured(
        f"{HOST}/rows/api/rows", {"result": {"pageNo": 1, "pages": 3, "rows": rows[:4]}}, method="POST",
        post='{"pageNo":1,"pageSize":4,"kind":"all"}', ctype="application/json;charset=UTF-8"))
    out = list(explorer.FAMILY.requests(_rendered("rows", capture), context()))
    walks = [o for o in out if isinstance(o, Request)]
    assert [(w.method, json.loads(w.body)) for w in walks] == [
        ("POST", {"pageNo": 2, "pageSize": 4, "kind": "all"}),
        ("POST", {"pageNo": 3, "pageSize": 4, "kind": "all"})]
    assert walks[0].headers["Content-Type"] == b"application/json;charset=UTF-8"
    assert walks[0].headers["X-Requested-With"] == b"XMLHttpRequest"
    # a later page comes back to the explorer and is mined like the first
    later = answer(walks[0], json.dumps({"result": {"pageNo": 2, "pages": 3, "rows": rows[4:8]}}).encode())
    links = list(explorer.FAMILY.requests(later, context()))
    assert [link.url for link in links] == [f"{HOST}/rows/download.do?fileId=a10{n}" for n in (5, 6, 7, 8)]
    assert links[0] == Link("某县文旅局2023年部门决算公开.pdf", f"{HOST}/rows/download.do?fileId=a105",
                            "部门决算_预决算公开")


def _feed_answer(request: Request, items: list[dict[str, Any]], more: bool, callback: str = "cb_1") -> Any:
    payload = json.dumps({"items": items, "hasMore": more}, ensure_ascii=False)
    return answer(request, f"{callback}({payload});".encode(), "application/javascript")


def test_a_has_more_list_is_walked_one_page_after_another_until_it_says_no_more() -> None:
    capture = Capture()
    items = [_public(i) for i in _feed()["final"]]
    first = f"{HOST}/tabs/api/feed?kind=final&start=0&limit=3&callback=cb_1"
    capture.responses.append(_captured(first, f"cb_1({json.dumps({'items': items[:3], 'hasMore': True})});",
                                       label="部门决算"))
    ctx = context()
    out = list(explorer.FAMILY.requests(_rendered("tabs", capture), ctx))
    [walk] = [o for o in out if isinstance(o, Request)]
    assert walk.url == f"{HOST}/tabs/api/feed?kind=final&start=3&limit=3&callback=cb_1"
    second = explorer.FAMILY.requests(_feed_answer(walk, items[3:6], True), ctx.for_response())
    [link, nxt] = [o for o in second if isinstance(o, Request) or o.url.endswith("f-4.pdf")]
    assert link == Link("某县环保局2024年部门决算", f"{HOST}/tabs/files/f-4.pdf",
                        "部门决算_某县人民政府 财政资金信息")
    assert nxt.url == f"{HOST}/tabs/api/feed?kind=final&start=6&limit=3&callback=cb_1"
    last = list(explorer.FAMILY.requests(_feed_answer(nxt, items[6:], False), ctx.for_response()))
    assert [o.url for o in last] == [f"{HOST}/tabs/files/f-7.pdf"]  # no more pages: no request


@pytest.mark.parametrize(("items", "more", "why"), [
    ([], True, "a page without records"),
    ("same", True, "the same records again"),
    ("short", None, "a short page"),
])
def test_a_has_more_walk_stops_on_an_empty_repeated_or_short_page(
    items: Any, more: bool | None, why: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    capture = Capture()
    first = [{"t": f"某县第{i}局2024年部门决算", "a": f"/f/{i}.pdf"} for i in range(3)]
    url = f"{HOST}/tabs/api/feed?start=0&limit=3"
    capture.responses.append(_captured(url, {"items": first, "hasMore": True}))
    ctx = context()
    [walk] = [o for o in explorer.FAMILY.requests(_rendered("tabs", capture), ctx) if isinstance(o, Request)]
    page = first if items == "same" else first[:1] if items == "short" else items
    body: dict[str, Any] = {"items": page} if more is None else {"items": page, "hasMore": more}
    out = list(explorer.FAMILY.requests(answer(walk, json.dumps(body).encode()), ctx.for_response()))
    assert [o for o in out if isinstance(o, Request)] == []
    assert f"ends: {why}" in caplog.text


def test_api_pages_per_site_and_pages_per_api_are_bounded(caplog: pytest.LogCaptureFixture) -> None:
    family, stats = explorer.Explorer(explorer.Bounds(api_pages_per_site=3, pages_per_api=2)), Stats()
    capture = Capture()
    capture.responses.append(_captured(f"{HOST}/api/a?page=1&size=1", {"total": 9, "list": _items(1)}))
    capture.responses.append(_captured(f"{HOST}/api/b?page=1&size=1", {"total": 9, "list": _items(1)}))
    out = list(family.requests(_rendered("records", capture), context(stats=stats)))
    walks = [o.url for o in out if isinstance(o, Request)]
    assert walks == [f"{HOST}/api/a?page=2&size=1", f"{HOST}/api/a?page=3&size=1",
                     f"{HOST}/api/b?page=2&size=1"]
    assert stats["govbudget/explorer_bounds_hit"] == 3  # two APIs cut at 2 pages, one page refused
    assert "pages per API (2)" in caplog.text and "API pages per site (3)" in caplog.text


def test_bounds_met_in_the_browser_are_logged_and_counted(caplog: pytest.LogCaptureFixture) -> None:
    capture, stats = Capture(), Stats()
    capture.bounds_hit.append("responses per render (60)")
    list(explorer.FAMILY.requests(_rendered("records", capture), context(stats=stats)))
    assert stats["govbudget/explorer_bounds_hit"] == 1
    assert f"bound reached on {HOST}/records/: responses per render (60): {HOST}/records/" in caplog.text


def test_links_seen_between_clicks_are_read_with_the_label_clicked() -> None:
    capture = Capture()
    capture.clicks.append("部门决算")
    capture.links.append(("某县交通局2024年", f"{HOST}/tabs/files/f-3.pdf", "部门决算"))
    [link] = explorer.FAMILY.requests(_rendered("tabs", capture), context())
    assert link == Link("某县交通局2024年", f"{HOST}/tabs/files/f-3.pdf",
                        "部门决算_某县人民政府 财政资金信息")


@pytest.mark.parametrize(("text", "clicked"), [
    ("部门预算", True), ("部门决算", True), ("预决算公开", True), ("财政预决算", True), ("三公经费", True),
    ("绩效", True), ("2024年部门预算", True),
    ("2024年", True), ("2023年度", True), ("2025", True),
    ("机构职能", False), ("政策解读", False), ("2015年部门预算", False), ("部门预算公开.pdf", False),
    ("2015年", False), ("2024年1月", False),
])
def test_which_navigation_nodes_are_clicked(text: str, clicked: bool) -> None:
    assert is_navigation(text) is clicked


# -- records a click stands for: probed once, their siblings asked for over plain HTTP -------------------
BODIES = {"code": 0, "data": [{"id": "b101", "label": "某县教育局"},
                              {"id": "b102", "label": "某县卫生健康局"},
                              {"id": "b103", "label": "政策解读"}]}


def test_a_list_naming_no_document_is_probed_by_its_records_texts() -> None:
    assert probe_texts(BODIES, HOST + "/tree/api/nodes?parent=s1") == [
        ["某县教育局", "某县卫生健康局", "政策解读"]]
    assert probe_texts({"list": [{"title": "某局2024年部门预算", "url": "/f/1.pdf"}]}, HOST + "/api") == []


def test_a_request_for_one_record_is_made_again_for_its_siblings() -> None:
    call = ApiCall(HOST + "/tree/api/docs?node=b101&lang=zh")
    nodes = ApiCall(HOST + "/tree/api/nodes")
    found, cut = siblings(call, [(nodes, {"data": [{"id": "s1", "label": "部门预算"}]}), (nodes, BODIES)])
    assert [(c.url, name) for c, name in found] == [
        (HOST + "/tree/api/docs?node=b101&lang=zh", "某县教育局"),  # the request itself first
        (HOST + "/tree/api/docs?node=b102&lang=zh", "某县卫生健康局"),
        (HOST + "/tree/api/docs?node=b103&lang=zh", "政策解读")]
    assert not cut
    posted = ApiCall(HOST + "/api/files", "POST", '{"deptId":5,"pageNo":1}', "application/json")
    depts = [{"deptId": n, "deptName": f"某县第{n}局"} for n in (4, 5, 6)]
    others, cut = siblings(posted, [(ApiCall(HOST + "/api/depts"), {"rows": depts})], limit=1)
    assert [json.loads(c.body) for c, _ in others] == [
        {"deptId": 5, "pageNo": 1}, {"deptId": 4, "pageNo": 1}] and cut


@pytest.mark.parametrize(("call", "answer_"), [
    (ApiCall(HOST + "/api/list?page=2&size=10"), {"rows": [{"page": 1}, {"page": 2}, {"page": 3}]}),  # paging
    (ApiCall(HOST + "/api/list?type=1"), {"rows": [{"type": 1}, {"type": 2}]}),  # too short to be an id
    (ApiCall(HOST + "/api/list?dept=b101"), {"rows": [{"id": "b101"}, {"id": "b101"}]}),  # not one record
    (ApiCall(HOST + "/api/list?callback=cb_1"), {"rows": [{"f": "cb_1"}, {"f": "cb_2"}]}),
    (ApiCall(HOST + "/api/other?after=x303"), {"rows": [{"id": "x302"}, {"id": "x303"}]}),  # a cursor
])
def test_no_siblings_for_paging_short_values_ambiguous_fields_or_callbacks(
    call: ApiCall, answer_: Any
) -> None:
    assert siblings(call, [(ApiCall(HOST + "/api/other?page=1"), answer_)]) == ([], False)


def test_the_siblings_of_a_probed_record_are_asked_for_under_its_lists_label() -> None:
    capture = Capture()
    capture.responses.append(_captured(HOST + "/tree/api/nodes?parent=s1", BODIES, label="部门预算"))
    docs = {"data": {"docs": [{"name": "2024年部门预算", "file": "/tree/files/b101.pdf"}]}}
    capture.responses.append(dict(_captured(HOST + "/tree/api/docs?node=b101&lang=zh", docs,
                                            label="部门预算 某县教育局"), section="部门预算"))
    out = list(explorer.FAMILY.requests(_rendered("tree", capture), context()))
    [link] = [o for o in out if isinstance(o, Link)]
    assert link == Link("2024年部门预算", HOST + "/tree/files/b101.pdf", "部门预算 某县教育局_公开目录")
    [sibling] = [o for o in out if isinstance(o, Request)]  # 政策解读 is not asked for
    assert sibling.url == HOST + "/tree/api/docs?node=b102&lang=zh" and "playwright" not in sibling.meta
    assert sibling.meta["family_state"]["label"] == "部门预算 某县卫生健康局"
    # its answer is mined under that label, and read as a list API of its own
    files = {"data": {"docs": [{"name": "附件", "file": "files/b102.pdf"}]}}
    assert list(explorer.FAMILY.requests(answer(sibling, json.dumps(files).encode()), context())) == [
        Link("附件", HOST + "/tree/files/b102.pdf", "部门预算 某县卫生健康局_公开目录")]


def test_the_apps_own_hash_routes_named_by_followable_links_are_rendered_on_their_own() -> None:
    capture = Capture()
    capture.clicks.append("部门决算")
    capture.links += [("某县林业局2023年部门决算", f"{HOST}/tree/#/doc/7", "部门决算"),
                      ("部门决算", f"{HOST}/tree/#/section/s2", ""),  # clicked already
                      ("网站地图", f"{HOST}/tree/#/sitemap", ""),  # not on a budget path
                      ("某县林业局2023年部门决算", f"{HOST}/other/#/doc/7", "")]  # another document
    ctx = context()
    out = list(explorer.FAMILY.requests(_rendered("tree", capture), ctx))
    [route] = [o for o in out if isinstance(o, Request)]
    assert route.url == f"{HOST}/tree/#/doc/7" and isinstance(route.meta[CAPTURE_META], Capture)
    assert route.meta["link_text"] == "某县林业局2023年部门决算" and route.dont_filter


# -- a list whose first request shows no paging: a "load more" click shows it -------------------------
FEED = [{"id": f"x{n}", "t": f"某县第{n}局2024年部门决算", "a": f"/f/{n}.pdf"} for n in range(1, 10)]


@pytest.mark.parametrize(("second", "paging"), [
    (ApiCall(HOST + "/api/feed?kind=a&pg=2&cb=cb_2"), Paging("query", "pg", "page", 2, 3, None, 1, "")),
    (ApiCall(HOST + "/api/feed?kind=a&skip=3&cb=cb_2"), Paging("query", "skip", "offset", 3, 3, None, 1, "")),
    (ApiCall(HOST + "/api/feed?kind=a&after=x3&cb=cb_2"),
     Paging("query", "after", "cursor", 0, 3, None, 1, "", cursor="id")),
])
def test_two_requests_of_one_list_show_its_paging(second: ApiCall, paging: Paging) -> None:
    first = ApiCall(HOST + "/api/feed?kind=a&cb=cb_1")
    assert infer_paging(first, {"items": FEED[:3], "more": True}) is None
    assert more_than_shown({"items": FEED[:3], "more": True})
    assert paging_from_pair(first, {"items": FEED[:3], "more": True}, second,
                            {"items": FEED[3:6], "more": True}) == paging


@pytest.mark.parametrize("second", [
    ApiCall(HOST + "/api/other?kind=a&pg=2"),  # another endpoint
    ApiCall(HOST + "/api/feed?kind=b&pg=2"),  # two parameters changed
    ApiCall(HOST + "/api/feed?kind=a&pg=7"),  # neither the next page, nor an offset, nor a cursor
])
def test_no_paging_from_requests_that_are_not_one_lists_pages(second: ApiCall) -> None:
    first = ApiCall(HOST + "/api/feed?kind=a")
    assert paging_from_pair(first, {"items": FEED[:3], "more": True}, second,
                            {"items": FEED[3:6], "more": True}) is None


def test_a_cursor_walk_asks_after_each_pages_last_record_until_a_short_page() -> None:
    capture = Capture()
    capture.clicks.append("加载更多")
    capture.responses.append(_captured(HOST + "/api/feed?kind=a&cb=cb_1", {"items": FEED[:3], "more": True}))
    capture.responses.append(_captured(HOST + "/api/feed?kind=a&after=x3&cb=cb_2",
                                       {"items": FEED[3:6], "more": True}))
    ctx = context()
    out = list(explorer.FAMILY.requests(_rendered("tabs", capture), ctx))
    [walk] = [o for o in out if isinstance(o, Request)]
    assert walk.url == HOST + "/api/feed?kind=a&after=x6&cb=cb_2"
    nxt = [o for o in explorer.FAMILY.requests(answer(walk, json.dumps({"items": FEED[6:9]}).encode()),
                                               ctx.for_response()) if isinstance(o, Request)]
    assert [n.url for n in nxt] == [HOST + "/api/feed?kind=a&after=x9&cb=cb_2"]
    last = answer(nxt[0], json.dumps({"items": FEED[:0]}).encode())
    assert [o for o in explorer.FAMILY.requests(last, ctx.for_response()) if isinstance(o, Request)] == []


# -- the render's own bounds, on a stand-in for a browser page -------------------------------------------
class FakePage:
    """Answers the explorer's DOM questions from a fixed list of clickable texts; clicks are noted."""

    url = HOST + "/app/"

    def __init__(self, texts: list[str]) -> None:
        self.texts, self.clicked = texts, []  # type: ignore[var-annotated]

    async def evaluate(self, script: str, arg: Any = None) -> Any:
        if isinstance(arg, list) and len(arg) == 3:  # the marking script: vocabulary or exact texts
            pattern, exact, _ = arg
            return [[t, True] for t in self.texts if (t in exact if exact else re.search(pattern, t))]
        return []  # links, unmarking

    def locator(self, selector: str) -> Any:
        page = self

        class First:
            async def click(self, timeout: float) -> None:
                index = int(re.search(r'"(\d+)"', selector).group(1))  # type: ignore[union-attr]
                page.clicked.append(index)

        class Locator:
            first = First()

        return Locator()


def _explore(capture: Capture, page: FakePage) -> None:
    import asyncio

    async def run() -> None:
        await capture.attach(page_events(), Request(HOST + "/app/", meta={"download_timeout": 60}))
        await capture.explore(page)

    asyncio.run(run())


def page_events() -> Any:
    class Events:
        def on(self, event: str, handler: Any) -> None:
            pass

    return Events()


def test_clicks_per_render_are_bounded_and_the_bound_noted() -> None:
    capture = Capture(RenderBounds(clicks=2))
    _explore(capture, FakePage(["部门预算", "部门决算", "三公经费", "机构职能"]))
    assert capture.clicks == ["部门预算", "部门决算"]
    assert capture.bounds_hit == ["clicks per render (2)"]


def test_seconds_per_render_are_bounded_and_the_bound_noted() -> None:
    capture = Capture(RenderBounds(seconds=0))
    _explore(capture, FakePage(["部门预算"]))
    assert capture.clicks == [] and capture.bounds_hit == ["seconds per render (0)"]


def test_each_vocabulary_node_is_clicked_once_and_labels_what_follows() -> None:
    capture = Capture()
    _explore(capture, FakePage(["政策解读", "部门预算", "绩效", "部门预算公开.pdf"]))
    assert capture.clicks == ["部门预算", "绩效"] and capture.bounds_hit == []
    assert (capture.label, capture.section) == ("绩效", "绩效")


# -- more ways a script shows what it reads ---------------------------------------------------------
def test_a_shell_whose_only_followed_links_are_routes_of_itself_is_rendered() -> None:
    url = f"{HOST}/app/index.html"
    page = _html(f'<!DOCTYPE html><html><body>{HEADER}<a href="index.html#/budget">部门预算</a>'
                 '<div id="app"></div><script src="app.js"></script></body></html>', url)
    ctx = context()
    ctx.followed = 1  # the spider followed index.html#/budget: this very page again
    [request] = explorer.FAMILY.requests(page, ctx)
    assert request.url == url and request.meta["playwright"]
    ctx = context()
    ctx.followed = 2  # something else was followed too
    assert list(explorer.FAMILY.requests(page, ctx)) == []


def test_a_list_that_links_its_next_page_is_walked_by_the_links() -> None:
    first = ApiCall(HOST + "/api/records/?format=json")
    data = {"count": 7, "next": "/api/records/?format=json&cursor=cD0y", "results": FEED[:3]}
    assert infer_paging(first, data) is None
    assert next_link(first, data) == HOST + "/api/records/?format=json&cursor=cD0y"
    assert next_link(first, {"links": {"next": {"href": "/other/?p=2"}}, "data": FEED[:3]}) is None
    assert next_link(first, {"_links": {"next": {"href": "?page=2"}}, "items": FEED[:3]}) == (
        HOST + "/api/records/?page=2")
    capture = Capture()
    capture.responses.append(_captured(first.url, data))
    ctx = context()
    out = list(explorer.FAMILY.requests(_rendered("records", capture), ctx))
    [walk] = [o for o in out if isinstance(o, Request)]
    assert walk.url == HOST + "/api/records/?format=json&cursor=cD0y"
    page2 = {"count": 7, "next": "/api/records/?format=json&cursor=cD0z", "results": FEED[3:6]}
    [nxt] = [o for o in explorer.FAMILY.requests(answer(walk, json.dumps(page2).encode()), ctx.for_response())
             if isinstance(o, Request)]
    assert nxt.url == HOST + "/api/records/?format=json&cursor=cD0z"
    last = {"count": 7, "next": None, "results": FEED[6:7]}
    out = list(explorer.FAMILY.requests(answer(nxt, json.dumps(last).encode()), ctx.for_response()))
    assert [o.url for o in out] == [HOST + "/f/7.pdf"]


DOCS = {"rows": [{"fileId": f"F{n}", "title": f"某县第{n}局2024年部门预算", "dept": f"第{n}局"}
                 for n in (1, 2, 3)]}


def test_a_list_of_documents_without_urls_is_told() -> None:
    assert documents_without_links(DOCS, HOST + "/api/docs")
    assert not documents_without_links({"rows": [{"title": "某局2024年部门预算", "url": "/f/1.pdf"}]}, HOST)
    assert not documents_without_links(BODIES, HOST + "/api/nodes")


def test_what_a_click_opened_is_linked_for_every_record_of_its_list() -> None:
    capture = Capture()
    capture.responses.append(_captured(HOST + "/api/docs?page=1", DOCS))
    capture.opened.append(("下载", HOST + "/common/file/F2/download", "部门预算"))
    capture.opened.append(("查看", HOST + "/other/view.html", ""))
    out = list(explorer.FAMILY.requests(_rendered("rows", capture), context()))
    links = [o for o in out if isinstance(o, Link)]
    assert [(a.url, a.referrer, a.format) for a in out if isinstance(a, Answer)] == [
        (HOST + "/api/docs?page=1", f"{HOST}/rows/", "json")]  # the captured answer, archived as read
    assert links == [
        Link("某县第2局2024年部门预算", HOST + "/common/file/F2/download", "部门预算_预决算公开"),
        Link("某县第1局2024年部门预算", HOST + "/common/file/F1/download", "部门预算_预决算公开"),
        Link("某县第3局2024年部门预算", HOST + "/common/file/F3/download", "部门预算_预决算公开"),
        Link("查看", HOST + "/other/view.html", "预决算公开"),
    ]


def test_years_are_clicked_after_the_sections_and_read_within_the_last_one() -> None:
    capture = Capture()
    _explore(capture, FakePage(["2024年", "2023年", "部门决算", "2015年"]))
    assert capture.clicks == ["部门决算", "2024年", "2023年"]
    assert (capture.label, capture.section) == ("部门决算 2023年", "部门决算")
