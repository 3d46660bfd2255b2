"""Coverage and quality at a glance: what was found, read and missed, per region and fiscal year.

- **coverage**: per region × fiscal year, the disclosure files found and how they parsed (ok, partial,
  failed, not parsed yet), and how many departments are *missing*: a department that disclosed in
  another year of the same region but has no file for this year (the only absence an archive can see
  without an external list of departments).
- **failed checks**: per document, the validation `check` records that did not pass (a table whose
  printed amounts were not all read is a failed `coverage` check listing the cells it missed).
- **amounts read**: per parsed document, the share of amounts printed in its tables that became line
  items (the document record's `coverage`), lowest first, with the tables below 100%.
- **withdrawn**: files a crawl found whose later crawls of the same start URLs no longer found them
  (taken down or replaced by a corrected version): the archive kept them, the portal did not.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from govbudget.exports.collect import Selection, file_documents

UNKNOWN_REGION = "unknown"


@dataclass
class CoverageCell:
    region_code: str
    fiscal_year: int
    found: int = 0
    ok: int = 0
    partial: int = 0
    failed: int = 0
    unparsed: int = 0
    missing: int = 0
    missing_departments: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)


@dataclass
class Report:
    coverage: list[CoverageCell]
    failed_checks: list[dict[str, Any]]
    withdrawn: list[dict[str, Any]]
    crawl_runs: list[dict[str, Any]]
    amounts_read: list[dict[str, Any]] = field(default_factory=list)

    @property
    def amounts_read_summary(self) -> dict[str, Any]:
        """Min and mean of the documents' `coverage`, how many were measured and how many are below 1."""
        ratios = [d["coverage"] for d in self.amounts_read]
        return {"documents": len(ratios), "min": min(ratios) if ratios else None,
                "mean": sum(ratios) / len(ratios) if ratios else None,
                "below_full": sum(r < 1 for r in ratios)}

    @property
    def regions(self) -> list[str]:
        return sorted({c.region_code for c in self.coverage})

    @property
    def years(self) -> list[int]:
        return sorted({c.fiscal_year for c in self.coverage})

    def cell(self, region: str, year: int) -> CoverageCell | None:
        return next((c for c in self.coverage if c.region_code == region and c.fiscal_year == year), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "coverage": [asdict(c) for c in self.coverage],
            "failed_checks": self.failed_checks,
            "withdrawn": self.withdrawn,
            "crawl_runs": self.crawl_runs,
            "amounts_read": self.amounts_read,
            "amounts_read_summary": self.amounts_read_summary,
        }


def _dept(name: str | None) -> str:
    return re.sub(r"\s+", "", name or "")


def coverage(docs: list[dict[str, Any]]) -> list[CoverageCell]:
    """Region × fiscal-year cells over every year any selected document covers."""
    years = sorted({d["fiscal_year"] for d in docs if d.get("fiscal_year") is not None})
    cells: dict[tuple[str, int], CoverageCell] = {}
    depts: dict[str, set[str]] = defaultdict(set)
    seen: dict[tuple[str, int], set[str]] = defaultdict(set)
    for doc in docs:
        region = doc.get("region_code") or UNKNOWN_REGION
        if doc.get("department"):
            depts[region].add(_dept(doc["department"]))
        year = doc.get("fiscal_year")
        if year is None:
            continue
        cell = cells.setdefault((region, year), CoverageCell(region, year))
        cell.found += 1
        status = doc.get("status")
        if status in ("ok", "partial", "failed"):
            setattr(cell, status, getattr(cell, status) + 1)
        else:
            cell.unparsed += 1
        if doc.get("department"):
            seen[(region, year)].add(_dept(doc["department"]))
    for region in {r for r, _ in cells} | set(depts):
        for year in years:
            cell = cells.setdefault((region, year), CoverageCell(region, year))
            cell.departments = sorted(seen[(region, year)])
            cell.missing_departments = sorted(depts[region] - seen[(region, year)])
            cell.missing = len(cell.missing_departments)
    return [cells[k] for k in sorted(cells)]


def failed_checks(catalog: Any, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per document with at least one failed check, most failures first."""
    by_sha = {d["sha256"]: d for d in docs}
    failures: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in catalog.records(type="check"):
        if rec.get("doc") in by_sha and rec.get("ok") is False:
            failures[rec["doc"]].append({k: v for k, v in rec.items() if k not in ("type", "doc")})
    out = []
    for sha, checks in failures.items():
        doc = by_sha[sha]
        out.append({
            "sha256": sha, "department": doc.get("department"), "fiscal_year": doc.get("fiscal_year"),
            "region_code": doc.get("region_code"), "url": doc.get("url"), "failed": len(checks),
            "checks": checks,
        })
    return sorted(out, key=lambda e: (-e["failed"], e["sha256"]))


def document_coverage(doc: dict[str, Any]) -> float | None:
    """The parse's `coverage` of a document row (a parser field the export keeps under `extra`)."""
    value = doc.get("coverage", (doc.get("extra") or {}).get("coverage"))
    return float(value) if isinstance(value, int | float) else None


def amounts_read(catalog: Any, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per measured document: its coverage and each table below 100% (kind, where, read of printed)."""
    by_sha = {d["sha256"]: d for d in docs}
    gaps: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in catalog.records(type="check"):
        if rec.get("check") == "coverage" and rec.get("doc") in by_sha and rec.get("ok") is False:
            gaps[rec["doc"]].append({"table_kind": rec.get("subject"), "table_title": rec.get("table_title"),
                                     "table_locator": rec.get("table_locator"), "read": rec.get("actual"),
                                     "printed": rec.get("expected"), "missed": len(rec.get("missed") or [])})
    out = []
    for sha, doc in by_sha.items():
        ratio = document_coverage(doc)
        if ratio is None:
            continue
        out.append({"sha256": sha, "department": doc.get("department"), "fiscal_year": doc.get("fiscal_year"),
                    "region_code": doc.get("region_code"), "url": doc.get("url"), "status": doc.get("status"),
                    "coverage": ratio, "tables_below_full": gaps.get(sha, [])})
    return sorted(out, key=lambda e: (e["coverage"], e["sha256"]))


def crawl_runs(catalog: Any) -> list[dict[str, Any]]:
    """Every crawl run, oldest first, with its summary."""
    return [dict(row) for row in catalog.crawl_runs()]


def withdrawn(catalog: Any, docs: list[dict[str, Any]], runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Files missing from every finished crawl of the same start URLs after the last one that saw them."""
    finished = [r for r in runs if r["status"] == "finished"]
    group_of = {r["id"]: tuple(sorted(r["start_urls"] or [])) for r in finished}
    by_group: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for run in finished:
        by_group[group_of[run["id"]]].append(run)
    by_sha = {d["sha256"]: d for d in docs}
    seen_in: dict[str, set[str]] = defaultdict(set)
    captures: dict[str, list[Any]] = defaultdict(list)
    for cap in catalog.captures():
        if cap["sha256"] in by_sha:
            captures[cap["sha256"]].append(cap)
            if cap["crawl_id"] in group_of:
                seen_in[cap["sha256"]].add(cap["crawl_id"])
    out = []
    for sha, run_ids in seen_in.items():
        for group in {group_of[r] for r in run_ids}:
            runs_of_group = by_group[group]
            last = max(i for i, r in enumerate(runs_of_group) if r["id"] in run_ids)
            later = runs_of_group[last + 1:]
            if not later:
                continue
            doc, caps = by_sha[sha], captures[sha]
            out.append({
                "sha256": sha, "department": doc.get("department"), "fiscal_year": doc.get("fiscal_year"),
                "region_code": doc.get("region_code"), "url": doc.get("url"), "start_urls": list(group),
                "first_seen": caps[0]["fetched_at"].isoformat(),
                "last_seen": caps[-1]["fetched_at"].isoformat(),
                "captures": len(caps), "crawls_without_it": len(later),
                "last_crawl_without_it": later[-1]["id"],
            })
    return sorted(out, key=lambda e: (e["last_seen"], e["sha256"]))


def build_report(catalog: Any, selection: Selection = Selection()) -> Report:  # noqa: B008
    docs = file_documents(catalog, selection)
    runs = crawl_runs(catalog)
    return Report(coverage(docs), failed_checks(catalog, docs), withdrawn(catalog, docs, runs), runs,
                  amounts_read(catalog, docs))
