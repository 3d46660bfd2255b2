"""Running one crawl: a Scrapy process, parse dispatch as files arrive, and the run's summary.

The crawl process reports every archived object on its standard output; this side dispatches a
parse for each new file while the crawl goes on, then waits until every file of the run has a
parse result so the summary can say how parsing went.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from govbudget.tasks.crawl_process import CrawlFailed, CrawlStalled, run_crawl_process
from govbudget.tasks.dispatch import enqueue_parse
from govbudget.tasks.runtime import Services
from govbudget.tasks.url_gate import refuse_unsafe_start_urls


@dataclass
class CrawlSummary:
    """What a researcher wants to know at the end of a run."""

    crawl_id: str
    start_urls: list[str]
    pages_fetched: int = 0
    files_archived: int = 0
    files_new: int = 0
    files_already_archived: int = 0
    pages_new: int = 0
    refused_urls: int = 0
    browser_requests: int = 0
    retries: int = 0
    bytes_downloaded: int = 0
    not_modified: int = 0
    skipped_oversize: int = 0
    robots_forbidden: int = 0
    challenges: int = 0
    parsed_ok: int = 0
    parsed_partial: int = 0
    parsed_failed: int = 0
    parse_pending: int = 0
    seconds: float = 0.0
    log_file: str = ""
    files: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


__all__ = ["CrawlFailed", "CrawlStalled", "CrawlSummary", "run_crawl"]

Progress = Callable[[dict[str, Any]], None]


def run_crawl(
    svc: Services,
    start_urls: Iterable[str],
    *,
    region_code: str | None = None,
    fiscal_year: int | None = None,
    render_hosts: Iterable[str] = (),
    on_event: Progress | None = None,
    parse_timeout: float = 900.0,
    fresh: bool = False,
    obey_robots: bool = True,
    size_caps: dict[str, int] | None = None,
    ignore_robots_hosts: Iterable[str] = (),
) -> CrawlSummary:
    """Crawl ``start_urls`` into the archive and dispatch parsing; return the summary.

    ``fresh`` skips conditional requests (every URL is downloaded again); ``obey_robots`` is the
    switch for the whole crawl and ``ignore_robots_hosts`` the per-source override (hosts whose
    robots.txt is not applied; every other host's is); ``size_caps`` maps content types (and ``*``)
    to byte caps.
    """
    settings = svc.settings
    urls = refuse_unsafe_start_urls(list(start_urls), allow_loopback=settings.allow_loopback)
    started = time.monotonic()
    crawl_id = svc.catalog.start_crawl(start_urls=urls, region_code=region_code, fiscal_year=fiscal_year)
    summary = CrawlSummary(crawl_id=crawl_id, start_urls=urls)
    log_dir = settings.data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / f"crawl-{crawl_id}.log"
    summary.log_file = str(log_file)
    config = {
        "start_urls": urls,
        "region_code": region_code,
        "fiscal_year": fiscal_year,
        "crawl_id": crawl_id,
        "storage_url": settings.effective_storage_url,
        "database_url": settings.effective_database_url,
        "store_options": settings.store_options(),
        "allow_loopback": settings.allow_loopback,
        "chromium_path": settings.chromium_path,
        "render_hosts": sorted(set(render_hosts)),
        "fresh": fresh,
        "obey_robots": obey_robots,
        "size_caps": size_caps or {},
        "ignore_robots_hosts": sorted({h.lower() for h in ignore_robots_hosts}),
        # a few heartbeats fit in one stall timeout, so a slow crawl is never taken for a stuck one
        "scrapy_overrides": {"GOVBUDGET_HEARTBEAT_S": min(10.0, settings.crawl_stall_timeout / 6)},
    }
    dispatched: set[str] = set()
    status = "failed"
    try:
        def handle(event: dict[str, Any]) -> None:
            if event["event"] == "archived" and event.get("kind") == "file":
                _on_file(event, summary, dispatched, svc)
            if on_event is not None:
                on_event(event)

        child_summary = run_crawl_process(
            config, log_file, handle, stall_timeout=settings.crawl_stall_timeout
        )
        summary.pages_fetched = child_summary.get("pages", 0)
        summary.pages_new = child_summary.get("pages_new", 0)
        summary.refused_urls = child_summary.get("refused", 0)
        summary.browser_requests = child_summary.get("browser_requests", 0)
        summary.retries = child_summary.get("retries", 0)
        summary.bytes_downloaded = child_summary.get("response_bytes", 0)
        summary.not_modified = child_summary.get("not_modified", 0)
        summary.skipped_oversize = child_summary.get("skipped_oversize", 0)
        summary.robots_forbidden = child_summary.get("robots_forbidden", 0)
        summary.challenges = child_summary.get("challenges", 0)
        _await_parse_results(svc, summary, timeout=parse_timeout, on_event=on_event)
        status = "finished"
    finally:
        summary.seconds = round(time.monotonic() - started, 2)
        svc.catalog.finish_crawl(crawl_id, summary.as_dict(), status)
    return summary


def _on_file(event: dict[str, Any], summary: CrawlSummary, dispatched: set[str], svc: Services) -> None:
    sha = event["sha256"]
    summary.files_archived += 1
    if event.get("new_object"):
        summary.files_new += 1
    else:
        summary.files_already_archived += 1
    if sha in dispatched:
        return
    dispatched.add(sha)
    summary.files.append(sha)
    if svc.catalog.parse_status(sha) is None:
        enqueue_parse(sha)


def _await_parse_results(
    svc: Services, summary: CrawlSummary, *, timeout: float, on_event: Progress | None
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        statuses = [svc.catalog.parse_status(sha) for sha in summary.files]
        pending = sum(s is None for s in statuses)
        if pending == 0 or time.monotonic() > deadline:
            break
        if on_event is not None:
            on_event({"event": "waiting_for_parse", "pending": pending, "total": len(statuses)})
        time.sleep(0.5)
    summary.parsed_ok = statuses.count("ok")
    summary.parsed_partial = statuses.count("partial")
    summary.parsed_failed = statuses.count("failed")
    summary.parse_pending = pending
