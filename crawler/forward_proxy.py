"""Every request of a crawl through the operator's forward proxy (``GOVBUDGET_HTTP_PROXY``).

Some deployments reach the web only through a proxy, and the tests reach the simulated country that
way: one local server answers for sixty virtual hosts named in the request line, so URLs, redirects
and relative links stay as on the real web. The proxy resolves names and connects, so it is also
where addresses are vetted: `UrlSafetyMiddleware` then checks only schemes (``url_safety``), and
`PublicOnlyResolver` lets the proxy's own name through, the only name the crawl still resolves.
Scrapy's ``HttpProxyMiddleware`` (750) does the rest from ``request.meta["proxy"]``; a request that
already names a proxy keeps it. Without the setting the middleware is not installed at all.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

SETTING = "GOVBUDGET_HTTP_PROXY"


def proxy_host(proxy_url: str) -> str:
    """The proxy's host name, lower-cased ("" for no proxy)."""
    return (urlsplit(proxy_url).hostname or "").lower() if proxy_url else ""


class ForwardProxyMiddleware:
    """Put the configured proxy in ``request.meta["proxy"]`` of every request."""

    def __init__(self, proxy_url: str) -> None:
        self.proxy_url = proxy_url

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ForwardProxyMiddleware:
        proxy_url = crawler.settings.get(SETTING) or ""
        if not proxy_url:
            raise NotConfigured(f"{SETTING} is not set")
        return cls(proxy_url)

    def process_request(self, request: Request, spider: Spider | None = None) -> Any:
        request.meta.setdefault("proxy", self.proxy_url)
        return None
