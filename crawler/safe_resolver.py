"""A DNS resolver that refuses private answers, so the address checked is the address connected to.

`UrlSafetyMiddleware` checks a URL's host by resolving it itself; the download then resolves the
name again. A hostile name server can answer the first lookup with a public address and the
second with 127.0.0.1 or 169.254.169.254 (DNS rebinding). Scrapy connects to whatever its resolver
returns, so vetting the answer here, on every lookup, cached ones included, closes that gap for
plain-HTTP downloads. Chromium resolves nothing itself: it reaches the web only through the
checking proxy of `browser_guard.py`, which connects to the address it vetted.

Behind the operator's forward proxy (``GOVBUDGET_HTTP_PROXY``) the only name a crawl resolves is the
proxy's own, which the operator chose (it may well sit on a private network): that one answer is not
vetted; every other name still is.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from scrapy.crawler import Crawler
from scrapy.resolver import CachingThreadedResolver
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

from govbudget.crawler.forward_proxy import SETTING as PROXY_SETTING
from govbudget.crawler.forward_proxy import proxy_host
from govbudget.crawler.url_safety import address_verdict

logger = logging.getLogger(__name__)


class PublicOnlyResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, whose answers must pass the same address rules as URLs."""

    allow_loopback = False
    proxy_host = ""  # the operator's forward proxy: resolved without vetting

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> PublicOnlyResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.allow_loopback = crawler.settings.getbool("GOVBUDGET_ALLOW_LOOPBACK")
        resolver.proxy_host = proxy_host(crawler.settings.get(PROXY_SETTING) or "")
        return resolver

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        return super().getHostByName(name, timeout).addCallback(self._vet, name)

    def _vet(self, address: str, name: str) -> str:
        if self.proxy_host and name.lower() == self.proxy_host:
            return address
        verdict = address_verdict(address, self.allow_loopback)
        if not verdict.allowed:
            # Twisted reports any resolver failure as "no results"; the log keeps the real reason
            reason = f"{name} resolved to {address}: {verdict.reason}"
            logger.warning("DNS answer refused: %s", reason)
            raise DNSLookupError(reason)
        return address
