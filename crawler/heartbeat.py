"""Heartbeat of a crawl process: proof of progress for the parent's stall watchdog.

A crawl can hang without dying: a browser page that never answers, a download handler waiting on a
semaphore, a reactor with nothing scheduled but a connection held open. The parent cannot tell
such a process from a slow one by its silence alone, so every ``GOVBUDGET_HEARTBEAT_S`` seconds
this extension emits ``{"event": "heartbeat", "progress": N}`` where N counts responses and items.
When N stops moving it also logs the engine status and the requests in flight, so the log of a
crawl the parent had to kill says where it was stuck.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.engine import format_engine_status
from twisted.internet import task

from govbudget.crawler.events import EventSink

logger = logging.getLogger(__name__)


class Heartbeat:
    """Scrapy extension: count responses and items, report them on a timer."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.interval = crawler.settings.getfloat("GOVBUDGET_HEARTBEAT_S", 10.0)
        self.events = EventSink.from_settings(crawler.settings)
        self.progress = 0
        self._reported = -1
        self._loop: task.LoopingCall | None = None
        crawler.signals.connect(self._step, signal=signals.response_received)
        crawler.signals.connect(self._step, signal=signals.item_scraped)
        crawler.signals.connect(self._step, signal=signals.item_dropped)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Heartbeat:
        return cls(crawler)

    def _step(self, *args: Any, **kwargs: Any) -> None:
        self.progress += 1

    def spider_opened(self, spider: Any) -> None:
        if self.interval > 0:
            self._loop = task.LoopingCall(self.beat)
            self._loop.start(self.interval, now=False)

    def spider_closed(self, spider: Any) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()

    def beat(self) -> None:
        """Emit the progress count; log where the engine stands when it has not moved."""
        engine = self.crawler.engine
        inflight = sorted(getattr(engine.downloader, "active", ()) or (), key=str) if engine else []
        self.events.emit("heartbeat", progress=self.progress, inflight=len(inflight))
        if self.progress == self._reported and engine is not None:
            logger.warning(
                "no progress for %.0fs; in flight: %s\n%s",
                self.interval,
                [getattr(r, "url", str(r)) for r in inflight][:20],
                format_engine_status(engine),
            )
        self._reported = self.progress
