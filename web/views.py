"""Shaping catalog data for the dashboard's pages (kept apart from routing so it can be read alone)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from govbudget.exports.report import Report

STATUS_WORDS = {"ok": "解析成功", "partial": "部分解析", "failed": "解析失败", None: "未解析"}


def heat_color(ok: int, found: int) -> str:
    """Cell colour: grey when nothing was found, red → green with the share parsed ok."""
    if found == 0:
        return "#e5e7eb"
    share = ok / found
    red, green = int(220 - 150 * share), int(80 + 120 * share)
    return f"rgb({red},{green},90)"


def heatmap(report: Report) -> dict[str, Any]:
    rows = []
    for region in report.regions:
        cells = []
        for year in report.years:
            cell = report.cell(region, year)
            found = cell.found if cell else 0
            cells.append({
                "year": year, "cell": cell, "color": heat_color(cell.ok if cell else 0, found),
            })
        rows.append({"region": region, "cells": cells})
    return {"years": report.years, "rows": rows}


def filter_documents(docs: list[dict[str, Any]], **wanted: str | None) -> list[dict[str, Any]]:
    """Documents matching every given filter (region prefix, year, department substring, kind, status)."""
    out = []
    for doc in docs:
        if wanted.get("region") and not (doc.get("region_code") or "unknown").startswith(wanted["region"]):
            continue
        if wanted.get("year") and str(doc.get("fiscal_year")) != wanted["year"]:
            continue
        if wanted.get("department") and wanted["department"] not in (doc.get("department") or ""):
            continue
        if wanted.get("kind") and doc.get("doc_kind") != wanted["kind"]:
            continue
        if wanted.get("status") and (doc.get("status") or "unparsed") != wanted["status"]:
            continue
        out.append(doc)
    return sorted(out, key=lambda d: (d.get("region_code") or "", d.get("fiscal_year") or 0,
                                      d.get("department") or "", d.get("format") or ""))


def pivot(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Line items of one table as printed: one row per (side, code, name), one column per measure."""
    columns: list[str] = []
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for item in items:
        label = item.get("measure_label") or item.get("measure") or ""
        if label not in columns:
            columns.append(label)
        key = (item.get("side"), item.get("code"), item.get("name"))
        row = rows.setdefault(key, {"code": item.get("code") or "", "name": item.get("name") or "",
                                    "role": item.get("row_role"), "values": {}})
        row["values"][label] = item.get("amount")
    return {"columns": columns, "rows": list(rows.values())}


def document_tables(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each table record with its line items pivoted and its indicators, in document order."""
    items: dict[str, list[dict[str, Any]]] = defaultdict(list)
    indicators: dict[tuple[str, Any], list[dict[str, Any]]] = defaultdict(list)
    for rec in records:
        if rec.get("type") == "line_item":
            items[rec.get("table_kind") or ""].append(rec)
        elif rec.get("type") == "indicator":
            indicators[(rec.get("table_kind") or "", rec.get("project"))].append(rec)
    tables = []
    for rec in records:
        if rec.get("type") != "table":
            continue
        kind = rec.get("table_kind") or ""
        tables.append({
            "record": rec,
            "grid": pivot(items.pop(kind, [])),
            "indicators": indicators.get((kind, rec.get("project")), []),
        })
    return tables
