"""Retries that honour ``Retry-After``, and size caps held while a response streams.

Scrapy's RetryMiddleware retries 429/503 at once; a portal that says ``Retry-After: 30`` means it,
so the request waits (capped), and that wait is a deferral, not a failure: it does not spend the
retry budget. A file that still fails goes to the end-of-crawl pass (``crawler.deferred``).

Size caps are per content type: a response announcing more than its type's cap is stopped when its
headers arrive; one without a length (chunked, or closed by the server) is counted as its body
arrives and stopped at the first chunk past the cap. Either way it is recorded as skipped with its
size (the bytes received so far when no length was announced) and logged as one WARNING line;
nothing half-downloaded is ever archived.
"""

from __future__ import annotations

import asyncio
import logging
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.response import response_status_message

from govbudget.crawler.deferred import DeferredPass
from govbudget.crawler.events import EventSink

logger = logging.getLogger(__name__)

MAX_RETRY_AFTER = 60.0
MAX_DEFERRALS = 5  # Retry-After waits a request may take without spending its retry budget
DEFAULT_CAPS = {"text/html": 20 * 1024 * 1024, "application/json": 20 * 1024 * 1024, "*": 200 * 1024 * 1024}


def retry_after_seconds(value: bytes | None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or an HTTP date), capped."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return min(float(text), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    from datetime import UTC, datetime

    return max(0.0, min((when - datetime.now(UTC)).total_seconds(), MAX_RETRY_AFTER))


class RetryAfterMiddleware(RetryMiddleware):
    """RetryMiddleware where a Retry-After wait is a deferral, and a file that gives up is deferred.

    A 429 or 503 with ``Retry-After`` is the server asking for time, not a failure: the request
    waits (capped at ``MAX_RETRY_AFTER``) and goes again without spending its retry budget
    (``RETRY_TIMES``). Its deferrals are counted in ``meta["deferrals"]`` and bounded
    (``GOVBUDGET_MAX_DEFERRALS``), so a server that always says 429 still ends: past the bound, a
    Retry-After wait spends a retry like any failure. The wait is ``asyncio.sleep``: only this
    request waits, the crawl goes on.

    A file request that spends its budget goes to the deferred pass (``crawler.deferred``) and
    leaves as ``IgnoreRequest``; pages, and every request when the pass is not enabled, give up as
    in Scrapy's RetryMiddleware.
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.max_deferrals = settings.getint("GOVBUDGET_MAX_DEFERRALS", MAX_DEFERRALS)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if request.meta.get("dont_retry"):
            return response
        delay = retry_after_seconds(response.headers.get("Retry-After"))
        stats = self.crawler.stats
        assert stats is not None
        if response.status in (429, 503) and delay is not None:
            deferrals = request.meta.get("deferrals", 0)
            if deferrals < self.max_deferrals:
                stats.inc_value("govbudget/deferrals")
                stats.inc_value("govbudget/retry_after_waits")
                await asyncio.sleep(delay)
                again = request.replace(dont_filter=True)
                again.meta["deferrals"] = deferrals + 1
                return again
            retry = self._retry(request, f"{response.status} retry-after")
            if retry is not None:
                stats.inc_value("govbudget/retry_after_waits")
                await asyncio.sleep(delay)
                return retry
        elif response.status in self.retry_http_codes:
            retry = self._retry(request, response_status_message(response.status))
            if retry is not None:
                return retry
        elif response.status < 400:
            return response
        # retries spent, or an error status no retry helps (404, 403, 410): the deferred pass has the
        # last word, so a file that never came is a recorded failure, not a line Scrapy logs at INFO
        self._give_up(request, f"HTTP {response.status}")
        return response

    def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        retry = super().process_exception(request, exception)
        retryable = isinstance(exception, self.exceptions_to_retry) and not request.meta.get("dont_retry")
        if retry is None and retryable:
            self._give_up(request, f"{type(exception).__name__}: {exception}"[:300])
        return retry

    def _retry(self, request: Request, reason: str | Exception | type[Exception]) -> Request | None:
        """Scrapy's retry; a file request the deferred pass takes gives up at INFO, not ERROR."""
        deferred = DeferredPass.of(self.crawler)
        if deferred is not None and deferred.takes(request):
            request.meta.setdefault("give_up_log_level", "INFO")
        return super()._retry(request, reason)

    def _give_up(self, request: Request, reason: str) -> None:
        """Hand a file request that gave up to the deferred pass (raises IgnoreRequest when it took it)."""
        deferred = DeferredPass.of(self.crawler)
        if deferred is None or not deferred.takes(request):
            return
        deferred.gave_up(request, reason)
        raise IgnoreRequest(f"{request.url}: {reason}")


_CAP = "_govbudget_size_cap"  # (cap, content type) of the response being received
_RECEIVED = "_govbudget_bytes_received"
_OVERSIZE = "_govbudget_oversize"  # set when SizeCaps stopped the download


def declared_length(body_length: object) -> int | None:
    """The Content-Length Twisted parsed, or None (it passes ``UNKNOWN_LENGTH``, a str, when absent)."""
    return body_length if isinstance(body_length, int) and body_length >= 0 else None


class SizeCaps:
    """Extension: stop a download that passes its content type's cap, announced or streamed."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.caps = {**DEFAULT_CAPS, **(crawler.settings.getdict("GOVBUDGET_SIZE_CAPS") or {})}
        self.events = EventSink.from_settings(crawler.settings)
        crawler.signals.connect(self.headers_received, signal=signals.headers_received)
        crawler.signals.connect(self.bytes_received, signal=signals.bytes_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SizeCaps:
        return cls(crawler)

    def cap_for(self, content_type: str) -> int:
        ctype = content_type.split(";", 1)[0].strip().lower()
        return int(self.caps.get(ctype, self.caps["*"]))

    def headers_received(self, headers: Any, body_length: object, request: Request, spider: Any) -> None:
        ctype = (headers.get(b"Content-Type") or b"").decode("latin-1")
        cap = self.cap_for(ctype)
        length = declared_length(body_length)
        if length is not None and length > cap:
            self._skip(request, size=length, cap=cap, ctype=ctype, declared=True)
        # counted again from zero for each response (a redirect or retry copies the meta)
        request.meta[_CAP] = (cap, ctype)
        request.meta[_RECEIVED] = 0
        # Scrapy's own DOWNLOAD_MAXSIZE stays a backstop behind this cap, never a second stop
        # (with its own warning and traceback) at the chunk where this one stops
        request.meta["download_maxsize"] = max(self.crawler.settings.getint("DOWNLOAD_MAXSIZE"), 2 * cap)

    def bytes_received(self, data: bytes, request: Request, spider: Any) -> None:
        if _CAP not in request.meta:
            return
        cap, ctype = request.meta[_CAP]
        received = request.meta[_RECEIVED] = request.meta[_RECEIVED] + len(data)
        if received > cap:
            self._skip(request, size=received, cap=cap, ctype=ctype, declared=False)

    def _skip(self, request: Request, *, size: int, cap: int, ctype: str, declared: bool) -> None:
        self.crawler.stats.inc_value("govbudget/skipped_oversize")  # type: ignore[union-attr]
        self.events.emit("skipped", url=request.url, reason="oversize", size=size, cap=cap,
                         content_type=ctype, declared=declared)
        how = "declares" if declared else "sent at least"
        logger.warning("skipped oversize %s: %s %d bytes, over the %d-byte cap for %s",
                       request.url, how, size, cap, ctype or "an undeclared type")
        request.meta[_OVERSIZE] = True
        request.meta.pop(_CAP, None)
        raise StopDownload(fail=True)


class SizeCapSkipMiddleware:
    """Downloader middleware: a download SizeCaps stopped is ignored, not a download error.

    Scrapy logs a failed download without an errback as an ERROR with the whole traceback; the
    skip is already one WARNING line and a ``skipped`` event, so it leaves as ``IgnoreRequest``
    (which Scrapy does not log, and which an errback still receives).
    """

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        if isinstance(exception, StopDownload) and request.meta.get(_OVERSIZE):
            raise IgnoreRequest(f"oversize: {request.url}")


class RobotsOverrideMiddleware:
    """Downloader middleware: the per-source robots.txt override.

    robots.txt is obeyed by default (``ROBOTSTXT_OBEY``). A source whose operator has agreed to be
    crawled regardless is listed in ``GOVBUDGET_ROBOTS_IGNORE_HOSTS`` (from the region registry's
    ``obey_robots=0`` entries or ``govbudget crawl --ignore-robots HOST``); its requests carry
    ``dont_obey_robotstxt`` so Scrapy's RobotsTxtMiddleware (priority 100, after this) lets them by.
    Every other host keeps its robots.txt.
    """

    def __init__(self, hosts: list[str]) -> None:
        self.hosts = {h.lower() for h in hosts if h}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsOverrideMiddleware:
        return cls(crawler.settings.getlist("GOVBUDGET_ROBOTS_IGNORE_HOSTS"))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        from urllib.parse import urlsplit

        if self.hosts and (urlsplit(request.url).hostname or "").lower() in self.hosts:
            request.meta["dont_obey_robotstxt"] = True
