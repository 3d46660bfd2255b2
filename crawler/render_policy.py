"""When a request goes to the browser, and how browser pages are kept in check.

A browser costs ~10x a plain request (``stack_facts.md``), so it is used only when a page needs
one: the site is known to need it (``render_hosts``), or a page is a script shell with nothing
worth following, which the generic explorer (``families.explorer``, the last family) renders once.
``shell_signs`` is the one shell detector: an empty mount node, a ``<noscript>`` asking for
JavaScript, a body of scripts, or no content links while scripts are present. Files are always
downloaded over plain HTTP. Whatever a rendered page loads obeys the same URL policy as plain HTTP
(``browser_guard``).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import Any

from scrapy.http import TextResponse
from scrapy_playwright.page import PageMethod

_SCRIPT = re.compile(rb"<script\b", re.I)
_HTML = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
                   rb"<(?:!doctype\s+html|html|head|body|meta|title|div|script)\b", re.I | re.S)
# Where single-page apps mount: ids and classes, attributes and elements of Vue, React, Angular, Next…
_MOUNT_NAMES = frozenset({"app", "root", "__next", "__nuxt", "__layout", "q-app", "main-app", "vue-app",
                          "react-root", "app-root", "mount", "application", "spa", "approot", "appmain"})
_MOUNT_ATTRS = ("v-cloak", "ng-app", "ng-view", "ui-view", "data-reactroot", "data-v-app")
_MOUNT_TAGS = ("app-root", "router-view", "ng-view", "ui-view")
_ASKS_FOR_JS = re.compile(r"javascript|\bjs\b|脚本|启用|开启|打开|允许|支持|浏览器", re.I)
_TEMPLATE = re.compile(r"\{\{.+?\}\}")
_MIN_BODY_TEXT = 50  # characters (spaces aside): less, with scripts, is a body of scripts
_NOT_CONTENT = ("#", "javascript:", "mailto:", "tel:", "about:")
_HIDDEN = "self::script or self::style or self::noscript or self::template"
_MOUNT_WORDS = b"|".join(re.escape(n.encode()) for n in sorted(_MOUNT_NAMES))
_MOUNT_HINT = re.compile(  # a cheap look at the bytes before the XPath look at the tree
    rb"<(?:app-root|router-view|ng-view|ui-view)\b|\b(?:v-cloak|ng-app|ng-view|ui-view|data-reactroot|"
    rb"data-v-app)\b|(?:id|class)\s*=\s*[\"']?[^\"'>]*?\b(?:" + _MOUNT_WORDS + rb")\b", re.I)
# Elements a list is built in, and how a script looks one up by its id.
_CONTAINERS = " or ".join(f"self::{t}" for t in (
    "div", "ul", "ol", "dl", "table", "tbody", "section", "main", "article"))
_LOOKUP = (r"getElementById\(\s*['\"]{id}['\"]|['\"]#{id}(?![\w-])|\bel\s*:\s*['\"]#{id}['\"]")
_MAX_SCRIPT_CHARS = 500_000
_LIST_NAME = re.compile(r"list|items|rows|records|result|grid|table|docs|files", re.I)
_BODY_START = re.compile(r"<body\b[^>]*>", re.I)
_HIDDEN_BLOCKS = re.compile(r"<!--.*?-->|<(script|style|noscript|template)\b.*?</\1\s*>", re.I | re.S)
_TAGS = re.compile(r"<[^>]*>")
_NOT_TEXT = re.compile(r"\s+|&nbsp;|&#160;|\xa0")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def browser_meta() -> dict[str, Any]:
    """Request meta that routes a page through scrapy-playwright and waits for its XHRs."""
    return {
        "playwright": True,
        "playwright_include_page": False,
        "playwright_page_methods": [PageMethod("wait_for_load_state", "networkidle")],
    }


def challenge_meta() -> dict[str, Any]:
    """Browser meta for a challenge page: keep the page so its cookies can be read, accept 4xx/5xx."""
    return {
        "playwright": True,
        "playwright_include_page": True,
        "handle_httpstatus_all": True,
        "playwright_page_methods": [PageMethod("wait_for_load_state", "load")],
    }


async def cookies_after_challenge(page: Any, timeout: float = 15.0) -> list[dict[str, Any]]:
    """Wait until the challenge script has set its cookie and the page reloaded, then read the cookies.

    scrapy-playwright does not copy cookies set by page JavaScript into Scrapy's jar, so the caller
    hands them to plain requests itself. Every browser call has its own deadline: a hung renderer
    must not hang the crawl.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        try:
            html = await asyncio.wait_for(page.content(), timeout)
        except Exception:
            html = 'r="m"'
        if 'r="m"' not in html and "document.cookie" not in html:
            break
        await asyncio.sleep(0.2)
    return list(await asyncio.wait_for(page.context.cookies(), timeout))


async def close_page(page: Any, timeout: float = 10.0) -> None:
    """Close a browser page, giving up after ``timeout`` seconds rather than hanging the crawl."""
    with contextlib.suppress(Exception):
        await asyncio.wait_for(page.close(), timeout)


def needs_browser(response: TextResponse) -> bool:
    """A plain-HTTP page that is a script shell (`shell_signs`): only the browser shows its content."""
    return bool(shell_signs(response, first=True))


def shell_signs(response: TextResponse, *, first: bool = False) -> list[str]:
    """Why a plain-HTTP HTML page is a script shell; empty when it is not one (or was rendered).

    A page is a shell when it has scripts and one of: an empty mount node (``<div id="app">``, a
    ``v-cloak`` or ``ng-view`` element, ``<app-root>``; a node holding only ``{{ template }}`` text),
    a ``<noscript>`` asking for JavaScript, a body of scripts (under 50 characters of text), or no
    content link (``<a href>``/``<area href>`` to anything but ``#``, ``javascript:``, ``mailto:``).
    ``first`` stops at the first sign found (the checks run cheapest first).
    """
    try:
        if response.meta.get("playwright"):
            return []
    except AttributeError:  # a response built without a request (a saved page) has no meta
        pass
    body = response.body
    ctype = response.headers.get("Content-Type", b"").lower()
    if not _SCRIPT.search(body) or not (b"html" in ctype or _HTML.match(body[:4096])):
        return []
    signs: list[str] = []
    checks = (_empty_mount_sign, _noscript_sign, _body_of_scripts_sign, _no_content_links_sign)
    for check in checks:
        sign = check(response)
        if sign:
            signs.append(sign)
            if first:
                break
    order = {"empty": 0, "noscript": 1, "a body": 2, "no content": 3}
    return sorted(signs, key=lambda s: next(v for k, v in order.items() if s.startswith(k)))


def _noscript_sign(response: TextResponse) -> str:
    for noscript in response.xpath("//noscript"):
        if _ASKS_FOR_JS.search(" ".join(noscript.xpath(".//text()").getall())):
            return "noscript asks for JavaScript"
    return ""


def _no_content_links_sign(response: TextResponse) -> str:
    for href in response.xpath("//a/@href | //area/@href").getall():
        if href.strip() and not href.strip().lower().startswith(_NOT_CONTENT):
            return ""
    return "no content links"


def _body_of_scripts_sign(response: TextResponse) -> str:
    body = response.text
    start = _BODY_START.search(body)
    text = _TAGS.sub(" ", _HIDDEN_BLOCKS.sub(" ", body[start.end() if start else 0:]))
    return "a body of scripts" if len(_NOT_TEXT.sub("", text)) < _MIN_BODY_TEXT else ""


def _empty_mount_sign(response: TextResponse) -> str:
    """The first empty mount node of the page (``empty mount node <tag#id>``), or ``""``: one named
    or marked as a framework's, else an empty container the page's own script looks up by its id."""
    if not _MOUNT_HINT.search(response.body):  # cheap: most pages name no framework's mount at all
        return _filled_by_script(response)
    lower = "translate({}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    named = " or ".join(
        [f"{lower.format('@id')}='{n}'" for n in sorted(_MOUNT_NAMES)]
        + [f"contains(concat(' ', {lower.format('normalize-space(@class)')}, ' '), ' {n} ')"
           for n in sorted(_MOUNT_NAMES)]
        + [f"@{a}" for a in _MOUNT_ATTRS] + [f"self::{t}" for t in _MOUNT_TAGS])
    for node in response.xpath(f"//body//*[(@id or @class or {' or '.join(f'@{a}' for a in _MOUNT_ATTRS)} "
                               f"or {' or '.join(f'self::{t}' for t in _MOUNT_TAGS)}) and ({named})]"):
        text = "".join(node.xpath(f".//text()[not(parent::*[{_HIDDEN}])]").getall())
        if (node.xpath(f"./*[not({_HIDDEN})]") or text.strip()) and not _TEMPLATE.search(text):
            continue  # a mount with content, not one its script fills
        tag = node.xpath("name()").get() or ""
        ident = (node.attrib.get("id") or "").strip()
        return f"empty mount node <{tag}{'#' + ident if ident else ''}>"
    return _filled_by_script(response)


def _filled_by_script(response: TextResponse) -> str:
    """An empty list container: one the page's own script looks up by its id (``<div id="x">`` and
    ``getElementById("x")``), an empty ``<ul>``, ``<ol>``, ``<tbody>`` or ``<dl>``, or one whose
    id or class names a list (``<div class="news-list">``)."""
    empty = response.xpath(f"//body//*[{_CONTAINERS}][not(*[not({_HIDDEN})])][not(normalize-space())]")
    if not empty:
        return ""
    scripts = "\n".join(response.xpath("//script[not(@src)]/text()").getall())[:_MAX_SCRIPT_CHARS]
    for node in empty:
        tag, ident = node.xpath("name()").get() or "", (node.attrib.get("id") or "").strip()
        names = f"{ident} {node.attrib.get('class') or ''}"
        if ((ident and re.search(_LOOKUP.format(id=re.escape(ident)), scripts))
                or tag in ("ul", "ol", "tbody", "dl") or _LIST_NAME.search(names)):
            return f"empty mount node <{tag}{'#' + ident if ident else ''}>"
    return ""


async def close_page_on_error(failure: Any) -> None:
    """Errback: a page handed to the callback must be closed even when the request failed."""
    page = failure.request.meta.get("playwright_page")
    if page is not None:
        await close_page(page)


def playwright_settings(chromium_path: str) -> dict[str, Any]:
    """The scrapy-playwright add-on: handler, reactor, Debian's Chromium, capped contexts/pages."""
    handler = "govbudget.crawler.browser_handler.BoundedPlaywrightHandler"
    return {
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {
            "executable_path": chromium_path,
            "headless": True,
            "args": CHROMIUM_ARGS,
        },
        "PLAYWRIGHT_MAX_CONTEXTS": 2,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 4,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": 30_000,
        "PLAYWRIGHT_ABORT_REQUEST": _abort_heavy_resources,
    }


def _abort_heavy_resources(request: Any) -> bool:
    """Images, fonts and media never carry a list of disclosures: don't load them."""
    return request.resource_type in {"image", "media", "font"}
