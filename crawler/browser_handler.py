"""scrapy-playwright's download handler with a deadline on every browser request.

``DOWNLOAD_TIMEOUT`` bounds plain HTTP downloads only: a browser request whose navigation or
page method never settles (scrapy-plugins/scrapy-playwright#330 is one known way) waits forever,
holds a page slot, and the crawl never ends. Here each browser request gets the same deadline as
a plain one; when it passes, the page is closed (its slot freed) and the request fails with
``TimeoutError``, which the retry middleware treats like any other timeout.
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from govbudget.crawler.render_policy import close_page

_PAGE = "_govbudget_browser_page"


class BoundedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    """The scrapy-playwright handler whose browser requests time out like plain ones."""

    async def _create_page(self, request: Request, spider: Spider) -> Any:
        page = await super()._create_page(request=request, spider=spider)
        request.meta[_PAGE] = page  # so a timed-out request can free its page slot
        return page

    async def _download_request(self, request: Request, spider: Spider | None = None) -> Response:
        deadline = float(request.meta.get("download_timeout") or self._crawler.settings.getfloat(
            "DOWNLOAD_TIMEOUT", 180.0))
        try:
            return await asyncio.wait_for(super()._download_request(request, spider), deadline)
        except TimeoutError as exc:
            stats = self._crawler.stats
            stats.inc_value("govbudget/browser_timeouts")  # type: ignore[union-attr]
            page = request.meta.get(_PAGE)
            if page is not None and not page.is_closed():
                await close_page(page)
                if page.is_closed():
                    stats.inc_value("govbudget/browser_timeout_pages_closed")  # type: ignore[union-attr]
            raise TimeoutError(f"browser request took longer than {deadline:.0f}s: {request.url}") from exc
        finally:
            request.meta.pop(_PAGE, None)
