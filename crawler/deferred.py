"""The deferred pass: files that failed are tried once more when everything else is done.

A portal that is busy now may answer in a minute. A file request that gave up (its retries and its
Retry-After deferrals spent, see ``politeness.RetryAfterMiddleware``) is not a failure yet: it is
kept here and, when the spider is idle (``spider_idle``: nothing left to download or schedule), sent
again once, with a fresh retry and deferral budget, while ``DontCloseSpider`` keeps the crawl open.
A file that fails in that pass too is a failure: one ERROR line in the crawl log, a ``failed`` event
(``url``, ``reason``: the HTTP status or the exception, ``referrer``) and ``govbudget/files_failed``.
Files the crawl closed on before their pass (a shutdown) are failures with the same record.

Only file requests (the spider's ``save_file`` callback) come here; a page that gives up is logged
by Scrapy's RetryMiddleware as before.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider

from govbudget.crawler.challenge_middleware import DOWNLOAD_STATE
from govbudget.crawler.events import EventSink

logger = logging.getLogger(__name__)

IN_PASS = "deferred_pass"  # meta: this request is the file's try in the deferred pass
# Budgets and download state a request of the pass starts without (a fresh retry and deferral budget).
FRESH = ("retry_times", "deferrals", "challenge_attempts", *DOWNLOAD_STATE)


class DeferredPass:
    """Extension: keep the file requests that gave up; send them again once at the end of the crawl."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.events = EventSink.from_settings(crawler.settings)
        self.waiting: dict[str, tuple[Request, str]] = {}  # url -> (request, why it gave up)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DeferredPass:
        return cls(crawler)

    @staticmethod
    def of(crawler: Crawler) -> DeferredPass | None:
        """The crawl's DeferredPass extension, or None when it is not enabled."""
        extensions = getattr(crawler, "extensions", None)
        for ext in getattr(extensions, "middlewares", ()):
            if isinstance(ext, DeferredPass):
                return ext
        return None

    def takes(self, request: Request) -> bool:
        """Whether a request that gives up comes here: the spider's file requests do."""
        save_file = getattr(self.crawler.spider, "save_file", None)
        return save_file is not None and request.callback == save_file

    def gave_up(self, request: Request, reason: str) -> None:
        """A file request spent its budget: wait for the pass, or (in the pass) record the failure."""
        if request.meta.get(IN_PASS):
            self._failed(request, reason, "again in the deferred pass")
            return
        if request.url in self.waiting:
            return
        self.waiting[request.url] = (request, reason)
        self._inc("govbudget/files_deferred")
        logger.info("file %s gave up (%s); it is tried again when the crawl is otherwise done",
                    request.url, reason)

    def spider_idle(self, spider: Any) -> None:
        """Send the waiting files again, once each; the crawl stays open until they are done."""
        if not self.waiting:
            return
        waiting, self.waiting = self.waiting, {}
        logger.info("deferred pass: %d files tried again", len(waiting))
        engine = self.crawler.engine
        assert engine is not None
        for request, _ in waiting.values():
            meta = {k: v for k, v in request.meta.items() if k not in FRESH}
            meta[IN_PASS] = True
            engine.crawl(request.replace(meta=meta, dont_filter=True))
        raise DontCloseSpider

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Files still waiting when the crawl closed (it was stopped before the pass) failed."""
        for request, why in self.waiting.values():
            self._failed(request, f"{why}; not tried again, the crawl closed ({reason})", "no deferred pass")
        self.waiting = {}

    def _failed(self, request: Request, reason: str, note: str) -> None:
        self._inc("govbudget/files_failed")
        referrer = request.headers.get("Referer")
        self.events.emit("failed", url=request.url, reason=reason,
                         referrer=referrer.decode("latin-1") if referrer else None)
        logger.error("failed file %s: %s (%s)", request.url, reason, note)

    def _inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)
