"""Entry point of a crawl process: ``python -m govbudget.crawler.run`` with a `CrawlConfig` on stdin.

Scrapy's Twisted reactor cannot be restarted inside one process, so every crawl runs in a fresh
process (from the command line and from Celery workers alike). The config travels on standard
input as JSON, not in argv, so storage keys never appear in a process listing.

The final ``summary`` event carries the crawl's counters under the names the crawl summary
(``tasks.crawl.CrawlSummary``) shows them: our own components count ``govbudget/<name>`` in
Scrapy's stats, and Scrapy's own counters are given their summary name here, once.
"""

from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import os
import signal
import sys
from typing import Any

from scrapy.crawler import CrawlerProcess

from govbudget.crawler.config import CrawlConfig
from govbudget.crawler.events import EventSink
from govbudget.crawler.scrapy_settings import crawl_settings
from govbudget.crawler.spiders.disclosures import DisclosureSpider

# Counted by our components as ``govbudget/<name>``.
OWN_COUNTERS = (
    "pages_fetched", "pages_new", "files_archived", "files_new", "files_already_archived", "bytes",
    "refused_urls", "render_retries", "not_modified", "skipped_oversize", "challenges", "store_retries",
    "deferrals", "files_deferred", "files_failed",
)  # fmt: skip
# Scrapy's counters, under their summary names.
SCRAPY_COUNTERS = {
    "requests": "downloader/request_count",
    "browser_requests": "playwright/request_count",
    "errors": "log_count/ERROR",
    "retries": "retry/count",
    "bytes_downloaded": "downloader/response_bytes",
    "robots_forbidden": "robotstxt/forbidden",
}


def run(config: CrawlConfig) -> dict[str, Any]:
    """Run one crawl to completion and return its summary counts."""
    process = CrawlerProcess(crawl_settings(config), install_root_handler=True)
    crawler = process.create_crawler(DisclosureSpider)
    process.crawl(
        crawler,
        start_urls=list(config.start_urls),
        region_code=config.region_code,
        fiscal_year=config.fiscal_year,
        crawl_id=config.crawl_id,
        render_hosts=list(config.render_hosts),
    )
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    keys = {name: f"govbudget/{name}" for name in OWN_COUNTERS} | SCRAPY_COUNTERS
    summary: dict[str, Any] = {name: int(stats.get(key, 0) or 0) for name, key in keys.items()}
    summary["finish_reason"] = str(stats.get("finish_reason", ""))
    return summary


PARENT_ENV = "GOVBUDGET_CRAWL_PARENT"  # the pid of the process that started this crawl
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask the kernel for SIGTERM when the parent dies, so a crawl never goes on alone.

    The crawl runs in a session of its own (the parent kills its whole group, Chromium included, when
    it stops it); a parent killed by SIGKILL can do nothing, so the kernel tells the crawl instead
    (Linux's ``PR_SET_PDEATHSIG``), and Scrapy's SIGTERM handler stops it the way Ctrl-C would.
    """
    with contextlib.suppress(OSError, AttributeError):  # elsewhere the broken stdout ends it later
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    parent = os.environ.get(PARENT_ENV, "")
    if parent.isdigit() and os.getppid() != int(parent):  # it died before the request was made
        raise SystemExit(128 + signal.SIGTERM)


def main() -> int:
    die_with_parent()
    # The parent's stall watchdog sends SIGUSR1 before it kills a stuck crawl: every thread's
    # stack then lands in the crawl log (standard error), which is how a hang gets diagnosed.
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    summary = run(CrawlConfig.from_json(sys.stdin.read()))
    EventSink().emit("summary", **summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
