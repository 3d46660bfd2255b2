"""Known portal entry points per region, shipped as ``entry_points.csv`` beside this module.

The CSV is generated (``python -m govbudget.crawler.regions.build``) from real pages that list
portals — the Ministry of Finance's directory of provincial 预决算公开 columns, a province's 财政信息
column, a city's page of its counties' platforms — so every URL carries the page it was read from.
``obey_robots`` is the per-source robots.txt override: ``0`` only for a source whose operator has
agreed to be crawled regardless (none of the shipped sources).
"""

from __future__ import annotations

import csv
import os
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from govbudget.regions.divisions import division, resolve

FIELDS = ("region_code", "region_name", "url", "label", "source_url", "source_file", "method", "obey_robots",
          "confidence", "verified", "status", "valid_from", "valid_to", "evidence", "replaces")
# Columns a registry written before discovery existed lacks; read as these defaults.
DEFAULTS = {"confidence": "", "verified": "", "status": "active", "valid_from": "", "valid_to": "",
            "evidence": "", "replaces": ""}
# Rows built from saved directory pages by ``build``; every other method is written by ``sources discover``.
SNAPSHOT_METHODS = frozenset({"mof_directory", "named_links", "column_index"})


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
    confidence: str = ""  # 0..1 as written by discovery; "" for rows read off saved pages
    verified: str = ""  # ISO date the URL last changed state and was verified
    status: str = "active"  # active | stopped (no longer answers or names the division) | recoded
    valid_from: str = ""
    valid_to: str = ""
    evidence: str = ""  # what proved the page is the division's (SiteIDCode, title, ...)
    replaces: str = ""  # "code name" this row took over from (a rename or re-code, 撤县设区)

    @property
    def active(self) -> bool:
        return self.status == "active"

    def as_row(self) -> dict[str, str]:
        row = {k: str(v) for k, v in asdict(self).items()}
        row["obey_robots"] = "1" if self.obey_robots else "0"
        return row


def read_csv(path: Path, *, strict: bool = True) -> list[EntryPoint]:
    """Entry points from a CSV written by ``write_csv``.

    Active rows' codes are checked against GB/T 2260 unless ``strict`` is off: discovery reads
    with it off, since an active row whose code the table has since retired (撤县设区) is exactly
    what it must close and replace.
    """
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for n, row in enumerate(rows, start=2):
        row = {**DEFAULTS, **{k: v for k, v in row.items() if k in FIELDS and v is not None}}
        missing = [f for f in FIELDS if f not in row]
        if missing:
            raise ValueError(f"{path}:{n}: missing columns {missing}")
        if strict and row["status"] == "active":
            division(row["region_code"])  # raises on a code the table does not know
        out.append(EntryPoint(**{**row, "obey_robots": row["obey_robots"].strip() != "0"}))  # type: ignore[arg-type]
    return out


def write_csv(entries: list[EntryPoint], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        for e in sorted(entries, key=lambda e: (e.region_code, e.url, e.valid_from)):
            writer.writerow(e.as_row())
    _load.cache_clear()


def registry_path() -> Path:
    """The registry file: ``GOVBUDGET_ENTRY_POINTS`` when set (a registry ``sources discover`` wrote
    elsewhere), else the one shipped beside this module."""
    override = os.environ.get("GOVBUDGET_ENTRY_POINTS")
    if override:
        return Path(override)
    return Path(str(resources.files("govbudget.crawler.regions").joinpath("entry_points.csv")))


@cache
def _load(path: Path) -> tuple[EntryPoint, ...]:
    return tuple(read_csv(path))


def load_entry_points(*, include_inactive: bool = False) -> tuple[EntryPoint, ...]:
    """The registry's entry points (only those still active unless ``include_inactive``)."""
    entries = _load(registry_path())
    return entries if include_inactive else tuple(e for e in entries if e.active)


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
