"""Scrapy settings for a govbudget crawl, assembled in one place from its `CrawlConfig`.

Politeness is on by default (robots.txt, AutoThrottle, a per-host cap), the telnet console and
the remote-control server are off, and the browser handler is installed but only used by requests
that ask for it.
"""

from __future__ import annotations

import json
from typing import Any

from govbudget.crawler.config import CrawlConfig
from govbudget.crawler.render_policy import playwright_settings

USER_AGENT = "govbudget/0.1 (+https://github.com/govbudget/govbudget; budget-disclosure archive)"


def crawl_settings(config: CrawlConfig) -> dict[str, Any]:
    """Settings for ``CrawlerProcess``; the ``GOVBUDGET_*`` keys configure our own components."""
    settings: dict[str, Any] = {
        "BOT_NAME": "govbudget",
        "USER_AGENT": USER_AGENT,
        "ROBOTSTXT_OBEY": config.obey_robots,
        # no remote shells into a crawl: the telnet console and Scrapy 2.19's code-executing HTTP
        # "remote control" server both stay off
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "TWISTED_DNS_RESOLVER": "govbudget.crawler.safe_resolver.PublicOnlyResolver",  # no DNS rebinding
        "COOKIES_ENABLED": True,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": 0.0,
        # AutoThrottle aims at the per-host concurrency and never waits less than DOWNLOAD_DELAY
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(config.concurrency_per_host),
        "CONCURRENT_REQUESTS": max(16, config.concurrency_per_host),
        "CONCURRENT_REQUESTS_PER_DOMAIN": config.concurrency_per_host,
        "DOWNLOAD_DELAY": config.download_delay,
        "CLOSESPIDER_PAGECOUNT": config.max_pages,  # 0: no limit; the summary's finish_reason says
        "DOWNLOAD_TIMEOUT": 60,
        "DOWNLOAD_MAXSIZE": config.max_file_bytes,
        "DOWNLOAD_WARNSIZE": config.max_file_bytes // 4,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": 3,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "DEPTH_LIMIT": 10,
        "REDIRECT_MAX_TIMES": 10,
        "LOG_LEVEL": "INFO",
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "DOWNLOADER_MIDDLEWARES": {
            "govbudget.crawler.middlewares.UrlSafetyMiddleware": 40,  # before OffsiteMiddleware (50)
            # only with GOVBUDGET_HTTP_PROXY: meta["proxy"] for Scrapy's HttpProxyMiddleware (750)
            "govbudget.crawler.forward_proxy.ForwardProxyMiddleware": 45,
            "govbudget.crawler.politeness.RobotsOverrideMiddleware": 90,  # before RobotsTxtMiddleware (100)
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "govbudget.crawler.politeness.RetryAfterMiddleware": 550,
            # below CookiesMiddleware (700) and HttpCompression (590): sees the stored cookie, plain bytes
            "govbudget.crawler.challenge_middleware.ChallengeMiddleware": 565,
            "govbudget.crawler.incremental.ConditionalRequestMiddleware": 580,
            "govbudget.crawler.politeness.SizeCapSkipMiddleware": 590,  # a size-cap stop is no error
        },
        "EXTENSIONS": {
            "govbudget.crawler.politeness.SizeCaps": 100,
            "govbudget.crawler.heartbeat.Heartbeat": 110,
            "govbudget.crawler.deferred.DeferredPass": 120,  # failed files tried again at the end
        },
        "GOVBUDGET_FRESH": config.fresh,
        "GOVBUDGET_SIZE_CAPS": dict(config.size_caps),
        "GOVBUDGET_ROBOTS_IGNORE_HOSTS": list(config.ignore_robots_hosts),
        "GOVBUDGET_HEARTBEAT_S": config.heartbeat_s,
        "ITEM_PIPELINES": {"govbudget.crawler.pipelines.ArchivePipeline": 300},
        "GOVBUDGET_STORAGE_URL": config.storage_url,
        "GOVBUDGET_DATABASE_URL": config.database_url,
        "GOVBUDGET_STORE_OPTIONS": json.dumps(config.store_options),
        "GOVBUDGET_ALLOW_LOOPBACK": config.allow_loopback,
        "GOVBUDGET_HTTP_PROXY": config.http_proxy,
    }
    settings.update(playwright_settings(config.chromium_path))
    # start the Playwright driver on the first browser request, not at engine start (see lazy_browser)
    settings["PLAYWRIGHT_BROWSER_PROVIDER"] = "govbudget.crawler.lazy_browser.LazyBrowserProvider"
    return settings
