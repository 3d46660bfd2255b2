"""The crawl's archive path off the reactor thread, cached validators, and the lazily started browser."""

from __future__ import annotations

import asyncio
import io
import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from scrapy_playwright.handler import Config

from govbudget.crawler.config import CrawlConfig
from govbudget.crawler.events import EventSink
from govbudget.crawler.incremental import ConditionalRequestMiddleware
from govbudget.crawler.lazy_browser import LazyBrowserProvider
from govbudget.crawler.pipelines import ArchivePipeline
from govbudget.crawler.scrapy_settings import crawl_settings
from govbudget.storage.catalog import CaptureRow, Catalog
from govbudget.storage.fetch import Fetch
from govbudget.storage.keys import content_key, sha256_hex

T0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


def _settings(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    settings = crawl_settings(CrawlConfig(storage_url=str(tmp_path / "objects"),
                                          database_url=f"sqlite:///{tmp_path / 'catalog.sqlite3'}"))
    settings.update(extra)
    return settings


def _pipeline(tmp_path: Path, **extra: Any) -> tuple[ArchivePipeline, io.StringIO]:
    crawler = get_crawler(settings_dict=_settings(tmp_path, **extra))
    crawler.stats.open_spider()  # type: ignore[union-attr]
    pipeline = ArchivePipeline.from_crawler(crawler)
    out = io.StringIO()
    pipeline.events = EventSink(stream=out)
    return pipeline, out


def test_items_are_archived_in_worker_threads_and_reported_after_commit(tmp_path: Path) -> None:
    pipeline, out = _pipeline(tmp_path, GOVBUDGET_ARCHIVE_THREADS=3)
    writer_threads: set[str] = set()
    archive = pipeline.archive.archive

    def spy(fetch: Fetch) -> Any:
        writer_threads.add(threading.current_thread().name)
        return archive(fetch)

    pipeline.archive.archive = spy  # type: ignore[method-assign]
    bodies = [f"file {i % 5}".encode() for i in range(20)]  # 5 distinct objects, each fetched 4 times
    items = [Fetch(url=f"http://a.test/{i}.pdf", body=b, fetched_at=T0) for i, b in enumerate(bodies)]

    async def run() -> list[Fetch]:
        return await asyncio.gather(*(pipeline.process_item(item) for item in items))

    assert asyncio.run(run()) == items
    pipeline.close_spider()
    assert writer_threads and all(name.startswith("archive") for name in writer_threads)
    assert threading.current_thread().name not in writer_threads
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(events) == 20
    assert sum(e["new_object"] for e in events) == 5
    assert not any("member" in e for e in events)  # fetched files; archive members are marked
    captured = {c["id"]: c for c in pipeline.catalog.captures()}
    for event in events:  # every event names a committed capture of its URL and bytes
        assert captured[event["capture_id"]]["url"] == event["url"]
        index = int(event["url"].rsplit("/", 1)[1].removesuffix(".pdf"))
        assert pipeline.store.get(content_key(event["sha256"])) == bodies[index]
    stats = pipeline.stats.get_stats()  # type: ignore[union-attr]
    names = ("files_archived", "files_new", "files_already_archived")  # as the crawl summary shows them
    assert [stats[f"govbudget/{name}"] for name in names] == [20, 5, 15]


def test_a_failed_archive_fails_the_item_and_emits_nothing(tmp_path: Path) -> None:
    pipeline, out = _pipeline(tmp_path)

    def broken(fetch: Fetch) -> Any:
        raise OSError("disk full")

    pipeline.archive.archive = broken  # type: ignore[method-assign]
    with pytest.raises(OSError, match="disk full"):
        asyncio.run(pipeline.process_item(Fetch(url="http://a.test/x.pdf", body=b"x")))
    pipeline.close_spider()
    assert out.getvalue() == ""


def _middleware(tmp_path: Path) -> tuple[ConditionalRequestMiddleware, Catalog]:
    crawler = get_crawler(settings_dict=_settings(tmp_path))
    crawler.stats.open_spider()  # type: ignore[union-attr]
    catalog = Catalog(f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    return ConditionalRequestMiddleware.from_crawler(crawler), catalog


def _capture(catalog: Catalog, body: bytes, url: str, **extra: Any) -> None:
    sha = sha256_hex(body)
    catalog.record_capture(CaptureRow(sha256=sha, url=url, fetched_at=T0, **extra), size=len(body),
                           storage_key=content_key(sha), content_type="text/html")


def test_validators_come_from_one_query_per_site(tmp_path: Path) -> None:
    mw, catalog = _middleware(tmp_path)
    _capture(catalog, b"list", "http://a.test/list", headers={"ETag": '"v1"', "Last-Modified": "Mon"})
    _capture(catalog, b"gone", "http://a.test/gone", status=404, headers={"ETag": '"x"'})
    _capture(catalog, b"plain", "http://a.test/plain", headers={"Content-Type": "text/html"})
    _capture(catalog, b"other", "http://b.test/list", headers={"ETag": '"b"'})
    queries: list[str] = []
    mw_catalog, _ = mw._open()
    original = mw_catalog.latest_captures_under

    def counted(prefix: str) -> Any:
        queries.append(prefix)
        return original(prefix)

    mw_catalog.latest_captures_under = counted  # type: ignore[method-assign]
    requests = {url: Request(url) for url in ("http://a.test/list", "http://a.test/gone", "http://a.test/plain",
                                              "http://a.test/new", "http://b.test/list")}
    for request in requests.values():
        mw.process_request(request)
    assert queries == ["http://a.test", "http://b.test"]
    listed = requests["http://a.test/list"]
    assert listed.headers["If-None-Match"] == b'"v1"'
    assert listed.headers["If-Modified-Since"] == b"Mon"
    assert listed.meta["previous_capture"]["sha256"] == sha256_hex(b"list")
    assert requests["http://b.test/list"].headers["If-None-Match"] == b'"b"'
    for url in ("http://a.test/gone", "http://a.test/plain", "http://a.test/new"):
        assert "If-None-Match" not in requests[url].headers
        assert "previous_capture" not in requests[url].meta


def test_a_304_is_answered_from_the_archived_bytes(tmp_path: Path) -> None:
    mw, catalog = _middleware(tmp_path)
    body = b"<html><a href='/f.pdf'>f</a></html>"
    _capture(catalog, body, "http://a.test/list", headers={"ETag": '"v1"', "Content-Type": "text/html"})
    _, store = mw._open()
    store.put(content_key(sha256_hex(body)), body)
    request = Request("http://a.test/list")
    mw.process_request(request)
    got = mw.process_response(request, HtmlResponse("http://a.test/list", status=304, request=request))
    assert (got.status, got.body, got.flags) == (200, body, ["revisit"])
    assert request.meta["revisit_of"] == sha256_hex(body)


def test_the_lazy_provider_starts_no_driver_until_a_browser_is_needed(tmp_path: Path) -> None:
    from scrapy.settings import Settings

    settings = Settings(_settings(tmp_path))
    assert settings["PLAYWRIGHT_BROWSER_PROVIDER"].endswith("LazyBrowserProvider")
    provider = LazyBrowserProvider(Config.from_settings(settings))
    asyncio.run(provider.start())
    assert provider.playwright is None and provider.browser_type is None
    asyncio.run(provider.close())  # closing a provider that never started is a no-op
