"""Performance-target tables (绩效目标表, 整体绩效目标表) → SCHEMA.md `table` and `indicator` records.

    from govbudget.parsers.performance import performance_records
    records = performance_records(rows, doc=sha256, meta=document_meta)

One `table` record per project (with `project`, `project_prefix`, `project_amount`, `goals`) or per
overall table, each followed by its `indicator` records, then `check` records for template garbage.
"""

from __future__ import annotations

from typing import Any

from govbudget.parsers.grid import Row
from govbudget.parsers.performance.blocks import PerfTable, find_performance_tables
from govbudget.parsers.performance.garbage import garbage_checks
from govbudget.parsers.performance.values import parse_target
from govbudget.parsers.records import OMIT, Indicator, Table

__all__ = ["parse_target", "performance_records"]


def performance_records(
    rows: list[Row], *, doc: str, meta: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """table + indicator records of every performance table, then their garbage checks."""
    meta = meta or {}
    out: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    for t in find_performance_tables(rows):
        table = _table_record(t, doc, meta)
        indicators = [_indicator_record(t, i, doc) for i in t.indicators]
        out.append(table)
        out.extend(indicators)
        checks.extend(garbage_checks(doc, table, indicators))
    return out + checks


def _table_record(t: PerfTable, doc: str, meta: dict[str, Any]) -> dict[str, Any]:
    project = t.kind == "performance_targets"  # overall tables carry no project fields
    return Table(
        doc=doc, table_kind=t.kind, title=t.title, unit="万元" if t.project_amount is not None else None,
        department=t.department or meta.get("department"), unit_code=meta.get("unit_code"),
        fiscal_year=meta.get("fiscal_year"), locator=_locator(t.rows), rows=len(t.indicators),
        project=t.project if project else OMIT, project_prefix=t.project_prefix if project else OMIT,
        project_amount=t.project_amount if project else OMIT, goals=list(t.goals),
    ).as_dict()


def _indicator_record(t: PerfTable, ind: Any, doc: str) -> dict[str, Any]:
    return Indicator(
        doc=doc, table_kind=t.kind,
        project=t.project if t.kind == "performance_targets" else None,
        project_amount=t.project_amount if t.kind == "performance_targets" else None,
        level1=ind.level1, level2=ind.level2, level3=ind.level3, description=ind.description,
        **parse_target(ind.raw), raw=ind.raw, basis=ind.basis, locator=ind.locator,
    ).as_dict()


def _locator(rows: list[Row]) -> dict[str, Any] | None:
    if not rows:
        return None
    first, last = rows[0].locator, rows[-1].locator
    if "page" in first:
        return {"page_start": first["page"], "page_end": last.get("page", first["page"])}
    return {"sheet": first.get("sheet"), "rows": [first.get("row"), last.get("row")]}
