"""The one hook the table parsers call: performance tables, narrative facts and metadata, then checks.

Kept here so a parser adds all three with one call and its own module stays about tables; order
matters: the checks need the facts and the line items, and the narrative's metadata only fills what
the tables left open (the tables' header blocks are the stronger source).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from govbudget.parsers.checks import check_records
from govbudget.parsers.checks.coverage import coverage_checks
from govbudget.parsers.grid import Row
from govbudget.parsers.narrative import narrative_meta_of, narrative_records
from govbudget.parsers.performance import performance_records
from govbudget.parsers.tables.segments import RawTable

_META = ("department", "fiscal_year", "phase", "scope")


def enrich(rows: list[Row], body: list[dict[str, Any]], *, meta: dict[str, Any], doc: str,
           tables: Sequence[tuple[RawTable, dict[str, Any]]] = ()) -> int:
    """Append indicator/fact/check records to `body`, fill `meta`; returns the performance tables found.

    `tables` pairs each recognised budget table with its `table` record: the `coverage` check reads
    the printed cells of the one against the line items in `body` and writes its ratio on the other.
    """
    printed = narrative_meta_of(rows)
    for key in _META:
        if meta.get(key) is None and printed.get(key) is not None:
            meta[key] = printed[key]
    perf = performance_records(rows, doc=doc, meta=meta)
    perf_tables = [r for r in perf if r["type"] == "table"]
    if meta.get("department") is None:
        meta["department"] = next((t["department"] for t in perf_tables if t.get("department")), None)
    for t in perf_tables:
        t["department"] = t.get("department") or meta.get("department")
        t["fiscal_year"] = t.get("fiscal_year") or meta.get("fiscal_year")
        t["coverage"] = None  # targets, not amounts: not measured (checks/coverage.py)
    facts = narrative_records(rows, doc=doc)
    body.extend(perf)
    body.extend(facts)
    body.extend(check_records(body, doc=doc))
    body.extend(coverage_checks(list(tables), body, doc=doc, rows=rows))
    return len(perf_tables)
