"""Browser path: pages our crawler renders through scrapy-playwright vs a raw Playwright loop.

Ours crawls the simulator's JS-only site with every page routed to the browser (files still over
plain HTTP, archived); the baseline opens Debian's Chromium once and visits the same page URLs with
one reused page, waiting for network idle like ours does. Both timings include the browser launch.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any
from urllib.parse import urlsplit

from bench.crawl import crawl, fresh_archive
from bench.harness import Context, Row, Section, rounds
from govbudget.crawler.render_policy import CHROMIUM_ARGS


def raw_playwright(urls: list[str], chromium: str = "/usr/bin/chromium") -> float:
    from playwright.sync_api import sync_playwright

    t0 = time.perf_counter()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        for url in urls:
            page.goto(url, wait_until="networkidle")
            page.content()
        browser.close()
    return len(urls) / (time.perf_counter() - t0)


def rendered_pages(database_url: str) -> list[str]:
    path = database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT url FROM captures WHERE kind = 'page' AND via = 'browser' ORDER BY id")
        return [r[0] for r in rows]


def run(ctx: Context, sim: Any) -> Section:
    site = next(s for s in sim.sites if s.needs_browser)
    host = urlsplit(site.start_url).hostname
    pages: list[str] = []

    def ours() -> float:
        archive = fresh_archive(ctx)
        result = crawl({"mode": "ours", "start_urls": [site.start_url], "render_hosts": [host], **archive})
        pages[:] = rendered_pages(archive["database_url"])
        return len(pages) / result["seconds"]

    ours()  # learn the page list (and warm the disk cache) before the timed rounds
    med = rounds(ctx, {"ours": ours, "raw": lambda: raw_playwright(list(pages))})
    ratio = med["ours"] / med["raw"]
    section = Section("Browser path", f"simulator JS-only site, {len(pages)} rendered pages per run")
    section.rows.append(Row("rendered pages/s", med["ours"], med["raw"], "raw Playwright, one reused page",
                            "pages/s", ratio))
    section.notes.append("ours also downloads and archives the site's files over plain HTTP within the "
                         "same time, and opens a browser context per crawl; ratio = ours / raw")
    return section
