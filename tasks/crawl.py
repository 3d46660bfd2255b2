"""Running one crawl: a Scrapy process, parse dispatch as files arrive, and the run's summary.

The crawl process reports every archived object on its standard output; this side dispatches a
parse for each new file while the crawl goes on. In the embedded default (no broker) the parse runs
right here, and the ZIP/RAR members it archives are passed on as ``archived`` events marked
``member``; with a broker, workers parse. The run ends when the crawl ends, with one reconcile pass
over the run's files whose job may be lost (a publish that outlasted its retries, a Redis restarted
without persistence). How parsing went is read from the catalog then: files still queued for a worker
are ``parse_queued``, not waited for; files the broker could not take even then are ``parse_unqueued``
(beat's reconciler queues them later: the broker never fails a crawl); files nothing will parse (an
in-process parse that failed past its retries) are ``parse_pending``, listed in ``pending`` with the
reason in ``dispatch_errors``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields, replace
from functools import partial
from typing import Any

from govbudget.crawler.config import CrawlConfig
from govbudget.storage.catalog import Catalog
from govbudget.tasks.crawl_process import CrawlFailed, CrawlStalled, run_crawl_process
from govbudget.tasks.crawl_runs import close_abandoned_runs, crawl_owner
from govbudget.tasks.dispatch import Dispatcher
from govbudget.tasks.interrupts import Interrupted, interruptible
from govbudget.tasks.reconcile import reconcile
from govbudget.tasks.runtime import Services
from govbudget.tasks.settings import Settings
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
    members_archived: int = 0  # files taken out of archived ZIP/RAR files, not counted in files_*
    pages_new: int = 0
    refused_urls: int = 0
    browser_requests: int = 0
    retries: int = 0
    deferrals: int = 0  # Retry-After waits (429/503) that did not spend a retry
    files_deferred: int = 0  # files that gave up and were tried again at the end of the crawl
    files_failed: int = 0  # ...and failed there too: listed in `failed_files`
    bytes_downloaded: int = 0
    not_modified: int = 0
    skipped_oversize: int = 0
    robots_forbidden: int = 0
    challenges: int = 0
    parsed_ok: int = 0
    parsed_partial: int = 0
    parsed_failed: int = 0
    parse_pending: int = 0  # no result and nothing will parse them: listed in `pending`
    parse_queued: int = 0  # no result yet, queued for a worker
    parse_unqueued: int = 0  # no result, the broker could not take them: left to beat's reconciler
    dispatch_retries: int = 0  # publishes and in-process parses retried through an outage
    seconds: float = 0.0
    log_file: str = ""
    files: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    dispatch_errors: dict[str, str] = field(default_factory=dict)  # sha256 -> why not parsed nor queued
    failed_files: list[dict[str, str]] = field(default_factory=list)  # {url, reason}: `docs --failed`
    refused: list[dict[str, str]] = field(default_factory=list)  # {url, reason}: `docs --skipped`
    skipped: list[dict[str, Any]] = field(default_factory=list)  # {url, reason, size}: `docs --skipped`
    finish_reason: str = ""  # Scrapy's: finished, closespider_pagecount (--max-pages), shutdown, ...

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def nothing_fetched(self) -> str | None:
        """Why the crawl fetched nothing, in one line; None when it fetched a page or a file."""
        if self.pages_fetched or self.files_archived:
            return None
        why = [f"{n} {what}" for n, what in (
            (self.refused_urls, "refused"), (self.robots_forbidden, "forbidden by robots.txt"),
            (self.skipped_oversize, "skipped past a size cap"), (self.files_failed, "failed"),
            (self.retries, "retries")) if n]
        starts = len(self.start_urls)
        return (f"nothing fetched: 0 pages and 0 files from {starts} start URL{'s' * (starts != 1)}"
                f" ({', '.join(why) or 'no answer'}); log {self.log_file}")


__all__ = ["CrawlConfig", "CrawlFailed", "CrawlStalled", "CrawlSummary", "crawl_config", "failed_files",
           "run_crawl", "skipped_urls"]

Progress = Callable[[dict[str, Any]], None]


def crawl_config(
    settings: Settings,
    start_urls: Iterable[str],
    *,
    region_code: str | None = None,
    fiscal_year: int | None = None,
    **flags: object,
) -> CrawlConfig:
    """The crawl's `CrawlConfig` from the settings and the command line.

    `flags` are command-line values of settings (``fresh``, ``render_hosts``, ``ignore_robots_hosts``,
    ...; None when not given) and win over the ``GOVBUDGET_*`` variables, as everywhere.
    """
    s = settings.with_overrides(**flags)
    return CrawlConfig(
        start_urls=tuple(start_urls),
        region_code=region_code,
        fiscal_year=fiscal_year,
        storage_url=s.effective_storage_url,
        database_url=s.effective_database_url,
        store_options=s.store_options(),
        allow_loopback=s.allow_loopback,
        http_proxy=s.http_proxy,
        chromium_path=s.chromium_path,
        render_hosts=s.render_hosts,
        fresh=s.fresh,
        obey_robots=s.obey_robots,
        size_caps=s.size_caps,
        ignore_robots_hosts=s.ignore_robots_hosts,
        stall_timeout=float(s.crawl_stall_timeout),
        max_pages=s.max_pages,
        download_delay=s.download_delay,
        concurrency_per_host=s.concurrency_per_host,
    )


@interruptible()
def run_crawl(svc: Services, config: CrawlConfig, *, on_event: Progress | None = None) -> CrawlSummary:
    """Crawl as `config` says into the archive and dispatch parsing; return the summary.

    `svc` is where the summary is recorded and parses are dispatched from (the config names the
    same archive for the crawl process). A crawl id is opened here unless the config brings one.

    The run records this process as its owner, which beats while the crawl runs; runs that a dead
    process left ``running`` are closed first (``tasks.crawl_runs``). SIGTERM or SIGINT stops the crawl
    process with everything it started, records the run ``interrupted`` and raises
    ``tasks.interrupts.Interrupted`` (a ``SystemExit`` with status 128 + the signal's number).
    """
    urls = refuse_unsafe_start_urls(list(config.start_urls), allow_loopback=config.allow_loopback,
                                    via_proxy=bool(config.http_proxy))
    started = time.monotonic()
    close_abandoned_runs(svc.catalog)
    crawl_id = svc.catalog.start_crawl(start_urls=urls, region_code=config.region_code,
                                       fiscal_year=config.fiscal_year, crawl_id=config.crawl_id,
                                       owner=crawl_owner())
    config = replace(config, start_urls=tuple(urls), crawl_id=crawl_id)
    summary = CrawlSummary(crawl_id=crawl_id, start_urls=urls)
    log_dir = svc.settings.data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / f"crawl-{crawl_id}.log"
    summary.log_file = str(log_file)
    dispatched: set[str] = set()
    listed: set[tuple[int, str, str]] = set()  # refused and skipped URLs already in the summary
    dispatcher = Dispatcher(svc.settings)
    status = "failed"
    beat = partial(svc.catalog.crawl_heartbeat, crawl_id)
    try:
        def handle(event: dict[str, Any]) -> None:
            members: list[dict[str, Any]] = []
            if event["event"] == "archived" and event.get("kind") == "file":
                members = _on_file(event, summary, dispatched, dispatcher, svc)
            elif event["event"] == "failed":
                summary.failed_files.append({"url": event["url"], "reason": event["reason"]})
            elif event["event"] == "refused":
                _add_once(summary.refused, listed, {"url": event["url"], "reason": event["reason"]})
            elif event["event"] == "skipped":
                _add_once(summary.skipped, listed, {"url": event["url"], "reason": event["reason"],
                                                    "size": event.get("size")})
            if on_event is not None:
                on_event(event)
                for member in members:
                    on_event(member)

        try:
            child_summary = run_crawl_process(config, log_file, handle, beat)
        except CrawlFailed:
            _reconcile_run(svc, summary, dispatcher)  # what was archived still gets its parse
            raise
        _reconcile_run(svc, summary, dispatcher)
        counters = {f.name for f in fields(CrawlSummary) if f.type == "int"}
        for name, value in child_summary.items():
            if name in counters:
                setattr(summary, name, int(value))
        summary.finish_reason = str(child_summary.get("finish_reason", ""))
        _tally_parses(svc, summary, dispatcher)
        status = "finished"
    except Interrupted as exc:
        status = "interrupted"
        exc.add_note(f"crawl {crawl_id} recorded as interrupted")
        raise
    finally:
        summary.seconds = round(time.monotonic() - started, 2)
        svc.catalog.finish_crawl(crawl_id, summary.as_dict(), status)
    return summary


def failed_files(catalog: Catalog) -> Iterator[dict[str, Any]]:
    """The files crawl runs recorded as failed (their summaries' ``failed_files``), oldest run first.

    ``archived_since`` is the sha256 of a capture of the URL made since that run started (a later
    crawl got it), or None while it is still missing.
    """
    for run in catalog.crawl_runs():
        for failure in (run.summary or {}).get("failed_files") or ():
            since = catalog.last_capture_for_url(failure["url"])
            got = since is not None and since.fetched_at >= run.started_at
            finished = run.finished_at.isoformat() if run.finished_at else None
            yield {"crawl_id": run.id, "failed_at": finished, "url": failure["url"],
                   "reason": failure["reason"], "archived_since": since.sha256 if got else None}


def skipped_urls(catalog: Catalog) -> Iterator[dict[str, Any]]:
    """The URLs crawl runs refused (``refused``: a private address, a scheme) or skipped (``skipped``:
    past a size cap), from their summaries, oldest run first; `size` is None for a refusal."""
    for run in catalog.crawl_runs():
        finished = run.finished_at.isoformat() if run.finished_at else None
        for what in ("refused", "skipped"):
            for entry in (run.summary or {}).get(what) or ():
                yield {"crawl_id": run.id, "finished_at": finished, "what": what, "url": entry["url"],
                       "reason": entry["reason"], "size": entry.get("size")}


def _add_once(entries: list[dict[str, Any]], listed: set[tuple[int, str, str]],
              entry: dict[str, Any]) -> None:
    """A URL met again (linked from another page, a redirect taken twice) is listed once."""
    key = (id(entries), entry["url"], entry["reason"])
    if key not in listed:
        listed.add(key)
        entries.append(entry)


def _on_file(
    event: dict[str, Any], summary: CrawlSummary, dispatched: set[str], dispatcher: Dispatcher, svc: Services
) -> list[dict[str, Any]]:
    """Count a fetched file and dispatch its parse; the ``archived`` events of members it gave."""
    sha = event["sha256"]
    summary.files_archived += 1
    if event.get("new_object"):
        summary.files_new += 1
    else:
        summary.files_already_archived += 1
    if sha in dispatched:
        return []
    dispatched.add(sha)
    summary.files.append(sha)
    if svc.catalog.parse_status(sha) is None:
        return dispatcher.send(sha)
    return []


def _reconcile_run(svc: Services, summary: CrawlSummary, dispatcher: Dispatcher) -> None:
    """The end-of-crawl reconcile: the run's files whose job may be lost are sent again, whatever their
    age (the members an in-process parse archives now are counted from the catalog)."""
    lost = dispatcher.maybe_lost(summary.files)
    if lost:
        reconcile(svc, only=lost, dispatcher=dispatcher)


def _tally_parses(svc: Services, summary: CrawlSummary, dispatcher: Dispatcher) -> None:
    """Parse statuses of the crawl's files, and its archive members, as the catalog has them now."""
    tally = svc.catalog.parse_tally(summary.crawl_id)
    summary.parsed_ok = tally["ok"]
    summary.parsed_partial = tally["partial"]
    summary.parsed_failed = tally["failed"]
    unparsed = [sha for sha in summary.files if svc.catalog.parse_status(sha) is None]
    if dispatcher.embedded:
        summary.pending = unparsed
    else:
        unqueued = [sha for sha in unparsed if sha not in dispatcher.queued_on]
        summary.parse_unqueued = len(unqueued)
        summary.parse_queued = len(unparsed) - len(unqueued)
    summary.parse_pending = len(summary.pending)
    summary.dispatch_errors = {sha: dispatcher.errors[sha] for sha in unparsed if sha in dispatcher.errors}
    summary.dispatch_retries = dispatcher.retries.count
    summary.members_archived = sum(svc.catalog.parse_tally(summary.crawl_id, members=True).values())
