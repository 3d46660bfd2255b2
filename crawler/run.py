"""Entry point of a crawl process: ``python -m govbudget.crawler.run`` with a JSON config on stdin.

Scrapy's Twisted reactor cannot be restarted inside one process, so every crawl runs in a fresh
process (from the command line and from Celery workers alike). The config travels on standard
input, not in argv, so storage keys never appear in a process listing.
"""

from __future__ import annotations

import faulthandler
import json
import signal
import sys
from typing import Any

from scrapy.crawler import CrawlerProcess

from govbudget.crawler.events import EventSink
from govbudget.crawler.scrapy_settings import crawl_settings
from govbudget.crawler.spiders.disclosures import DisclosureSpider

SUMMARY_STATS = {
    "pages": "govbudget/pages",
    "pages_new": "govbudget/pages_new",
    "files": "govbudget/files",
    "files_new": "govbudget/files_new",
    "files_revisit": "govbudget/files_revisit",
    "bytes": "govbudget/bytes",
    "refused": "govbudget/refused",
    "render_retries": "govbudget/render_retries",
    "requests": "downloader/request_count",
    "browser_requests": "playwright/request_count",
    "errors": "log_count/ERROR",
    "retries": "retry/count",
    "response_bytes": "downloader/response_bytes",
    "not_modified": "govbudget/not_modified",
    "skipped_oversize": "govbudget/skipped_oversize",
    "challenges": "govbudget/challenges",
    "store_retries": "govbudget/store_retries",
    "robots_forbidden": "robotstxt/forbidden",
}


def run(config: dict[str, Any]) -> dict[str, Any]:
    """Run one crawl to completion and return its summary counts."""
    settings = crawl_settings(
        storage_url=config["storage_url"],
        database_url=config["database_url"],
        store_options=config.get("store_options") or {},
        allow_loopback=bool(config.get("allow_loopback")),
        chromium_path=config.get("chromium_path") or "/usr/bin/chromium",
        obey_robots=config.get("obey_robots", True),
        fresh=bool(config.get("fresh")),
        size_caps=config.get("size_caps") or {},
        ignore_robots_hosts=config.get("ignore_robots_hosts") or [],
    )
    settings.update(config.get("scrapy_overrides") or {})
    process = CrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler(DisclosureSpider)
    process.crawl(
        crawler,
        start_urls=config["start_urls"],
        region_code=config.get("region_code"),
        fiscal_year=config.get("fiscal_year"),
        crawl_id=config.get("crawl_id"),
        render_hosts=config.get("render_hosts") or [],
    )
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    summary = {name: int(stats.get(key, 0) or 0) for name, key in SUMMARY_STATS.items()}
    summary["finish_reason"] = str(stats.get("finish_reason", ""))
    return summary


def main() -> int:
    # The parent's stall watchdog sends SIGUSR1 before it kills a stuck crawl: every thread's
    # stack then lands in the crawl log (standard error), which is how a hang gets diagnosed.
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    config = json.loads(sys.stdin.read())
    summary = run(config)
    EventSink().emit("summary", **summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
