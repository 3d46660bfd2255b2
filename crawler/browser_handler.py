"""scrapy-playwright's download handler, held to the crawl's deadline and to its URL policy.

Deadline: ``DOWNLOAD_TIMEOUT`` bounds plain HTTP downloads only: a browser request whose navigation
or page method never settles (scrapy-plugins/scrapy-playwright#330 is one known way) waits
forever, holds a page slot, and the crawl never ends. Here each browser request gets the same
deadline as a plain one; when it passes, the page is closed (its slot freed) and the request fails
with ``TimeoutError``, which the retry middleware treats like any other timeout.

URL policy: every connection Chromium makes goes through ``browser_guard`` (its proxy, its
Chromium flags, its context routes; the module explains why routing alone is not enough). The
handler launches Chromium with the guard's flags, creates every context with service workers
blocked and the guard installed, checks each request of its pages before scrapy-playwright's own
route handler, and counts each refusal in ``govbudget/refused_urls`` (the crawl summary's count) with a
``refused`` event. A navigation the guard refused (a redirect to a private address) fails with
``IgnoreRequest`` and its reason, and no response ever leaves with a refused ``url``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from playwright.async_api import Error as PlaywrightError
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotSupported
from scrapy.http import Response
from scrapy_playwright.handler import BrowserContextWrapper, ScrapyPlaywrightDownloadHandler

from govbudget.crawler.browser_guard import BrowserGuard
from govbudget.crawler.events import EventSink
from govbudget.crawler.render_policy import close_page

logger = logging.getLogger(__name__)

_PAGE = "_govbudget_browser_page"
_FAILED_NAVIGATION = "_govbudget_failed_navigation"


class BoundedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    """The scrapy-playwright handler whose browser requests time out like plain ones and obey the
    URL policy like plain ones."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        if self.config.cdp_url or self.config.connect_url:
            raise NotSupported("the browser URL guard needs a browser launched by the crawl "
                               "(PLAYWRIGHT_CDP_URL / PLAYWRIGHT_CONNECT_URL are not supported)")
        if "proxy" in self.config.launch_options:
            raise NotSupported("PLAYWRIGHT_LAUNCH_OPTIONS['proxy'] would replace the URL guard's proxy")
        self.events = EventSink.from_settings(crawler.settings)
        self.guard = BrowserGuard(allow_loopback=crawler.settings.getbool("GOVBUDGET_ALLOW_LOOPBACK"),
                                  on_refused=self._refused)
        self._guard_flags_added = False

    # -- the URL policy ------------------------------------------------------------------------------
    def _refused(self, url: str, reason: str, referrer: str | None) -> None:
        stats = self._crawler.stats
        assert stats is not None
        stats.inc_value("govbudget/refused_urls")  # UrlSafetyMiddleware's counter: the summary's refused_urls
        stats.inc_value("govbudget/browser_refused")
        self.events.emit("refused", url=url, reason=reason, referrer=referrer, via="browser")

    async def _maybe_launch_browser(self) -> None:
        await self.guard.start()
        if not self._guard_flags_added:  # a copy: the settings' list is shared (CHROMIUM_ARGS)
            options = dict(self.config.launch_options)
            options["args"] = [*options.get("args", []), *self.guard.chromium_args()]
            self.config.launch_options = options
            self._guard_flags_added = True
        await super()._maybe_launch_browser()

    async def _create_browser_context(self, name: str, context_kwargs: dict | None,
                                      spider: Spider | None = None) -> BrowserContextWrapper:
        kwargs = dict(context_kwargs or {})
        if kwargs.get("user_data_dir"):
            raise NotSupported("persistent browser contexts are launched without the URL guard")
        kwargs["service_workers"] = "block"  # a service worker's fetches pass no route
        wrapper = await super()._create_browser_context(name=name, context_kwargs=kwargs, spider=spider)
        try:
            await self.guard.install(wrapper.context)
        except BaseException:
            with contextlib.suppress(Exception):
                await wrapper.context.close()
            raise
        return wrapper

    def _make_request_handler(self, *args: Any, **kwargs: Any) -> Callable:
        """scrapy-playwright's page route, behind the guard (a page route runs before the context's)."""
        inner = super()._make_request_handler(*args, **kwargs)
        guard = self.guard

        async def _guarded(route: Any, playwright_request: Any) -> None:
            if await guard.allows(playwright_request):
                await inner(route, playwright_request)
                return
            with contextlib.suppress(Exception):
                await route.abort("blockedbyclient")

        return _guarded

    # -- pages and deadlines ---------------------------------------------------------------------------
    async def _create_page(self, request: Request, spider: Spider) -> Any:
        page = await super()._create_page(request=request, spider=spider)
        request.meta[_PAGE] = page  # so a timed-out request can free its page slot

        def navigation_failed(playwright_request: Any) -> None:
            with contextlib.suppress(Exception):
                if playwright_request.is_navigation_request() and playwright_request.frame == page.main_frame:
                    request.meta[_FAILED_NAVIGATION] = playwright_request.url

        page.on("requestfailed", navigation_failed)
        return page

    async def _download_request(self, request: Request, spider: Spider | None = None) -> Response:
        deadline = float(request.meta.get("download_timeout") or self._crawler.settings.getfloat(
            "DOWNLOAD_TIMEOUT", 180.0))
        try:
            response = await asyncio.wait_for(super()._download_request(request, spider), deadline)
        except TimeoutError as exc:
            stats = self._crawler.stats
            stats.inc_value("govbudget/browser_timeouts")  # type: ignore[union-attr]
            page = request.meta.get(_PAGE)
            if page is not None and not page.is_closed():
                await close_page(page)
                if page.is_closed():
                    stats.inc_value("govbudget/browser_timeout_pages_closed")  # type: ignore[union-attr]
            raise TimeoutError(f"browser request took longer than {deadline:.0f}s: {request.url}") from exc
        except PlaywrightError as exc:
            failed = request.meta.get(_FAILED_NAVIGATION) or request.url
            reason = self.guard.refusal_of(failed)
            if reason is None:
                raise
            raise IgnoreRequest(f"{request.url}: navigation to {failed} refused: {reason}") from exc
        finally:
            request.meta.pop(_PAGE, None)
            request.meta.pop(_FAILED_NAVIGATION, None)
        verdict, _ = await self.guard.vet(response.url)
        if not verdict.allowed:  # cannot happen through the proxy; never archive it if it does
            self._refused(response.url, verdict.reason, request.url)
            raise IgnoreRequest(f"{request.url}: final URL {response.url} refused: {verdict.reason}")
        return response

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            await self.guard.close()
