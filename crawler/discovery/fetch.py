"""Bounded plain-HTTP page fetches for discovery, with every redirect hop vetted.

Discovery reads a few pages per division (a directory, a home page, two or three navigation hops),
so a synchronous client is enough. Every hop of a redirect is checked by the crawler's URL rules
(`url_safety`) before it is requested, unless the operator routes all traffic through a forward
proxy (``GOVBUDGET_HTTP_PROXY``): then the proxy is where addresses are vetted, as Chromium's
guard proxy does for the browser. Tests point the proxy at the local simulator, which serves many
virtual hosts on one port.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego
from w3lib.encoding import html_to_unicode

from govbudget.crawler.url_safety import check_url

USER_AGENT = "govbudget/0.1 (+https://github.com/govbudget/govbudget; budget-disclosure archive)"
MAX_BYTES = 2 * 1024 * 1024
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class Page:
    """One fetched page: where it was asked for, where it ended, its status and decoded text."""

    url: str
    final_url: str
    status: int
    text: str
    redirects: tuple[str, ...] = ()
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200 and not self.error


@dataclass
class PageFetcher:
    """GETs pages at most once each, obeying robots.txt, within a page budget."""

    proxy: str | None = None
    allow_loopback: bool = False
    timeout_s: float = 15.0
    max_pages: int = 5000
    obey_robots: bool = True
    fetched: int = 0
    answered: int = 0  # requests that got any HTTP answer (an outage leaves this at 0)
    _cache: dict[str, Page] = field(default_factory=dict)
    _robots: dict[str, Protego | None] = field(default_factory=dict)
    _client: httpx.Client | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def client(self) -> httpx.Client:
        with self._lock:
            return self._make_client()

    def _make_client(self) -> httpx.Client:
        if self._client is None:
            limits = httpx.Limits(max_connections=32, max_keepalive_connections=16)
            self._client = httpx.Client(proxy=self.proxy, timeout=self.timeout_s, follow_redirects=False,
                                        headers={"User-Agent": USER_AGENT}, trust_env=False, limits=limits)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def get(self, url: str) -> Page:
        """The page at ``url`` after redirects; failures are a `Page` with ``error``, never raised.

        Safe to call from several threads (discovery tries candidate hosts in parallel); a URL
        asked twice at the same moment may be fetched twice, never answered inconsistently.
        """
        cached = self._cache.get(url)
        if cached is not None:
            return cached
        page = self._fetch(url)
        self._cache[url] = page
        return page

    def _vet(self, url: str) -> str:
        if self.proxy:
            scheme = urlsplit(url).scheme.lower()
            return "" if scheme in ("http", "https") else f"scheme {scheme!r} refused"
        verdict = check_url(url, allow_loopback=self.allow_loopback)
        return "" if verdict.allowed else verdict.reason

    def _fetch(self, url: str) -> Page:
        hops: list[str] = []
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            refused = self._vet(current) or self._robots_refusal(current)
            if refused:
                return Page(url, current, 0, "", tuple(hops), refused)
            with self._lock:
                if self.fetched >= self.max_pages:
                    return Page(url, current, 0, "", tuple(hops), f"page budget of {self.max_pages} spent")
                self.fetched += 1
            try:
                with self.client().stream("GET", current) as response:
                    with self._lock:
                        self.answered += 1
                    if response.is_redirect and "location" in response.headers:
                        hops.append(current)
                        current = urljoin(current, response.headers["location"])
                        continue
                    body = _read_capped(response)
                    return Page(url, current, response.status_code, _decode(body, response), tuple(hops))
            except httpx.HTTPError as exc:
                return Page(url, current, 0, "", tuple(hops), f"{type(exc).__name__}: {exc}")
        return Page(url, current, 0, "", tuple(hops), f"more than {MAX_REDIRECTS} redirects")

    def _robots_refusal(self, url: str) -> str:
        if not self.obey_robots:
            return ""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        rules = self._robots[origin]
        if rules is not None and not rules.can_fetch(url, USER_AGENT):
            return "forbidden by robots.txt"
        return ""

    def _load_robots(self, origin: str) -> Protego | None:
        try:
            response = self.client().get(origin + "/robots.txt")
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        return Protego.parse(response.text)


def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= MAX_BYTES:
            break
    return b"".join(chunks)[:MAX_BYTES]


def _decode(body: bytes, response: httpx.Response) -> str:
    content_type = response.headers.get("content-type", "")
    if content_type and "html" not in content_type and "text" not in content_type:
        return ""
    _, text = html_to_unicode(content_type, body)
    return text
