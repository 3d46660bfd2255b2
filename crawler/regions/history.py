"""A registry with history: what a discovery run changes in it, and what it leaves alone.

Re-running discovery must not churn the file: an entry point found again keeps its row as it was
(dates included), so a second run over an unchanged web writes the same bytes. What changes is
recorded, never overwritten:

- a new (division, URL) is added, ``verified`` and ``valid_from`` today;
- a row in the run's scope that was not found again and no longer answers (or now names another
  division) becomes ``status=stopped`` with ``valid_to`` today; one that still answers stays;
- a URL found for a division whose code replaced the row's (撤县设区: the county's code retired, the
  district's code new), or whose name changed, closes the old row (``recoded``, ``valid_to``) and
  opens a new one whose ``replaces`` names the old code and name.
Rows outside the scope and rows read off saved pages (``SNAPSHOT_METHODS``) are left untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from govbudget.crawler.discovery.found import Found
from govbudget.crawler.regions.registry import SNAPSHOT_METHODS, EntryPoint
from govbudget.regions import all_divisions
from govbudget.regions.names import is_under


def _entry(hit: Found, today: str, replaces: str = "") -> EntryPoint:
    label = hit.label or hit.division.name + "预决算公开"
    return EntryPoint(hit.division.code, hit.division.name, hit.url, label, hit.source_url, "", hit.method,
                      True, f"{hit.confidence:.2f}", today, "active", today, "", hit.evidence, replaces)


def _in_scope(code: str, scope: str | None) -> bool:
    retired_here = scope is not None and code[:2] == scope[:2] and code not in all_divisions()
    return scope is None or code == scope or is_under(code, scope) or retired_here


def merge(old: Iterable[EntryPoint], found: Iterable[Found], *, scope: str | None, today: str,
          still_answers: Callable[[EntryPoint], bool]) -> list[EntryPoint]:
    """The registry after a run over ``scope`` (a division code, or None for the whole country)."""
    rows = list(old)
    hits = list(found)
    out: list[EntryPoint] = []
    found_keys = {(h.division.code, h.url) for h in hits}
    by_url = {h.url: h for h in hits}
    recoded: dict[str, EntryPoint] = {}
    for row in rows:
        if row.method in SNAPSHOT_METHODS or not row.active or not _in_scope(row.region_code, scope):
            out.append(row)
            continue
        if (row.region_code, row.url) in found_keys:
            current = all_divisions().get(row.region_code)
            if current is not None and current.name != row.region_name:  # renamed, same code
                out.append(replace(row, status="recoded", valid_to=today))
                recoded[row.url] = row
            else:
                out.append(row)
            continue
        hit = by_url.get(row.url)
        if hit is not None and row.region_code not in all_divisions():  # the code was retired
            out.append(replace(row, status="recoded", valid_to=today))
            recoded[row.url] = row
            continue
        if still_answers(row):
            out.append(row)
        else:
            out.append(replace(row, status="stopped", valid_to=today))
    kept = {(r.region_code, r.url) for r in out if r.active}
    for hit in hits:
        if (hit.division.code, hit.url) in kept:
            continue
        before = recoded.get(hit.url)
        out.append(_entry(hit, today, f"{before.region_code} {before.region_name}" if before else ""))
    return out
