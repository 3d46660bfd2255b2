"""Ground truth for performance indicators: one dict per indicator row of a seed (or variant).

Derived from the seed text through `seedtables` (the same logical rows the renderers print), not from
the parser: grid tables (000/002/003, 000's split `符号|值|单位` overall table, 004's project sheets and
overall table) by their printed columns, and seed 001's HTML cells by their `<p>`/`<b>` paragraphs.
Fields: `table_kind`, `project`, `level1` (forward-filled), `level2`, `level3`, `description`, `raw`
(the target as printed; the three split cells joined), `basis`. The reading of `raw` into operator and
value is tested separately against hand-written cases, so the truth does not restate the parser's rules.
"""

from __future__ import annotations

import re
from typing import Any

from .seedtables import PERFORMANCE_KINDS, SeedTable, norm
from .variants import Variant, load_document

_TITLE = re.compile(r"^\s*[（(]?\d+\s*[)）]?\s*[、.．]\s*(?:[A-Z]{2}\s+)?(.*?)\s*(?:绩效目标表|表)?\s*$")
_PIECES = re.compile(r"</?p>|</?b>|\s{2,}")
_HEAD1 = re.compile(r"^[一二三四五六七八九十]+、\s*(.+?指标)[:：]?$")
_HEAD2 = re.compile(r"^[(（][一二三四五六七八九十]+[)）]\s*(.+?指标)[:：]?$")
_ITEM = re.compile(r"^\d+\s*[.．、]?\s*(.+)$")


def indicator_truth(seed_id: str, variant: Variant | None = None) -> list[dict[str, Any]]:
    """Every indicator row of the seed's performance tables, in document order."""
    out: list[dict[str, Any]] = []
    for table in load_document(seed_id, variant).tables:
        if table.kind not in PERFORMANCE_KINDS:
            continue
        rows = [list(r) for r in table.header_rows + table.data_rows()]
        if any(norm(r[0]) == "项目名称" for r in rows if r):
            out += _project_sheet(rows)
        elif any("产出指标" in c and ("<p>" in c or "一、" in c) for r in rows for c in r):
            out += _html_rows(rows)
        else:
            out += _grid(table, rows)
    return out


def _record(kind: str, project: str | None, l1: str | None, l2: str | None, l3: str | None,
            description: str | None, raw: str, basis: str | None) -> dict[str, Any]:
    return {"type": "indicator", "table_kind": kind, "project": project, "level1": l1 or None,
            "level2": l2 or None, "level3": l3 or None, "description": description or None,
            "raw": raw, "basis": basis or None}


def _grid(table: SeedTable, rows: list[list[str]]) -> list[dict[str, Any]]:
    header_at = next(k for k, r in enumerate(rows) if r and norm(r[0]) == "一级指标")
    header = [norm(c) for c in rows[header_at]]
    overall = table.kind == "overall_performance_targets"
    m = _TITLE.match(table.title or "")
    project = None if overall else (m.group(1) if m else table.title)
    body = rows[header_at + 1:]
    split = bool(body) and "符号" in [norm(c) for c in body[0]]
    if split:
        body = body[1:]
    out, level1 = [], None
    for r in body:
        r = r + [""] * (12 - len(r))
        if not any(c.strip() for c in r):
            continue
        level1 = r[0].strip() or level1
        if split:  # 一级 二级 三级 评分标准 描述 符号 值 单位 依据
            raw = "".join(c.strip() for c in r[5:8])
            out.append(_record(table.kind, project, level1, r[1].strip(), r[2].strip(), r[4].strip(), raw,
                               r[8].strip()))
        elif "指标值说明" in header:  # 004 overall: 一级 二级 三级 指标值 说明
            out.append(_record(table.kind, None, level1, r[1].strip(), r[2].strip(), r[4].strip(),
                               r[3].strip(), None))
        else:  # 一级 二级 三级 描述 指标值 依据
            out.append(_record(table.kind, project, level1, r[1].strip(), r[2].strip(), r[3].strip(),
                               r[4].strip(), r[5].strip()))
    return out


def _project_sheet(rows: list[list[str]]) -> list[dict[str, Any]]:
    project = next(r[1].strip() for r in rows if r and norm(r[0]) == "项目名称")
    start = next(k for k, r in enumerate(rows) if r and norm(r[0]) == "绩效指标")
    out = []
    for r in rows[start + 1:]:
        cells = r[1:5] if not r[0].strip() else r[0:4]  # some rows lost their leading blank cell
        cells = [c.strip() for c in cells] + [""] * (4 - len(cells))
        if not any(cells):
            continue
        out.append(
            _record("performance_targets", project, cells[0], cells[1], cells[2], None, cells[3], None)
        )
    return out


def _html_rows(rows: list[list[str]]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        if len(r) < 5 or not re.fullmatch(r"\d+", r[0].strip()) or len(r[0].strip()) > 3:
            continue
        project, level1, level2 = r[1].strip(), None, None
        for piece in (p.strip() for p in _PIECES.split(r[4])):
            if not piece:
                continue
            if m := _HEAD1.match(piece):
                level1, level2 = m.group(1), None
            elif m := _HEAD2.match(piece):
                level2 = m.group(1)
            elif m := _ITEM.match(piece):
                name, raw = _name_raw(m.group(1))
                out.append(_record("performance_targets", project, level1, level2, name, None, raw, None))
    return out


def _name_raw(item: str) -> tuple[str, str]:
    if "<math>" in item:
        k = item.index("<math>")
        return item[:k].strip(), item[k:].strip()
    name, _, raw = item.strip().rpartition(" ")
    return name.strip(), raw.strip()
