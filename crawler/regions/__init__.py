"""The region registry: known portal entry points per GB/T 2260 division (``govbudget.regions``)."""

from govbudget.crawler.regions.registry import (
    EntryPoint,
    NoEntryPointsKnown,
    RegionStart,
    entry_points,
    load_entry_points,
    region_start,
)
from govbudget.regions.divisions import (
    Division,
    UnknownRegion,
    all_divisions,
    division,
    division_row,
    resolve,
)
from govbudget.regions.names import first_named, named_in

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
