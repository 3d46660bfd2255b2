"""The forward-proxy setting: with it, address vetting is the proxy's; without it, nothing changes."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler
from twisted.internet.error import DNSLookupError

from govbudget.crawler.config import CrawlConfig
from govbudget.crawler.forward_proxy import ForwardProxyMiddleware
from govbudget.crawler.safe_resolver import PublicOnlyResolver
from govbudget.crawler.scrapy_settings import crawl_settings
from govbudget.crawler.url_safety import check_url
from govbudget.tasks.crawl import crawl_config
from govbudget.tasks.settings import Settings
from govbudget.tasks.url_gate import UnsafeUrl, refuse_unsafe_start_urls

PROXY = "http://10.0.0.5:3128"


def test_without_a_proxy_loopback_and_private_stay_refused() -> None:
    assert not check_url("http://127.0.0.1/").allowed
    assert not check_url("http://10.1.2.3/").allowed
    with pytest.raises(UnsafeUrl):
        refuse_unsafe_start_urls(["http://127.0.0.1/"], allow_loopback=False)


def test_via_proxy_only_the_scheme_and_host_are_checked() -> None:
    assert check_url("http://www.linzhang.gov.cn/", via_proxy=True).allowed  # not resolvable here
    assert not check_url("file:///etc/passwd", via_proxy=True).allowed
    assert not check_url("http:///nohost", via_proxy=True).allowed
    assert refuse_unsafe_start_urls(["http://www.linzhang.gov.cn/"], allow_loopback=False,
                                    via_proxy=True) == ["http://www.linzhang.gov.cn/"]


def test_the_setting_travels_from_settings_to_every_request() -> None:
    settings = Settings.from_env({"GOVBUDGET_HTTP_PROXY": PROXY})
    config = CrawlConfig.from_json(crawl_config(settings, ["http://a.example/"]).to_json())
    crawler = get_crawler(settings_dict=crawl_settings(config))
    middleware = ForwardProxyMiddleware.from_crawler(crawler)
    request = Request("http://a.example/x")
    middleware.process_request(request)
    assert request.meta["proxy"] == PROXY
    own = Request("http://a.example/y", meta={"proxy": None})  # a request that opted out keeps it
    middleware.process_request(own)
    assert own.meta["proxy"] is None


def test_without_the_setting_the_middleware_is_off() -> None:
    config = crawl_config(Settings.from_env({}), ["http://a.example/"])
    assert config.http_proxy == ""
    with pytest.raises(NotConfigured):
        ForwardProxyMiddleware.from_crawler(get_crawler(settings_dict=crawl_settings(config)))


def test_resolver_lets_only_the_proxy_name_through() -> None:
    """The operator's proxy may sit on a private address; every other private answer is still refused."""
    resolver = PublicOnlyResolver.__new__(PublicOnlyResolver)
    resolver.allow_loopback = False
    resolver.proxy_host = "proxy.internal"
    assert resolver._vet("10.0.0.5", "proxy.internal") == "10.0.0.5"
    with pytest.raises(DNSLookupError):
        resolver._vet("10.0.0.5", "portal.example")
    resolver.proxy_host = ""
    with pytest.raises(DNSLookupError):
        resolver._vet("10.0.0.5", "proxy.internal")
