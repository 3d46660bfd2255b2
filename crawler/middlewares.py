"""Downloader middleware that refuses unsafe URLs before any byte leaves the machine.

It checks twice. When a request is *scheduled* (the ``request_scheduled`` signal): Scrapy's
``OffsiteMiddleware`` drops requests to other hosts at that moment, and a redirect from a portal to
169.254.169.254 is such a request, so checking only in ``process_request`` would never see it and
the refusal would go unrecorded. And in ``process_request``, for what reaches the downloader without
the scheduler (robots.txt fetches, requests from other components).

Behind the operator's forward proxy (``GOVBUDGET_HTTP_PROXY``, `forward_proxy`) the proxy connects
and vets addresses; only the scheme is checked here then.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from govbudget.crawler.events import EventSink
from govbudget.crawler.url_safety import check_url


class UrlSafetyMiddleware:
    """Refuse non-http(s), private, link-local and (unless allowed) loopback URLs."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.allow_loopback = crawler.settings.getbool("GOVBUDGET_ALLOW_LOOPBACK")
        self.via_proxy = bool(crawler.settings.get("GOVBUDGET_HTTP_PROXY"))
        self.events = EventSink.from_settings(crawler.settings)
        crawler.signals.connect(self.request_scheduled, signal=signals.request_scheduled)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UrlSafetyMiddleware:
        return cls(crawler)

    def request_scheduled(self, request: Request, spider: Spider | None = None) -> None:
        """Signal handler: raising ``IgnoreRequest`` here keeps the request out of the scheduler."""
        self._check(request)

    def process_request(self, request: Request, spider: Spider | None = None) -> Any:
        self._check(request)
        return None

    def _check(self, request: Request) -> None:
        verdict = check_url(request.url, allow_loopback=self.allow_loopback, via_proxy=self.via_proxy)
        if verdict.allowed:
            return
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("govbudget/refused_urls")
        self.events.emit("refused", url=request.url, reason=verdict.reason,
                         referrer=_referrer(request))
        raise IgnoreRequest(f"{request.url}: {verdict.reason}")


def _referrer(request: Request) -> str | None:
    """Where the refused URL came from: the redirecting URL, else the page that linked it."""
    redirects = request.meta.get("redirect_urls") or []
    if redirects:
        return str(redirects[-1])
    value = request.headers.get("Referer")
    return value.decode("latin-1") if value else None
