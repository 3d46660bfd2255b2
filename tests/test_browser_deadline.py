"""A browser request that never settles fails with a timeout and frees its page (browser_handler)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SPIDER = r'''
import json, sys
import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy_playwright.page import PageMethod
from govbudget.crawler.render_policy import playwright_settings

url, chromium = sys.argv[1], sys.argv[2]
seen = {}

class Hang(scrapy.Spider):
    name = "hang"

    async def start(self):
        never = PageMethod("wait_for_function", "() => false", timeout=0)  # Playwright: no timeout
        yield scrapy.Request(url, meta={"playwright": True, "playwright_page_methods": [never]},
                             callback=self.parse, errback=self.failed, dont_filter=True)

    def parse(self, response):
        seen["outcome"] = "response"

    def failed(self, failure):
        seen["outcome"] = type(failure.value).__name__
        seen["message"] = str(failure.value)

settings = {**playwright_settings(chromium), "DOWNLOAD_TIMEOUT": 3, "RETRY_ENABLED": False,
            "GOVBUDGET_ALLOW_LOOPBACK": True,  # the simulator is on 127.0.0.1 (browser_guard)
            "TELNETCONSOLE_ENABLED": False, "REMOTE_CONTROL_ENABLED": False, "LOG_LEVEL": "WARNING"}
process = CrawlerProcess(settings)
crawler = process.create_crawler(Hang)
process.crawl(crawler)
process.start()
stats = crawler.stats.get_stats()
seen["pages_opened"] = stats.get("playwright/page_count", 0)
seen["pages_closed"] = stats.get("govbudget/browser_timeout_pages_closed", 0)
seen["timeouts"] = stats.get("govbudget/browser_timeouts", 0)
print(json.dumps(seen))
'''


def test_hung_browser_request_times_out_and_closes_its_page(simulator: object, tmp_path: Path) -> None:
    url = simulator.base_url + "/spa/"  # type: ignore[attr-defined]
    done = subprocess.run(
        [sys.executable, "-c", SPIDER, url, "/usr/bin/chromium"],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["outcome"] == "TimeoutError", seen
    assert "longer than 3s" in seen["message"]
    assert seen["timeouts"] == 1
    assert seen["pages_opened"] == 1 and seen["pages_closed"] == 1
