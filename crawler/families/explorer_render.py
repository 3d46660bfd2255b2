"""The generic explorer's browser side: one render of a script shell, recorded and explored.

``Capture`` rides in the render request's meta. Its ``attach`` is scrapy-playwright's
``playwright_page_init_callback``: before the page loads it listens to every response and keeps the
XHR, fetch and JSONP (script) answers that parse as JSON, and the XHR and fetch answers that are HTML
fragments with links (``format`` ``html``) (URL, method, POST body and type, the request headers
worth replaying, status, content type, body text; bounded in count and size); when the render ends,
it keeps the browser's cookies (``cookies``: those the page's scripts set included). Its
``explore`` is the render's one page method. It waits until no request has been in flight for half a
second, then clicks, one at a time, the visible elements that are no followed link and whose own
short text is disclosure vocabulary (部门预算, 部门决算, 预决算公开, 财政预决算, 三公经费, 绩效; no
decoy such as 政策解读), then the year nodes (2024年), controls first (a button, a role, an
``onclick``, a pointer cursor), then leaves with a short label of their own (a listener attached by
script shows in none of these), waiting again after each. When none is left and nothing
captured lists anything, it presses a query form's button once (查询, 搜索, 检索: a form that lists
nothing until it is submitted, with its fields as they are); then it clicks "load more" (加载更多,
下一页) once for each captured list that has more pages but no paging parameter in its request
(the second request shows it), a row's "view"/"download" control (查看, 下载) once for each
captured list of documents without URLs (what it opens, a popup, a download or another document, is
recorded in ``opened``), and probes one record of each captured list that names no document (a
body, a year: the texts of its records, found in the DOM): what those clicks ask for or open shows
the family how to ask for every other record over plain HTTP. After each click the
rendered ``<a href>`` links are recorded; what is recorded after a click carries its label. Bounds
(``RenderBounds``): answers and bytes per render, clicks (the family's share of the site's),
seconds; each bound hit is noted in ``bounds_hit`` for the family to log. Every request the page
makes passes the browser URL guard, as for any rendered page (``browser_handler``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from dataclasses import dataclass
from typing import Any

from scrapy_playwright.page import PageMethod

from govbudget.crawler.classify import fiscal_year_of, names_decoy
from govbudget.crawler.families.explorer_fragment import is_fragment
from govbudget.crawler.families.explorer_json import (
    ApiCall,
    documents,
    endpoint,
    infer_paging,
    more_than_shown,
    read_json,
    record_lists,
    records_of,
)
from govbudget.crawler.link_policy import MIN_FISCAL_YEAR

logger = logging.getLogger(__name__)

CAPTURE_META = "explorer_capture"
# What a navigation node that leads to disclosures says.
VOCABULARY = re.compile(
    r"部门预算|部门决算|单位预算|单位决算|预决算|财政预算|财政决算|政府预算|政府决算|预算公开|决算公开|"
    r"三公经费|绩效"
)
YEAR_NODE = re.compile(r"^20[0-4]\d\s*年?度?$")  # a year's tab or tree node
_FILE_NAME = re.compile(r"\.(?:pdf|xlsx?|docx?|wps|et|zip|rar|7z|ofd|csv)$", re.I)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MAX_PROBE_TEXTS = 200
_DOCUMENT_WORDS = re.compile(r"预算|决算|三公|绩效")
# A row's control that opens or downloads its document.
_ACTION_CONTROL = r"^(?:点击)?(?:下载|查看|预览|详情|打开|阅读|浏览)(?:附件|文件|详情|全文|原文)?$"
# A form's control that shows its list (a query form lists nothing until it is submitted).
_SEARCH_CONTROL = r"^(?:查询|搜索|检索|查找|查\s*询|搜\s*索|开始查询|立即查询|确定|提交|[Ss]earch)$"
# A control that shows a list's next page (its request tells how the list pages).
_MORE_CONTROL = (r"^(?:点击)?(?:加载|查看|显示)?更多(?:内容|信息|数据)?$"
                 r"|^(?:下一?页|后一页|[>›»]|>>|[Nn]ext|[Mm]ore)$")
_MAX_LABEL = 30  # characters: a longer text is content, not a navigation node
_MAX_LINKS = 3000  # per snapshot of the DOM's links
_DEADLINE_MARGIN_S = 10.0
_QUIET_S = 0.5  # the network counts as quiet after this long without a request in flight
_WAIT_S = 6.0  # the longest wait for quiet after a load or a click
_CAPTURED_TYPES = frozenset({"xhr", "fetch", "script"})
_MAX_COOKIES = 50
_REPLAYED_HEADERS = re.compile(
    r"^(?:accept|content-type|x-requested-with|authorization|x-[\w-]+|[\w-]*token[\w-]*)$", re.I)
_NOT_REPLAYED = re.compile(r"^(?:x-forwarded-.*|x-real-ip|x-client-data)$", re.I)

# Marks the visible, unlinked elements whose own text is short and matches the vocabulary (the
# deepest such element), and returns [text, clickable] for each, in document order: a control (a
# button, a role, an onclick, a pointer cursor) or, outside tables and paragraphs, a leaf element
# with a short label of its own (a listener attached by script shows in none of these).
_MARK = """([pattern, exact, maxLen]) => {
  const re = new RegExp(pattern);
  const wanted = new Set(exact || []);
  const matches = t => wanted.size ? wanted.has(t) : re.test(t);
  document.querySelectorAll('[data-govbudget-click]').forEach(e => e.removeAttribute('data-govbudget-click'));
  const norm = t => (t || '').replace(/\\s+/g, ' ').trim();
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'OPTION', 'SELECT', 'IFRAME'].includes(el.tagName)) {
      continue;
    }
    const raw = el.textContent || '';
    if (!raw.trim() || raw.length > maxLen * 4) continue;
    const text = norm(el.innerText || raw);
    if (!text || text.length > maxLen || !matches(text)) continue;
    if ([...el.children].some(c => norm(c.innerText || c.textContent) === text)) continue;
    const a = el.closest('a[href]');
    if (a) {
      const h = (a.getAttribute('href') || '').trim().toLowerCase();
      if (h && !h.startsWith('#') && !h.startsWith('javascript:')) continue;
    }
    const r = el.getBoundingClientRect();
    const st = window.getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || st.visibility === 'hidden' || st.display === 'none') continue;
    const role = (el.getAttribute('role') || '').toLowerCase();
    const clickable = ['A', 'BUTTON'].includes(el.tagName) || el.hasAttribute('onclick') ||
      ['button', 'tab', 'menuitem', 'treeitem', 'link', 'option'].includes(role) || st.cursor === 'pointer';
    if (!clickable) {  // a leaf with a short label, outside tables and paragraphs: a script's control
      const own = norm([...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join(' '));
      if (own !== text || text.length > 12 || el.closest('table, p')) continue;
    }
    el.setAttribute('data-govbudget-click', String(out.length));
    out.push([text, clickable]);
  }
  return out;
}"""
# The page's visible <select>s with two options or more: [the chosen value, [[value, text], …]].
_SELECTS = """([maxSelects, maxOptions]) => Array.from(document.querySelectorAll('select'))
  .filter(s => s.options.length > 1 && s.getBoundingClientRect().width > 0)
  .slice(0, maxSelects)
  .map(s => [s.value, Array.from(s.options).slice(0, maxOptions)
    .map(o => [o.value, (o.textContent || '').replace(/\\s+/g, ' ').trim()])])"""
_UNMARK = "() => document.querySelectorAll('[data-govbudget-click]')" \
          ".forEach(e => e.removeAttribute('data-govbudget-click'))"
_LINKS = """(max) => Array.from(document.querySelectorAll('a[href], area[href]')).slice(0, max).map(a => [
  (a.innerText || a.textContent || '').replace(/\\s+/g, ' ').trim() || a.getAttribute('title') || '',
  a.href])"""


@dataclass(frozen=True)
class RenderBounds:
    """What one render may cost."""

    responses: int = 60  # API answers kept
    response_bytes: int = 2 * 1024 * 1024  # one answer's body
    total_bytes: int = 16 * 1024 * 1024  # all answers' bodies
    clicks: int = 8
    seconds: float = 30.0


class Capture:
    """What one render of a shell showed: API answers, clicks, and links seen after each click."""

    def __init__(self, bounds: RenderBounds | None = None) -> None:
        self.bounds = bounds or RenderBounds()
        self.responses: list[dict[str, Any]] = []
        self.links: list[tuple[str, str, str]] = []  # (text, absolute URL, label clicked before)
        # what a click opened: a popup, a download, another document (text clicked, URL, label)
        self.opened: list[tuple[str, str, str]] = []
        self._clicking = ""
        self._actions = 0  # captured lists of documents whose records give no URL
        self.clicks: list[str] = []
        self.bounds_hit: list[str] = []
        self.errors: list[str] = []
        self.label = ""  # what was clicked last: a vocabulary node, then a probed record after it
        self.section = ""  # the vocabulary node clicked last
        # per captured list naming no document: the label it was captured under, its records' texts
        self._probes: list[tuple[str, list[str]]] = []
        self._unpaged = 0  # captured lists with more pages and no paging parameter to be seen
        self._paged: set[tuple[str, str]] = set()  # their endpoints
        # the browser's cookies when the render ended (those its scripts set included): (name,
        # value, domain), for the plain-HTTP requests that go on from the render
        self.cookies: list[tuple[str, str, str]] = []
        # the page's <select>s as first shown: (chosen value, [(value, text), …])
        self.selects: list[tuple[str, list[tuple[str, str]]]] = []
        self._bytes = 0
        self._latest = float("inf")
        self._inflight = 0
        self._last_activity = 0.0
        self._tasks: set[asyncio.Task[None]] = set()

    def meta(self) -> dict[str, Any]:
        """Request meta that renders the page with this capture (see the module docstring)."""
        return {
            "playwright": True,
            "playwright_include_page": False,
            "playwright_page_init_callback": self.attach,
            "playwright_page_methods": [PageMethod(self.explore)],
            CAPTURE_META: self,
        }

    def _hit(self, bound: str) -> None:
        if bound not in self.bounds_hit:
            self.bounds_hit.append(bound)

    # -- recording -----------------------------------------------------------------------------------
    async def attach(self, page: Any, request: Any) -> None:
        """``playwright_page_init_callback``: listen before the page loads (a retried render starts over)."""
        self.responses.clear()
        self.links.clear()
        self.opened.clear()
        self._actions = 0
        self.clicks.clear()
        self.bounds_hit.clear()
        self.errors.clear()
        self._probes.clear()
        self.cookies.clear()
        self.selects.clear()
        self._unpaged = 0
        self._paged.clear()
        self.label, self.section, self._bytes, self._inflight = "", "", 0, 0
        now = self._last_activity = asyncio.get_running_loop().time()
        # the whole render must end within the request's download deadline (browser_handler): keep
        # a margin for the page's content and its closing
        timeout = float(request.meta.get("download_timeout") or 0) if hasattr(request, "meta") else 0.0
        self._latest = now + timeout - _DEADLINE_MARGIN_S if timeout > _DEADLINE_MARGIN_S else float("inf")
        page.on("request", self._on_request)
        page.on("requestfinished", self._on_done)
        page.on("requestfailed", self._on_done)
        page.on("response", self._on_response)
        page.on("popup", self._on_popup)
        page.on("download", self._on_download)

    def _on_request(self, request: Any) -> None:
        self._inflight += 1
        self._last_activity = asyncio.get_running_loop().time()

    def _on_done(self, request: Any) -> None:
        self._inflight = max(0, self._inflight - 1)
        self._last_activity = asyncio.get_running_loop().time()

    def _open(self, url: str) -> None:
        if url.startswith(("http://", "https://")) and self._clicking:
            self.opened.append((self._clicking, url, self.label))

    def _on_popup(self, popup: Any) -> None:
        """``window.open`` from a click: its URL is what the click shows (the guard closes it)."""
        with contextlib.suppress(Exception):
            self._open(popup.url)
            popup.once("request", lambda request: self._open(request.url))

    def _on_download(self, download: Any) -> None:
        """A click that downloads: its URL is what the click shows; the browser need not fetch it."""
        with contextlib.suppress(Exception):
            self._open(download.url)
            task = asyncio.ensure_future(download.cancel())
            self._tasks.add(task)  # type: ignore[arg-type]
            task.add_done_callback(self._tasks.discard)  # type: ignore[arg-type]

    def _on_response(self, response: Any) -> None:
        try:
            kind = response.request.resource_type
        except Exception:
            return
        if kind not in _CAPTURED_TYPES or not 200 <= response.status < 300:
            return
        if kind == "script" and "?" not in response.url:  # JSONP names its callback in the query
            return
        if len(self.responses) + len(self._tasks) >= self.bounds.responses:
            self._hit(f"responses per render ({self.bounds.responses})")
            return
        task = asyncio.ensure_future(self._record(response, kind, self.label, self.section))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _record(self, response: Any, kind: str, label: str, section: str) -> None:
        try:
            headers = await response.all_headers()
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.bounds.response_bytes:
                self._hit(f"bytes per response ({self.bounds.response_bytes})")
                return
            body = await response.body()
        except Exception as exc:  # a redirect has no body; a closed page none either
            self.errors.append(f"{response.url}: {type(exc).__name__}")
            return
        if len(body) > self.bounds.response_bytes:
            self._hit(f"bytes per response ({self.bounds.response_bytes})")
            return
        if self._bytes + len(body) > self.bounds.total_bytes:
            self._hit(f"bytes per render ({self.bounds.total_bytes})")
            return
        text = _decode(body, headers.get("content-type", ""))
        data = read_json(text)
        fragment = data is None and kind != "script" and is_fragment(text, headers.get("content-type", ""))
        if data is None and not fragment:  # a script, a page without links: nothing to mine
            return
        if fragment:
            await self._keep(response, kind, text, body, headers, label, section, "html")
            return
        self._probes.extend((label, texts) for texts in probe_texts(data, response.url))
        if documents_without_links(data, response.url):
            self._actions += 1  # a row's "download" control will show how its files are asked for
        request = response.request
        try:
            post = request.post_data or ""
        except Exception:  # a binary body
            post = ""
        try:
            sent = await request.all_headers()
        except Exception:
            sent = {}
        call = ApiCall(response.url, request.method, post, sent.get("content-type", ""))
        if more_than_shown(data) and infer_paging(call, data) is None and endpoint(call) not in self._paged:
            self._paged.add(endpoint(call))
            self._unpaged += 1  # a "load more" click will show how its next page is asked for
        self._append(response, kind, text, body, headers, label, section, "json", post, sent)

    async def _keep(self, response: Any, kind: str, text: str, raw: bytes, headers: dict[str, str],
                    label: str, section: str, fmt: str) -> None:
        """Record an answer that is no JSON (an HTML fragment), with the request that asked for it."""
        request = response.request
        try:
            post = request.post_data or ""
        except Exception:
            post = ""
        try:
            sent = await request.all_headers()
        except Exception:
            sent = {}
        self._append(response, kind, text, raw, headers, label, section, fmt, post, sent)

    def _append(self, response: Any, kind: str, text: str, raw: bytes, headers: dict[str, str], label: str,
                section: str, fmt: str, post: str, sent: dict[str, str]) -> None:
        self._bytes += len(raw)
        self.responses.append({
            "url": response.url, "method": response.request.method, "post_data": post,
            "request_content_type": sent.get("content-type", ""),
            "headers": {k: v for k, v in sent.items()
                        if _REPLAYED_HEADERS.match(k) and not _NOT_REPLAYED.match(k)},
            "status": response.status, "content_type": headers.get("content-type", ""),
            "body": text, "label": label, "section": section, "resource_type": kind, "format": fmt,
            "response_headers": dict(headers), "raw": raw,
        })

    # -- exploring -----------------------------------------------------------------------------------
    async def explore(self, page: Any) -> None:
        """The render's page method: wait, click the vocabulary nodes, record links; never raises."""
        loop = asyncio.get_running_loop()
        deadline = min(loop.time() + self.bounds.seconds, self._latest)
        try:
            await self._quiet(deadline)
            with contextlib.suppress(Exception):
                self.selects = [(str(chosen), [(str(v), str(t)) for v, t in options])
                                for chosen, options in await page.evaluate(_SELECTS, [20, 100])]
            await self._click_through(page, deadline)
        except Exception as exc:  # the page is archived as rendered so far
            self.errors.append(f"explore: {type(exc).__name__}: {exc}")
        finally:
            with contextlib.suppress(Exception):
                await page.evaluate(_UNMARK)
            await self._settle(deadline)
            with contextlib.suppress(Exception):
                self.cookies = [(str(c["name"]), str(c["value"]), str(c.get("domain") or ""))
                                for c in (await page.context.cookies())[:_MAX_COOKIES]]

    async def _click_through(self, page: Any, deadline: float) -> None:
        """Click each vocabulary node once; when none is left, "load more" of each list that pages
        by a parameter its first request lacks, a row's "view"/"download" control of each list of
        documents without URLs, then probe one record of each list that names no document (what
        those clicks ask for or open shows how every other record is asked for)."""
        loop = asyncio.get_running_loop()
        done: set[tuple[str, int]] = set()
        probed = more = actions = 0
        searched = False
        while True:
            pick = await self._next_node(page, done)
            probe = under = ""
            keep = False  # the label stays: a "load more" or a row's control shows the same list
            if pick is None and not searched and not self._listed():  # a query form: submit it once
                searched = True
                pick = _first(await page.evaluate(_MARK, [_SEARCH_CONTROL, [], 12]))
            while pick is None and more < self._unpaged:  # a list's next page, to see how it is asked
                more += 1
                pick = _first(await page.evaluate(_MARK, [_MORE_CONTROL, [], 12]))
                keep = pick is not None
            while pick is None and actions < self._actions:  # a row's "view"/"download" control
                actions += 1
                pick = _first(await page.evaluate(_MARK, [_ACTION_CONTROL, [], 12]))
                keep = pick is not None
            while pick is None and probed < len(self._probes):
                under, wanted = self._probes[probed]
                probed += 1
                if set(wanted) & set(self.clicks):  # the navigation itself, clicked already
                    continue
                wanted = [t for t in wanted if not names_decoy(t)][:_MAX_PROBE_TEXTS]
                pick = _first(await page.evaluate(_MARK, ["$^", wanted, _MAX_LABEL])) if wanted else None
                probe = pick[1] if pick else ""
            if pick is None:
                return
            if len(self.clicks) >= self.bounds.clicks:
                self._hit(f"clicks per render ({self.bounds.clicks})")
                return
            if loop.time() >= deadline:
                self._hit(f"seconds per render ({self.bounds.seconds:.0f})")
                return
            index, text = pick
            await self._snapshot_links(page)
            before = page.url.split("#", 1)[0]
            if probe:  # what the probed record's answer holds is read under its list's label
                self.section, self.label = under, f"{under} {probe}".strip()
            elif YEAR_NODE.match(text):  # a year within the section clicked last
                self.label = f"{self.section} {text}".strip()
            elif not keep:
                self.section = self.label = text
            self._clicking = text
            try:
                await page.locator(f'[data-govbudget-click="{index}"]').first.click(timeout=3000)
            except Exception as exc:
                self.errors.append(f"click {text}: {type(exc).__name__}")
                continue
            self.clicks.append(text)
            await self._quiet(deadline)
            self._clicking = ""
            if page.url.split("#", 1)[0] != before:  # the click left the page: note where, come back
                self.links.append((text, page.url, self.label))
                self.opened.append((text, page.url, self.label))
                with contextlib.suppress(Exception):
                    await page.go_back(wait_until="load", timeout=10_000)
                await self._quiet(deadline)
            await self._snapshot_links(page)

    def _listed(self) -> bool:
        """Whether an answer captured so far lists anything (records, or a fragment's links)."""
        return any(a.get("format") == "html" or records_of(read_json(a["body"]))
                   for a in self.responses)

    async def _next_node(self, page: Any, done: set[tuple[str, int]]) -> tuple[int, str] | None:
        """The first vocabulary node not clicked yet (marked for the click), else None."""
        pattern = f"{VOCABULARY.pattern}|{YEAR_NODE.pattern}"
        marked: list[list[Any]] = await page.evaluate(_MARK, [pattern, [], _MAX_LABEL])
        seen: dict[str, int] = {}
        candidates: list[tuple[bool, bool, int, str, tuple[str, int]]] = []
        for index, (text, clickable) in enumerate(marked):
            nth = seen[text] = seen.get(text, -1) + 1
            if (text, nth) not in done and is_navigation(text):
                candidates.append((bool(YEAR_NODE.match(text)), not clickable, index, text, (text, nth)))
        if not candidates:
            return None
        _, _, index, text, key = min(candidates)  # sections before years, controls first, in order
        done.add(key)
        return index, text

    async def _snapshot_links(self, page: Any) -> None:
        with contextlib.suppress(Exception):
            for text, href in await page.evaluate(_LINKS, _MAX_LINKS):
                if href and href.startswith(("http://", "https://")):
                    self.links.append((text, href, self.label))

    async def _quiet(self, deadline: float) -> None:
        """Wait until no request has been in flight for ``_QUIET_S`` (at most ``_WAIT_S``)."""
        loop = asyncio.get_running_loop()
        until = min(deadline, loop.time() + _WAIT_S)
        await asyncio.sleep(0.05)
        while loop.time() < until:
            if self._inflight == 0 and loop.time() - self._last_activity >= _QUIET_S:
                return
            await asyncio.sleep(0.05)

    async def _settle(self, deadline: float) -> None:
        """Let the answers being read finish (they are lost once the page closes)."""
        if self._tasks:
            timeout = max(1.0, deadline - asyncio.get_running_loop().time())
            await asyncio.wait(set(self._tasks), timeout=timeout)


def _first(marked: list[list[Any]]) -> tuple[int, str] | None:
    """The first control among marked elements, else the first element: (its mark, its text)."""
    ranked = sorted((not clickable, index, text) for index, (text, clickable) in enumerate(marked))
    return (ranked[0][1], ranked[0][2]) if ranked else None


def probe_texts(data: Any, url: str) -> list[list[str]]:
    """For each list of records in an answer that names no document (departments, years, units):
    the short texts of its records, which a node standing for one of them would show."""
    if any(doc.file for doc in documents(data, url)):
        return []
    out: list[list[str]] = []
    for records in record_lists(data):
        texts = [v.strip() for r in records for v in r.values()
                 if isinstance(v, str) and 2 <= len(v.strip()) <= _MAX_LABEL and _CJK.search(v)]
        if texts:
            out.append(list(dict.fromkeys(texts)))
    return out


def documents_without_links(data: Any, url: str) -> bool:
    """An answer listing documents (records titled 部门预算, 决算, 三公, 绩效) without their URLs."""
    if any(doc.file for doc in documents(data, url)):
        return False
    return any(isinstance(v, str) and len(v) <= 200 and _DOCUMENT_WORDS.search(v)
               for records in record_lists(data) for r in records for v in r.values())


def is_navigation(text: str) -> bool:
    """A node worth a click: disclosure vocabulary (or a year alone: 2024年, a year's tab), no decoy
    (解读, 新闻, …), no year too old, and no file's name (a download control, which the JSON or the
    link gives anyway)."""
    year = fiscal_year_of(text)
    if _FILE_NAME.search(text) or names_decoy(text) or (year and year < MIN_FISCAL_YEAR):
        return False
    return bool(VOCABULARY.search(text) or YEAR_NODE.match(text))


def _decode(body: bytes, content_type: str) -> str:
    match = re.search(r"charset=([\w-]+)", content_type, re.I)
    for encoding in (match.group(1) if match else "utf-8", "utf-8", "gb18030"):
        try:
            return body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", "replace")


def capture_of(response: Any) -> Capture | None:
    """The capture of a page the explorer rendered, else None."""
    try:
        capture = response.meta.get(CAPTURE_META)
    except AttributeError:
        return None
    return capture if isinstance(capture, Capture) else None
