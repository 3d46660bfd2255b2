"""Shaping catalog data for the dashboard's pages (kept apart from routing so it can be read alone)."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from govbudget.exports.report import Report, document_coverage

STATUS_WORDS = {"ok": "解析成功", "partial": "部分解析", "failed": "解析失败", None: "未解析"}


def coverage_class(found: int, expected: int, files: int) -> str:
    """`cov-none` (nothing), `cov-low` (under half the departments), `cov-part` (half or more, not all),
    `cov-full` (every department); a cell with files but no department names is `cov-unknown`."""
    if expected == 0:
        return "cov-unknown" if files else "cov-none"
    if found == 0:
        return "cov-none"
    if found * 2 < expected:
        return "cov-low"
    return "cov-part" if found < expected else "cov-full"


def heatmap(report: Report, region_names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Rows of region cells: departments found / expected (the union over the region's years), and the
    files found and parsed ok, with the colour class and a tooltip saying both."""
    names = region_names or {}
    rows = []
    for region in report.regions:
        cells = []
        for year in report.years:
            cell = report.cell(region, year)
            files = cell.found if cell else 0
            ok = cell.ok if cell else 0
            found = len(cell.departments) if cell else 0
            expected = found + (cell.missing if cell else 0)
            missing = cell.missing_departments if cell else []
            tooltip = (f"{year}年：找到 {found} / 应有 {expected} 个部门（各年度公开过的部门）；"
                       f"文件 {files} 个，解析成功 {ok} 个")
            if missing:
                tooltip += "；缺失：" + "、".join(missing)
            cells.append({
                "year": year, "cell": cell, "files": files, "ok": ok, "found": found,
                "expected": expected, "css": coverage_class(found, expected, files), "tooltip": tooltip,
            })
        rows.append({"region": region, "name": names.get(region, ""), "cells": cells})
    return {"years": report.years, "rows": rows}


def coverage_text(doc: Mapping[str, Any]) -> str:
    """A document's `coverage` (amounts read of those printed in its tables) as `98.40%`; `—` unmeasured."""
    ratio = document_coverage(dict(doc))
    return "—" if ratio is None else f"{ratio:.2%}"


def missed_cells(check: Mapping[str, Any], limit: int = 20) -> str:
    """A failed `coverage` check's unread cells as `1,278.50（第13页第13行第6列）`, the first `limit`."""
    missed = check.get("missed") or []
    shown = [f"{m.get('text')}（{locator_text(m.get('locator'))}）" for m in missed[:limit]]
    more = f" 等共 {len(missed)} 处" if len(missed) > limit else ""
    return "；".join(shown) + more


def locator_text(loc: Any) -> str:
    """A locator as a reader says it: 第7页第12行, 第7–9页, 工作表「收支总表」第3–40行."""
    if not isinstance(loc, dict):
        return "" if loc is None else str(loc)

    def span(a: Any, b: Any) -> str:
        return f"{a}" if a == b or b is None else f"{a}–{b}"

    parts = []
    if "page" in loc:
        parts.append(f"第{loc['page']}页")
    elif "page_start" in loc:
        parts.append(f"第{span(loc['page_start'], loc.get('page_end'))}页")
    if loc.get("sheet") is not None:
        parts.append(f"工作表「{loc['sheet']}」")
    if "table" in loc:
        parts.append(f"第{loc['table']}个表格")
    if "row" in loc:
        parts.append(f"第{loc['row']}行")
    elif isinstance(loc.get("rows"), list | tuple) and len(loc["rows"]) == 2:
        parts.append(f"第{span(*loc['rows'])}行")
    if "line" in loc:
        parts.append(f"第{loc['line']}行文字")
    if "col" in loc:
        parts.append(f"第{loc['col']}列")
    return "".join(parts) or ", ".join(f"{k}={v}" for k, v in loc.items())


def search_documents(docs: list[dict[str, Any]], query: str | None,
                     region_names: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Documents whose title, department, URL, digest, region code or region name contain every word."""
    words = (query or "").split()
    if not words:
        return docs
    names = region_names or {}
    out = []
    for doc in docs:
        text = " ".join(str(v) for v in (
            doc.get("title"), doc.get("department"), doc.get("url"), doc.get("sha256"),
            doc.get("region_code"), names.get(doc.get("region_code") or "", ""), doc.get("fiscal_year"),
        ) if v).lower()
        if all(w.lower() in text for w in words):
            out.append(doc)
    return out


PAGE_SIZE = 50


def paginate(items: list[Any], page: int, size: int = PAGE_SIZE) -> dict[str, Any]:
    """One page of `items` (1-based, clamped to the last page) with its neighbours' numbers."""
    pages = max(1, -(-len(items) // size))
    page = min(max(1, page), pages)
    return {
        "items": items[(page - 1) * size: page * size], "page": page, "pages": pages,
        "first": (page - 1) * size + 1 if items else 0, "last": min(page * size, len(items)),
        "prev": page - 1 if page > 1 else None, "next": page + 1 if page < pages else None,
    }


def to_csv(columns: list[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """CSV text (UTF-8 with a BOM so spreadsheet programs read Chinese) of `rows` under `columns`."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(row.get(c)) for c in columns])
    return out.getvalue()


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


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
        loc = item.get("locator") if isinstance(item.get("locator"), dict) else {}
        row_loc = {k: v for k, v in loc.items() if k != "col"}
        row = rows.setdefault(key, {"code": item.get("code") or "", "name": item.get("name") or "",
                                    "role": item.get("row_role"), "values": {}, "locator": row_loc,
                                    "where": locator_text(row_loc), "link": row_link(item, row_loc)})
        row["values"][label] = item.get("amount")
    return {"columns": columns, "rows": list(rows.values())}


def sheet_row_id(sheet: Any, row: Any) -> str:
    """The HTML id of a rendered sheet row (`originals.sheet_grids` numbers rows as the reader does)."""
    return f"sheet-{sheet}-row-{row}"


def row_link(item: dict[str, Any], loc: dict[str, Any]) -> str | None:
    """Where a parsed row is in the original: its PDF page view with the row highlighted (the row's
    code and name given to search for), or its rendered sheet row; None without a page or sheet row."""
    text = " ".join(str(v) for v in (item.get("code"), item.get("name")) if v)
    if "page" in loc:
        query = {"row": loc["row"]} if "row" in loc else {}
        if text:
            query["text"] = text
        return f"pages/{loc['page']}" + (f"?{urlencode(query)}" if query else "")
    if loc.get("sheet") is not None and "row" in loc:
        return "#" + quote(sheet_row_id(loc["sheet"], loc["row"]))
    return None


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
