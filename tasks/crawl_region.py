"""``crawl_region``: crawl one region under a lease, then say what changed at its documents.

The task runs Scrapy in a subprocess (``tasks.crawl.run_crawl``), because the Twisted reactor cannot
restart inside a long-lived worker. Only one crawl of a region runs at a time anywhere: the task
holds the catalog lease ``crawl:<code>`` (``storage.leases``); a second request for the same region
while it runs is skipped, not queued behind it. The result is the crawl summary plus the per-document
re-fetch report (new / unchanged / changed / gone) and what the archive step had to retry.

Entry points: given explicitly, else those of the region's most recent crawl run in the catalog (so
``refetch`` and the seasonal schedules re-crawl exactly where the region was crawled from before).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from govbudget.storage.history import compare_crawl, summarise
from govbudget.storage.leases import DEFAULT_TTL_S, LeaseBusy, held_lease
from govbudget.tasks.app import CRAWL_QUEUE, app
from govbudget.tasks.crawl import crawl_config, run_crawl
from govbudget.tasks.runtime import Services, services
from govbudget.tasks.schedules import ALL_PROVINCES, load_config

log = logging.getLogger(__name__)
CRAWL_TIME_LIMIT_S = 6 * 3600


class NoEntryPoints(LookupError):
    """The region has no known entry points (never crawled, none given)."""


def known_regions(svc: Services) -> list[str]:
    """Region codes the catalog has crawl runs for."""
    return svc.catalog.crawled_regions()


def entry_points(svc: Services, region_code: str) -> list[str]:
    """Start URLs of the region's most recent crawl run, else the region registry's entry points.

    A re-fetch repeats what this archive actually crawled (a researcher may have added URLs); a
    region never crawled here starts from the registry's known portal columns.
    """
    crawled = svc.catalog.last_start_urls(region_code)
    if crawled:
        return crawled
    from govbudget.crawler.regions import entry_points as registered

    known = [e.url for e in registered(region_code)]
    if known:
        return known
    raise NoEntryPoints(f"region {region_code} has no entry points: crawl it once with start URLs")


def crawl_region_now(
    svc: Services,
    region_code: str,
    *,
    fiscal_year: int | None = None,
    start_urls: Sequence[str] | None = None,
    fresh: bool = False,
    lease_ttl_s: float = DEFAULT_TTL_S,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Crawl `region_code` holding its lease (raises `LeaseBusy`); return summary and changes."""
    urls = list(start_urls) if start_urls else entry_points(svc, region_code)
    retried: list[dict[str, Any]] = []

    def watch(event: dict[str, Any]) -> None:
        if event.get("event") == "archived" and event.get("store_retries"):
            retried.append({"url": event.get("url"), "store_retries": event["store_retries"]})
        if on_event is not None:
            on_event(event)

    # fresh: ignore freshness caches (conditional requests), see crawler/config.py
    config = crawl_config(svc.settings, urls, region_code=region_code, fiscal_year=fiscal_year,
                          fresh=True if fresh else None)
    with held_lease(svc.catalog, f"crawl:{region_code}", ttl_s=lease_ttl_s) as holder:
        summary = run_crawl(svc, config, on_event=watch)
        changes = compare_crawl(svc.catalog, summary.crawl_id, region_code, fiscal_year)
    result = summary.as_dict()
    result.update(
        region_code=region_code,
        fiscal_year=fiscal_year,
        lease_holder=holder,
        fresh=config.fresh,
        store_retries=sum(r["store_retries"] for r in retried),
        store_retried=retried,
        changes=summarise(changes),
        documents=[c.as_dict() for c in changes],
    )
    return result


@app.task(
    name="govbudget.crawl_region",
    acks_late=True,
    time_limit=CRAWL_TIME_LIMIT_S,
    soft_time_limit=CRAWL_TIME_LIMIT_S - 300,
)
def crawl_region(
    region_code: str,
    fiscal_year: int | None = None,
    start_urls: list[str] | None = None,
    fresh: bool = False,
) -> dict[str, Any]:
    """Celery entry point (queue ``crawl``); a region already being crawled is skipped."""
    try:
        return crawl_region_now(
            services(), region_code, fiscal_year=fiscal_year, start_urls=start_urls, fresh=fresh
        )
    except LeaseBusy as exc:
        log.info("crawl_region(%s) skipped: %s", region_code, exc)
        return {"region_code": region_code, "skipped": str(exc)}


def season_regions(svc: Services, province: str) -> list[str]:
    """Regions a seasonal run covers: the configured ones, else the province's divisions that were
    crawled before or have an active entry point in the registry (each once; ``*``: every crawled one).

    A division found by ``govbudget sources discover`` is in its province's season before it was ever
    crawled, so a new registry reaches the whole province at the next season without a config edit.
    """
    config = load_config(svc.settings.schedules_file)
    if province in config.regions:
        return list(config.regions[province])
    known = known_regions(svc)
    if province == ALL_PROVINCES:
        return known
    from govbudget.crawler.regions.registry import load_entry_points

    registered = {e.region_code for e in load_entry_points()}
    return sorted(code for code in set(known) | registered if code.startswith(province))


@app.task(name="govbudget.crawl_season", acks_late=True)
def crawl_season(province: str, season: str, expires_s: int = 12 * 3600) -> list[str]:
    """Beat's entry: enqueue one ``crawl_region`` per region of `province` (``*``: all known)."""
    regions = season_regions(services(), province)
    for code in regions:
        crawl_region.apply_async(args=[code], kwargs={"fresh": False}, queue=CRAWL_QUEUE, expires=expires_s)
    log.info("%s season: queued %d region crawls for province %s", season, len(regions), province)
    return regions
