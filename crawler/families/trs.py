"""TRS WCM (static publishing): list pages announced only in inline JavaScript.

TRS WCM lists print no ``<a>`` to their later pages: the count is an argument of
``createPageHTML(9, 0, "index", "html")`` and the browser builds ``index_1.html`` … at run time.
Reading the call is cheaper and more reliable than rendering the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin

import scrapy
from scrapy.http import Response

from govbudget.crawler.families.base import Context

# createPageHTML(count, current, "index", "html") — quotes may be single or double.
_CREATE_PAGE_HTML = re.compile(
    r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*['\"]([\w\-]+)['\"]\s*,\s*['\"](\w+)['\"]\s*\)"
)
# var countPage = 14 with a commented-out call (seen on the MoF's own lists).
_COUNT_PAGE = re.compile(r"var\s+countPage\s*=\s*(\d+)")
_MAX_PAGES = 500


def create_page_html_urls(html: str, page_url: str) -> list[str]:
    """The URLs of every page of a ``createPageHTML`` list, the current one excluded."""
    urls: list[str] = []
    for count, current, stem, ext in _CREATE_PAGE_HTML.findall(html):
        total = min(int(count), _MAX_PAGES)
        for index in range(total):
            if index == int(current):
                continue
            name = f"{stem}.{ext}" if index == 0 else f"{stem}_{index}.{ext}"
            urls.append(urljoin(page_url, name))
    if not urls:
        match = _COUNT_PAGE.search(html)
        stem_ext = re.search(r"['\"](index)['\"]\s*,\s*['\"](s?html?)['\"]", html)
        if match and stem_ext:
            stem, ext = stem_ext.groups()
            total = min(int(match.group(1)), _MAX_PAGES)
            urls = [urljoin(page_url, f"{stem}_{i}.{ext}") for i in range(1, total)]
            urls.append(urljoin(page_url, f"{stem}.{ext}"))
    seen: set[str] = set()
    return [u for u in urls if not (u in seen or seen.add(u))]


class TrsWcm:
    """Every page of a ``createPageHTML`` (or ``var countPage``) list, fetched as a page."""

    name = "trs"

    def matches(self, response: Response) -> bool:
        return b"createPageHTML" in response.body or b"countPage" in response.body

    def requests(self, response: Response, ctx: Context) -> Iterator[scrapy.Request]:
        for url in create_page_html_urls(response.text, response.url):  # type: ignore[attr-defined]
            yield ctx.page(url, link_text="", referrer=response.url)


FAMILY = TrsWcm()
