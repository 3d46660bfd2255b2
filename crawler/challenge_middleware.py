"""Downloader middleware that answers anti-bot challenges, so the spider never sees a challenge page.

加速乐 (521): the cookie is computed from the page itself (``challenges.jsl_cookie``) and the request
replayed with it. 瑞数-style pages (412, or 202/400, with ``r="m"``/``$_ts``): the first challenged
request of a host sends its URL once through the browser, lets the page's script set its cookies,
copies them and replays itself with them; every request of that host challenged meanwhile is parked
(its download waits for the same answer) and then replayed with the same cookies. Scrapy's cookie jar
keeps them for the host's later requests, files included. A replay starts afresh: Scrapy's download
state is dropped (its redirect history is kept, for provenance); after three challenges of one
request it is given up. ``govbudget/challenges`` counts the challenges met.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from govbudget.crawler import challenges, render_policy

logger = logging.getLogger(__name__)

# Statuses a challenge page comes with; anything else passes untouched.
CHALLENGE_STATUSES = frozenset({202, 400, 412, 521})
MAX_ATTEMPTS = 3
# What Scrapy measured or decided while downloading a request: a replay must start without them.
DOWNLOAD_STATE = ("download_latency", "cache_timestamp", "_dont_cache", "_auth_proxy", "_scheme_proxy")
# Set on the one browser request that solves a host's challenge (its answer passes untouched).
SOLVER_META = "challenge_host"


def replay(request: Request) -> Request:
    """The same request again (after a challenge), keeping its redirect history for provenance."""
    meta = {k: v for k, v in request.meta.items() if k not in DOWNLOAD_STATE}
    meta["challenge_attempts"] = request.meta.get("challenge_attempts", 0) + 1
    return request.replace(dont_filter=True, meta=meta)


class ChallengeMiddleware:
    """Solve 521 cookie challenges in place and 412-style ones once per host through the browser."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._solving: dict[str, asyncio.Future[dict[str, str] | None]] = {}
        self._parked: dict[str, int] = {}
        self._solved: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ChallengeMiddleware:
        return cls(crawler)

    async def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if response.status not in CHALLENGE_STATUSES or SOLVER_META in request.meta:
            return response
        kind = challenges.kind(response.status, response.body)
        if kind is None:
            return response
        attempts = request.meta.get("challenge_attempts", 0)
        if attempts >= MAX_ATTEMPTS:
            logger.warning("gave up on %s (status %s, challenge %s)", response.url, response.status, kind)
            return response  # the spider does not take challenge statuses: HttpErrorMiddleware drops it
        self._inc("govbudget/challenges")
        retry = replay(request)
        if kind == "jsl":
            cookie = challenges.jsl_cookie(response.body)
            if cookie is not None:
                return retry.replace(cookies={cookie[0]: cookie[1]})
        host = urlsplit(response.url).hostname or ""
        if host in self._solved:
            return retry  # the jar has the host's cookies now
        jar = await self._solution(host, response.url)
        if jar is None:
            raise IgnoreRequest(f"challenge of {host} unsolved: {request.url}")
        return retry.replace(cookies=jar)

    async def _solution(self, host: str, url: str) -> dict[str, str] | None:
        """The host's cookies: solved by this request, or awaited while another request solves them."""
        pending = self._solving.get(host)
        if pending is not None:
            self._parked[host] = self._parked.get(host, 0) + 1
            return await asyncio.shield(pending)
        pending = self._solving[host] = asyncio.get_running_loop().create_future()
        self._parked[host] = 0
        jar: dict[str, str] | None = None
        try:
            jar = await self._solve(host, url)
        finally:
            del self._solving[host]
            parked = self._parked.pop(host, 0)
            if jar is None:
                logger.error("browser challenge failed for %s (%d requests dropped)", host, parked + 1)
            pending.set_result(jar)
        return jar

    async def _solve(self, host: str, url: str) -> dict[str, str] | None:
        """Load the page in the browser, let its script set the cookies, copy them, close the page."""
        assert self.crawler.engine is not None
        request = Request(url, dont_filter=True, meta={**render_policy.challenge_meta(), SOLVER_META: host})
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:
            logger.error("browser request for the challenge of %s failed: %r", host, exc)
            page = request.meta.get("playwright_page")
            if page is not None:
                await render_policy.close_page(page)
            return None
        page = response.meta.get("playwright_page")
        if page is None:
            logger.error("browser request for the challenge of %s kept no page", host)
            return None
        try:
            cookies = await render_policy.cookies_after_challenge(page)
        except Exception as exc:  # a hung or crashed renderer: give up on this host, loudly
            logger.error("browser challenge for %s gave no cookies (%r)", host, exc)
            return None
        finally:
            await render_policy.close_page(page)
        self._solved.add(host)
        jar = {c["name"]: c["value"] for c in cookies if host.endswith(c.get("domain", "").lstrip("."))}
        self._set("govbudget/browser_cookies", len(jar))
        return jar

    def _inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)

    def _set(self, key: str, value: Any) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.set_value(key, value)
