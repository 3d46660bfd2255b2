"""Lists inside frames: an ``<iframe src>`` is part of its page, fetched as a page of its own."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urljoin

import scrapy
from scrapy.http import Response, TextResponse

from govbudget.crawler.families.base import Context, meta_of


class Iframe:
    """Each frame's document, under the link text that led to the framing page."""

    name = "iframe"

    def matches(self, response: Response) -> bool:
        return b"<iframe" in response.body.lower()

    def requests(self, response: Response, ctx: Context) -> Iterator[scrapy.Request]:
        link_text = meta_of(response).get("link_text", "") or ""
        for url in frame_urls(response):  # type: ignore[arg-type]
            yield ctx.page(url, link_text=link_text, referrer=response.url)


def frame_urls(response: TextResponse) -> Iterator[str]:
    """Absolute URLs of the page's iframes."""
    for frame in response.xpath("//iframe[@src]"):
        src = frame.attrib["src"].strip()
        if src and not src.startswith(("javascript:", "about:")):
            yield urljoin(response.url, src)


FAMILY = Iframe()
