"""When a request goes to the browser, and how browser pages are kept in check.

A browser costs ~10x a plain request (``stack_facts.md``), so it is used only when a page needs
one: the site is known to need it (``render_hosts``), or a page came back with scripts and nothing
worth following (a list built by JavaScript). Files are always downloaded over plain HTTP.
Whatever a rendered page loads obeys the same URL policy as plain HTTP (``browser_guard``).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import Any

from scrapy.http import TextResponse
from scrapy_playwright.page import PageMethod

_SCRIPT = re.compile(rb"<script\b", re.I)
_JS_DATA_HINT = re.compile(
    rb"fetch\(|XMLHttpRequest|\$\.ajax|\$\.get|axios|createElement|innerHTML|v-for|ng-repeat", re.I
)

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
    """A plain-HTTP page with scripts that build content, and nothing we could follow."""
    if response.meta.get("playwright"):
        return False
    body = response.body
    return bool(_SCRIPT.search(body)) and bool(_JS_DATA_HINT.search(body))


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
