"""Validation checks (SCHEMA.md `check`): a failed check flags data, it never drops or corrects it.

    from govbudget.parsers.checks import check_records
    checks = check_records(records, doc=sha256)

Runs in Decimal with blank = 0 (only here, never at parse time): `children_sum`, `columns_sum`,
`income_equals_expenditure`, `cross_table`, `narrative_matches_table`.
"""

from __future__ import annotations

from typing import Any

from govbudget.parsers.checks.cross import cross_table
from govbudget.parsers.checks.hierarchy import children_sum
from govbudget.parsers.checks.narrative import narrative_matches_table
from govbudget.parsers.checks.rows import columns_sum
from govbudget.parsers.checks.summary import income_equals_expenditure

__all__ = ["check_records"]
# Every `check` name a document's checks carry: these, the per-table `coverage` (checks/coverage.py, run
# by enrich.py), `metadata_agrees` (checks/agreement.py, run by parse_bytes when the crawl's link is
# known) and the performance parser's `GARBAGE_CHECKS`.
CHECKS = ("children_sum", "columns_sum", "income_equals_expenditure", "cross_table",
          "narrative_matches_table", "coverage", "metadata_agrees")


def check_records(records: list[dict[str, Any]], *, doc: str) -> list[dict[str, Any]]:
    """Every check over a document's `line_item` and `fact` records."""
    items = [r for r in records if r.get("type") == "line_item"]
    facts = [r for r in records if r.get("type") == "fact"]
    return [
        *children_sum(items, doc),
        *columns_sum(items, doc),
        *income_equals_expenditure(items, doc),
        *cross_table(items, doc),
        *narrative_matches_table(items, facts, doc),
    ]
