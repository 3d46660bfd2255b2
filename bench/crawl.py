"""Crawl: our crawler with archiving vs a bare follow-all Scrapy spider on the same simulator sites.

Only the plain-HTTP sites are crawled here (the JS-only site needs the browser, measured in
`browser.py`); both sides fetch every page and file they find, ours also archives each one into the
embedded store and catalog. Figure: responses per second, from reactor start to finish.

The target figure puts each of those sites on its own loopback address, as real portals are each
their own host, so per-host caps (ours 4, the bare spider's 8) apply per site. It leaves out the
edge-case site, whose budget list answers every other request with 429 and ``Retry-After: 1``: we
wait the second it asks for, the bare spider retries at once, so that site measures politeness,
not throughput. A second figure keeps every plain site, all behind one host, as the simulator
serves them. The default stays at 4 per host: politeness towards government servers is not traded
for a benchmark on a local simulator.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.harness import Context, Row, Section, rounds

ROOT = Path(__file__).resolve().parents[1]
RETRY_AFTER_FAMILY = "edge_cases"


def crawl(config: dict[str, Any]) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-m", "bench.crawl_child"], input=json.dumps(config), cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"crawl child failed: {proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fresh_archive(ctx: Context) -> dict[str, str]:
    """An empty archive whose catalog schema exists, as a researcher's archive does before a crawl.

    Creating the schema (Alembic migrations) is a once-per-archive cost, not a per-crawl one, so it
    happens here, outside the timed crawl; the archive holds no capture, so nothing is skipped.
    """
    from govbudget.storage.catalog import Catalog

    tmp = Path(tempfile.mkdtemp(prefix="bench-crawl-", dir=ctx.workdir))
    database_url = f"sqlite:///{tmp / 'catalog.sqlite3'}"
    Catalog(database_url).engine.dispose()
    return {"storage_url": str(tmp / "objects"), "database_url": database_url}


def own_hosts(sim: Any, sites: list[Any]) -> tuple[list[str], list[Any]]:
    """Each site on its own loopback address (127.0.0.2, .3, ...), as real portals are each a host.

    Per-host caps (ours 4, the bare spider's 8) then apply per site, as they do on the internet,
    instead of one cap covering every site of the simulator's single host.
    """
    from govbudget.simulator import PortalSimulator

    urls, sims = [], []
    for n, site in enumerate(sites, start=2):
        other = PortalSimulator(host=f"127.0.0.{n}").start()
        sims.append(other)
        urls.append(other.base_url + site.start_url[len(sim.base_url):])
    return urls, sims


def run(ctx: Context, sim: Any) -> Section:
    plain = [s for s in sim.sites if not s.needs_browser]
    urls = [s.start_url for s in plain]
    calm_sites = [s for s in plain if s.family != RETRY_AFTER_FAMILY]
    spread, sims = own_hosts(sim, calm_sites)
    seen: dict[str, dict[str, Any]] = {}
    seconds: dict[str, list[float]] = {}

    def side(mode: str, start_urls: list[str], key: str, overrides: dict[str, Any] | None = None) -> float:
        result = crawl({"mode": mode, "start_urls": start_urls, "overrides": overrides or {},
                        **fresh_archive(ctx)})
        seen[key] = result
        seconds.setdefault(key, []).append(result["seconds"])
        return result["responses"] / result["seconds"]

    try:
        med = rounds(ctx, {
            "ours": lambda: side("ours", spread, "ours"),
            "bare": lambda: side("bare", spread, "bare"),
            "ours_one": lambda: side("ours", urls, "ours_one"),
            "bare_one": lambda: side("bare", urls, "bare_one"),
        })
    finally:
        for other in sims:
            other.stop()
    ratio = med["ours"] / med["bare"]
    one_ratio = med["ours_one"] / med["bare_one"]
    section = Section("Crawl", f"{len(spread)} plain-HTTP simulator sites, each on its own loopback host; "
                               f"ours fetched {seen['ours']['responses']} responses ({seen['ours']['files']} "
                               f"files archived), the bare spider {seen['bare']['responses']}")
    section.rows.append(Row("responses/s, one site per host", med["ours"], med["bare"],
                            "bare follow-all Scrapy spider", "pages/s", ratio, "≥ 0.7", ratio >= 0.7))
    section.rows.append(Row(f"responses/s, all {len(urls)} plain sites on one host (Retry-After site too)",
                            med["ours_one"], med["bare_one"], "bare follow-all Scrapy spider", "pages/s",
                            one_ratio))
    waits = seen["ours_one"].get("retry_after_waits", 0)
    section.notes += [
        "median seconds per crawl: ours " + ", bare ".join(
            f"{statistics.median(seconds[k]):.2f} s" for k in ("ours", "bare"))
        + "; all sites on one host: ours " + ", bare ".join(
            f"{statistics.median(seconds[k]):.2f} s" for k in ("ours_one", "bare_one")),
        "what differs — ours: robots.txt obeyed (one extra request per host), at most 4 requests at a time "
        "per host with AutoThrottle aiming at 4, 429/503 retried only after the server's Retry-After, every "
        "response archived (object fsynced, capture row committed) before its event; bare: Scrapy's "
        "defaults (8 per host, no robots.txt, 429 retried at once, nothing kept), and it follows every "
        "link, decoys included",
        "the target figure leaves out the edge-case site, whose budget list answers every other request "
        "with 429 and `Retry-After: 1`: we wait the second it asks for, the bare spider retries at once, "
        "so that site measures politeness, not throughput. The second figure keeps it, with all six sites "
        f"behind one host's cap of 4 ({waits} Retry-After waits in its last run, on the crawl's critical "
        "path): a crawler with no overhead that honours the wait would reach only ≈ 0.28 there",
        "ratio = ours / bare in responses per second; reactor start to finish, interpreter start-up "
        "excluded; ours crawls into an empty archive whose catalog schema already exists",
        "the simulator's listen backlog is raised from the stdlib's 5 to 128 here: with 5, the bare "
        "spider's 8 parallel connections overflowed it and in about half its runs one request waited 1 s "
        "for the kernel's SYN retry, which flattered our ratio",
    ]
    return section
