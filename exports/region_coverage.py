"""Per province: how many divisions the archive can reach, and how many it has disclosures for.

The registry tells which divisions have an entry point (`sources discover` widens it); the
catalog tells which divisions have disclosures of the season. A division counts as covered by
disclosures when a file's region is the division itself or lies under it (a county's file covers
the county, not its city). The season is the latest fiscal year any selected file covers unless
asked for. Divisions with neither are where a researcher's data is silently absent today.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from govbudget.regions import all_divisions


@dataclass
class ProvinceCoverage:
    """One province's divisions (itself, its cities and counties) by what the archive has of them."""

    province: str
    name: str
    season: int | None
    divisions: int = 0
    with_entry_point: int = 0
    with_disclosures: int = 0
    with_both: int = 0
    with_neither: int = 0
    neither: list[str] = field(default_factory=list)  # codes, for `sources --missing` and the dashboard

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def season_of(docs: Iterable[dict[str, Any]]) -> int | None:
    """The latest fiscal year among the documents (None when none has one)."""
    years = [d["fiscal_year"] for d in docs if d.get("fiscal_year") is not None]
    return max(years) if years else None


def province_coverage(docs: list[dict[str, Any]], entry_point_codes: Iterable[str], *,
                      season: int | None = None,
                      provinces: Iterable[str] | None = None) -> list[ProvinceCoverage]:
    """Per province (all, or the given codes), counts of divisions by entry point and disclosures."""
    table = all_divisions()
    season = season if season is not None else season_of(docs)
    reachable = set(entry_point_codes)
    disclosed = {d["region_code"] for d in docs
                 if d.get("region_code") in table and (season is None or d.get("fiscal_year") == season)}
    wanted = set(provinces) if provinces is not None else None
    out: dict[str, ProvinceCoverage] = {}
    for code, division in table.items():
        province = code[:2] + "0000"
        if province not in table or (wanted is not None and province not in wanted):
            continue
        row = out.setdefault(province, ProvinceCoverage(province, table[province].name, season))
        row.divisions += 1
        has_entry, has_docs = code in reachable, code in disclosed
        row.with_entry_point += has_entry
        row.with_disclosures += has_docs
        row.with_both += has_entry and has_docs
        if not has_entry and not has_docs:
            row.with_neither += 1
            row.neither.append(division.code)
    return [out[k] for k in sorted(out)]
