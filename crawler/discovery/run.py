"""One discovery run over a province (or the whole country): methods in order, conflicts settled.

1. ``directory`` from every registry entry point of the province and of divisions under it, then
   from each city's column found, down ``depth`` levels;
2. ``shared_platform`` from every entry point found so far whose URL carries its division's code;
3. for each division still without one: its home page if a directory linked to it (handled inside
   ``directory``), else ``host_candidate`` hosts.
A URL attributed to two divisions is kept for the one whose page names it most surely; the other
attribution becomes an `Attempt` (``ambiguous``).
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from govbudget.crawler.discovery.column import sites_pages
from govbudget.crawler.discovery.directory import from_directory
from govbudget.crawler.discovery.fetch import PageFetcher
from govbudget.crawler.discovery.found import Attempt, Found
from govbudget.crawler.discovery.hosts import from_hosts
from govbudget.crawler.discovery.platform import derive
from govbudget.regions import Division, all_divisions
from govbudget.regions.names import is_under

HOST_WORKERS = 8  # candidate hosts tried at once: most do not exist, and each costs a timeout


@dataclass
class Discovery:
    """What a run found, what it tried, and which divisions it covered."""

    scope: Division | None
    divisions: list[Division]
    found: list[Found] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    pages_fetched: int = 0

    def missing(self) -> list[Division]:
        have = {f.division.code for f in self.found}
        return [d for d in self.divisions if d.code not in have]


def divisions_under(scope: Division | None) -> list[Division]:
    """``scope`` and every division under it (the whole table when None)."""
    table = all_divisions().values()
    if scope is None:
        return list(table)
    return [d for d in table if d.code == scope.code or is_under(d.code, scope.code)]


def discover(fetcher: PageFetcher, scope: Division | None, starts: Iterable[tuple[str, str]], *,
             depth: int = 3, use_hosts: bool = True) -> Discovery:
    """Entry points of every division in ``scope``.

    ``starts`` are (region code, URL) already known; a code of ``""`` marks a national directory
    (a page listing provinces), read only when the scope takes in more than one province's pages.
    """
    run = Discovery(scope, divisions_under(scope))
    in_scope = {d.code: d for d in run.divisions}
    starts = list(starts)
    above = _ancestors(scope)
    queue: list[tuple[str, Division | None]] = [
        (url, in_scope.get(code) or above[code]) for code, url in starts if code in in_scope or code in above]
    queue += [(url, None) for code, url in starts if code == ""]
    directories_read: set[str] = set()
    level = 0
    while queue and level <= depth:
        next_queue: list[tuple[str, Division | None]] = []
        for url, owner in queue:
            if url in directories_read:
                continue
            directories_read.add(url)
            read = from_directory(fetcher, url, owner, depth=depth, attempts=run.attempts)
            for hit in read.found:
                leads_in = hit.division.code in above
                if hit.division.code not in in_scope and not leads_in:
                    continue
                if not leads_in:
                    run.found.append(hit)
                if hit.division.level != "county":
                    next_queue.append((hit.url, hit.division))
                    next_queue += [(u, hit.division) for u in _sites_pages(fetcher, hit.url)]
            next_queue += [(u, d) for u, d in read.directories if d.code in in_scope or d.code in above]
        queue, level = next_queue, level + 1
    _platforms(fetcher, run, in_scope)
    if use_hosts:
        missing = [d for d in run.missing() if d.level != "province"]
        with ThreadPoolExecutor(max_workers=HOST_WORKERS) as pool:  # many hosts, each slow or absent
            hits = pool.map(lambda d: from_hosts(fetcher, d, depth=depth, attempts=run.attempts), missing)
            run.found.extend(hit for hit in hits if hit is not None)
        _platforms(fetcher, run, in_scope)
    _settle(run)
    run.pages_fetched = fetcher.fetched
    return run


def _ancestors(scope: Division | None) -> dict[str, Division]:
    """The divisions above ``scope``: their pages lead into it (a city's run starts at its province)."""
    table = all_divisions()
    out: dict[str, Division] = {}
    current = table.get(scope.parent) if scope and scope.parent else None
    while current is not None:
        out[current.code] = current
        current = table.get(current.parent) if current.parent else None
    return out


def _sites_pages(fetcher: PageFetcher, column_url: str) -> list[str]:
    """The 政府网站 / 县区政府 lists linked from the home page of the host serving a column."""
    parts = urlsplit(column_url)
    home = fetcher.get(f"{parts.scheme}://{parts.netloc}/")
    return sites_pages(home.text, home.final_url) if home.ok else []


def _platforms(fetcher: PageFetcher, run: Discovery, in_scope: dict[str, Division]) -> None:
    """Derive siblings' entry points from every found URL that carries its division's code."""
    tried: set[str] = set()
    changed = True
    while changed:
        changed = False
        for seen in list(run.found):
            if seen.url in tried:
                continue
            tried.add(seen.url)
            province = seen.division.code[:2]
            have = {f.division.code for f in run.found}
            others = [d for code, d in in_scope.items() if code not in have and code.startswith(province)
                      and d.level != "province"]
            new = derive(fetcher, seen, others, attempts=run.attempts)
            if new:
                run.found.extend(new)
                changed = True


def _settle(run: Discovery) -> None:
    """One division per URL (the surest), one row per (division, URL)."""
    best: dict[str, Found] = {}
    for hit in run.found:
        current = best.get(hit.url)
        if current is None or hit.confidence > current.confidence:
            if current is not None and current.division.code != hit.division.code:
                run.attempts.append(_lost(current, hit))
            best[hit.url] = hit
        elif current.division.code != hit.division.code:
            run.attempts.append(_lost(hit, current))
    run.found = sorted(best.values(), key=lambda f: (f.division.code, f.url))
    run.attempts = list(dict.fromkeys(run.attempts))


def _lost(loser: Found, winner: Found) -> Attempt:
    return Attempt(loser.division.code, loser.method, loser.url, loser.source_url, "ambiguous",
                   f"the same page is {winner.division.full_name}'s more surely ({winner.evidence})")
