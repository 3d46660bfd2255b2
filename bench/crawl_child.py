"""One timed crawl in a fresh process (Twisted's reactor cannot restart): ours or a bare Scrapy spider.

Reads a JSON config on stdin, prints one JSON line: seconds from reactor start to finish, responses,
and the rendered page URLs. Interpreter start-up and imports are outside the timing on both sides.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor


class FollowAll(scrapy.Spider):
    """The baseline a user would write first: fetch every link on the start hosts, keep nothing."""

    name = "follow_all"

    def __init__(self, start_urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = start_urls
        self.allowed_domains = sorted({urlsplit(u).hostname or "" for u in start_urls})
        self.links = LinkExtractor(deny_extensions=[])  # off-site links are dropped by allowed_domains

    async def start(self):  # type: ignore[no-untyped-def]
        for url in self.start_urls:
            yield scrapy.Request(url)

    def parse(self, response):  # type: ignore[no-untyped-def]
        if isinstance(response, scrapy.http.TextResponse):
            for link in self.links.extract_links(response):
                yield response.follow(link.url)


def run(config: dict[str, Any]) -> dict[str, Any]:
    if config["mode"] == "bare":
        settings = {"TELNETCONSOLE_ENABLED": False, "LOG_LEVEL": "WARNING",
                    "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7", **(config.get("overrides") or {})}
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(FollowAll)
        process.crawl(crawler, start_urls=config["start_urls"])
    else:
        from govbudget.crawler.config import CrawlConfig
        from govbudget.crawler.scrapy_settings import crawl_settings
        from govbudget.crawler.spiders.disclosures import DisclosureSpider

        ours = CrawlConfig(start_urls=config["start_urls"], storage_url=config["storage_url"],
                           database_url=config["database_url"], allow_loopback=True,
                           render_hosts=config.get("render_hosts", []))
        settings = crawl_settings(ours)
        settings["LOG_LEVEL"] = "WARNING"
        settings.update(config.get("overrides") or {})
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(DisclosureSpider)
        process.crawl(crawler, start_urls=list(ours.start_urls), render_hosts=list(ours.render_hosts))
    t0 = time.perf_counter()
    process.start()
    seconds = time.perf_counter() - t0
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return {"seconds": seconds, "responses": int(stats.get("downloader/response_count", 0)),
            "browser_requests": int(stats.get("playwright/request_count", 0)),
            "files": int(stats.get("govbudget/files_archived", 0)),
            "pages": int(stats.get("govbudget/pages_fetched", 0)),
            "retry_after_waits": int(stats.get("govbudget/retry_after_waits", 0))}


if __name__ == "__main__":
    print(json.dumps(run(json.loads(sys.stdin.read()))))
