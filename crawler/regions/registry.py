"""Known portal entry points per region, shipped as ``entry_points.csv`` beside this module.

The CSV is generated (``python -m govbudget.crawler.regions.build``) from real pages that list
portals — the Ministry of Finance's directory of provincial 预决算公开 columns, a province's 财政信息
column, a city's page of its counties' platforms — so every URL carries the page it was read from.
``obey_robots`` is the per-source robots.txt override: ``0`` only for a source whose operator has
agreed to be crawled regardless (none of the shipped sources).
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from govbudget.regions.divisions import division, resolve

FIELDS = ("region_code", "region_name", "url", "label", "source_url", "source_file", "method", "obey_robots")


@dataclass(frozen=True)
class EntryPoint:
    """One URL to start a region's crawl from, and where we learned it."""

    region_code: str
    region_name: str
    url: str
    label: str
    source_url: str
    source_file: str
    method: str
    obey_robots: bool = True

    def as_row(self) -> dict[str, str]:
        row = {k: str(v) for k, v in asdict(self).items()}
        row["obey_robots"] = "1" if self.obey_robots else "0"
        return row


def read_csv(path: Path) -> list[EntryPoint]:
    """Entry points from a CSV written by ``write_csv`` (codes checked against GB/T 2260)."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for n, row in enumerate(rows, start=2):
        missing = [f for f in FIELDS if f not in row]
        if missing:
            raise ValueError(f"{path}:{n}: missing columns {missing}")
        division(row["region_code"])  # raises on a code the table does not know
        out.append(EntryPoint(**{**row, "obey_robots": row["obey_robots"].strip() != "0"}))  # type: ignore[arg-type]
    return out


def write_csv(entries: list[EntryPoint], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        for e in sorted(entries, key=lambda e: (e.region_code, e.url)):
            writer.writerow(e.as_row())


@cache
def load_entry_points() -> tuple[EntryPoint, ...]:
    """The shipped registry."""
    path = Path(str(resources.files("govbudget.crawler.regions").joinpath("entry_points.csv")))
    return tuple(read_csv(path))


def entry_points(region_code: str | None = None, *, include_children: bool = False) -> list[EntryPoint]:
    """Entry points of one region (and, with ``include_children``, of the divisions under it)."""
    entries = list(load_entry_points())
    if region_code is None:
        return entries
    if not include_children:
        return [e for e in entries if e.region_code == region_code]
    level = division(region_code).level
    prefix = region_code[:2] if level == "province" else region_code[:4] if level == "city" else region_code
    return [e for e in entries if e.region_code.startswith(prefix)]


class NoEntryPointsKnown(LookupError):
    """The registry has no entry point of the region itself; ``below`` names divisions under it that do."""

    def __init__(self, region_code: str, below: list[str]) -> None:
        super().__init__(f"no entry points known for {region_code}")
        self.region_code = region_code
        self.below = below


@dataclass(frozen=True)
class RegionStart:
    """Where a crawl of one region starts, and the hosts whose robots.txt the registry says to skip."""

    region_code: str
    urls: list[str]
    ignore_robots_hosts: list[str]


def region_start(region: str, urls: list[str] | None = None) -> RegionStart:
    """Resolve ``region`` (GB/T 2260 code or name); start from ``urls`` if given, else from the registry.

    Raises ``UnknownRegion`` for a region GB/T 2260 does not know and ``NoEntryPointsKnown`` when no
    URL is given and the registry has none for it.
    """
    code = resolve(region).code
    if urls:
        return RegionStart(code, list(urls), [])
    known = entry_points(code)
    if not known:
        below = {e.region_code for e in entry_points(code, include_children=True)}
        raise NoEntryPointsKnown(code, sorted(below))
    off = sorted({urlsplit(e.url).hostname or "" for e in known if not e.obey_robots} - {""})
    return RegionStart(code, [e.url for e in known], off)
