"""Find the performance tables in the row stream and read their indicators.

Performance tables are recognised by structure, not title (titles vary: `9、劳务派遣人员经费` has no
`绩效目标表`): a header row naming 一级/二级/三级 indicators starts a grid; a row whose cell holds an
indicator list (`一、产出指标 … 1. …`) is seed 001's layout. What stands above the header belongs to
the same table: the `绩效目标` row (goals), 004's `项目名称`/`项目资金` rows, 004's `部门(单位)名称`.
A PDF page break repeats the goal row and the header row; both are skipped, and a row holding only a
text tail in the last column is glued to the row before (seed002_quirks.md #5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from govbudget.parsers.grid import Row
from govbudget.parsers.performance.cell_list import cell_indicators, looks_like_list
from govbudget.parsers.performance.columns import (
    GridColumns,
    grid_columns,
    is_header_row,
    is_split_target_row,
    norm,
)
from govbudget.parsers.performance.projects import project_from_title, split_goals
from govbudget.parsers.tables.amounts import parse_amount

_PREAMBLE_KEYS = (
    "绩效目标", "项目名称", "项目资金", "部门(单位)名称", "部门名称", "单位名称", "年度履职目标",
    "年度主要任务", "预算情况", "年度目标", "资金用途", "功能分类", "是否政府采购", "实施期目标",
)
_YEAR_ONLY = re.compile(r"^[（(]?\d{4}[)）]?\s*年度?$")
_SENTENCE = re.compile(r"[。；]$")
MAX_TITLE_CHARS = 90


@dataclass
class Indicator:
    """One indicator row as printed, before value parsing."""

    level1: str | None
    level2: str | None
    level3: str | None
    description: str | None
    raw: str
    basis: str | None
    locator: dict[str, Any]


@dataclass
class PerfTable:
    """A performance table: what it is about and its indicator rows."""

    kind: str
    title: str | None
    project: str | None = None
    project_prefix: str | None = None
    project_amount: str | None = None
    goals: list[str] = field(default_factory=list)
    department: str | None = None
    indicators: list[Indicator] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)


def _title_candidate(row: Row) -> str | None:
    text = " ".join(row.text.split())
    if row.kind != "text" and len(row.filled) != 1:
        return None
    if not text or len(text) > MAX_TITLE_CHARS or _YEAR_ONLY.match(text) or _SENTENCE.search(text):
        return None
    if row.kind != "text" and not re.search(r"(绩效|目标表)", text):
        return None
    return text


def _is_spill(title: str | None, line: str) -> bool:
    """A text line between a project's title and its grid that is no title but a cell's overflow.

    A spreadsheet exported to PDF with rows too short for their wrapped text prints the extra lines of
    a cell outside it: the goal cell's `通过对办公用房基础设施进行维修维护，打造…` lands above the
    grid, right under `1.办公楼维修改造项目资金绩效目标表`. A complete table title is kept against a
    line that names no table (no 绩效/表) or reads as a sentence (`2.DRG…运行。`, `…，…`).
    """
    if not title or not re.search(r"绩效目标表$|目标表$", title):
        return False
    names_table = re.search(r"绩效|目标表|表$", line) is not None
    return not names_table or re.search(r"[，。；]", line) is not None


def _key(row: Row) -> str:
    return norm(row.cell(row.filled[0])) if row.filled else ""


def _is_preamble(row: Row) -> bool:
    key = _key(row)
    return row.kind == "table" and any(key.startswith(k) for k in _PREAMBLE_KEYS) and not is_header_row(row)


def find_performance_tables(rows: list[Row]) -> list[PerfTable]:
    """All performance tables of the document, in reading order."""
    tables: list[PerfTable] = []
    title: str | None = None
    fresh = False  # the title was printed after the last table, so it is the next table's
    pending: list[Row] = []  # preamble rows (goals, project facts) seen since the last title
    i = 0
    while i < len(rows):
        row = rows[i]
        if (cand := _title_candidate(row)) is not None:
            if not (fresh and _is_spill(title, cand)):
                title, pending, fresh = cand, [], True
            i += 1
            continue
        if row.kind == "table" and is_header_row(row):
            table, i = _read_grid(rows, i, title, pending)
            tables.append(table)
            pending, fresh = [], False
            continue
        if row.kind == "table" and any(looks_like_list(c) for c in row.cells):
            tables.extend(_list_tables(rows, i, title))
            i += 1
            continue
        if _is_preamble(row) or (pending and row.kind == "table"):
            pending.append(row)
        i += 1
    return tables


def _read_grid(rows: list[Row], i: int, title: str | None, preamble: list[Row]) -> tuple[PerfTable, int]:
    header = rows[i]
    sub = rows[i + 1] if i + 1 < len(rows) and is_split_target_row(rows[i + 1]) else None
    cols = grid_columns(header, sub)
    table = _new_table(title, preamble)
    table.rows.extend([*preamble, header] + ([sub] if sub else []))
    header_key = tuple(norm(c) for c in header.cells if c)
    goal_keys = {tuple(norm(c) for c in r.cells if c) for r in preamble}
    i += 2 if sub else 1
    level1: str | None = None
    while i < len(rows):
        row = rows[i]
        if row.kind != "table" or (_title_candidate(row) is not None):
            break
        key = tuple(norm(c) for c in row.cells if c)
        if key == header_key or key in goal_keys or (sub is not None and is_split_target_row(row)):
            i += 1  # a page break repeated the header block
            continue
        if is_header_row(row) or _starts_new_table(row):
            break
        table.rows.append(row)
        if not row.filled:
            i += 1
            continue
        if _is_fragment(row, cols) and table.indicators:
            _glue(table.indicators[-1], row.cell(cols.last))
            i += 1
            continue
        ind = _grid_indicator(row, cols, level1)
        level1 = ind.level1
        table.indicators.append(ind)
        i += 1
    return table, i


def _starts_new_table(row: Row) -> bool:
    key = _key(row)
    return key.startswith(("项目名称", "部门(单位)名称", "部门名称")) or (
        key.startswith("绩效目标") and len(row.filled) <= 2
    )


def _is_fragment(row: Row, cols: GridColumns) -> bool:
    return row.filled == [cols.last] and cols.last not in (cols.level1, cols.level2, cols.level3)


def _glue(ind: Indicator, tail: str) -> None:
    ind.basis = (ind.basis or "") + tail.strip()


def _grid_indicator(row: Row, cols: GridColumns, level1: str | None) -> Indicator:
    shift = -1 if cols.label_column and row.cell(0).strip() and not row.cell(cols.last).strip() else 0

    def at(i: int | None) -> str:
        return row.cell(i + shift).strip() if i is not None else ""

    split = (cols.op, cols.value, cols.unit)
    raw = "".join(at(i) for i in split) if cols.op is not None else at(cols.target)
    l1 = at(cols.level1) or level1
    return Indicator(level1=l1 or None, level2=at(cols.level2) or None, level3=at(cols.level3) or None,
                     description=at(cols.description) or None, raw=raw, basis=at(cols.basis) or None,
                     locator=row.cell_locator(cols.target if cols.target is not None else cols.level1))


def _new_table(title: str | None, preamble: list[Row]) -> PerfTable:
    facts = _preamble_facts(preamble)
    overall = "整体" in (title or "") or facts.get("department") is not None
    kind = "overall_performance_targets" if overall else "performance_targets"
    table = PerfTable(kind=kind, title=title, department=facts.get("department"))
    if kind == "performance_targets":
        name, prefix = project_from_title(title)
        table.project = facts.get("project") or name
        table.project_prefix = None if facts.get("project") else prefix
        table.project_amount = facts.get("amount")
    table.goals = facts.get("goals", [])
    return table


def _preamble_facts(rows: list[Row]) -> dict[str, Any]:
    """Project name, annual amount, goals and department from the rows above a grid."""
    out: dict[str, Any] = {}
    goals_next = False
    for row in rows:
        key = _key(row)
        cells = [row.cells[i] for i in row.filled]
        if key.startswith("项目名称") and len(cells) > 1:
            out["project"] = " ".join(cells[1].split())
        elif key.startswith(("部门(单位)名称", "部门名称")) and len(cells) > 1:
            out["department"] = " ".join(cells[1].split())
        elif key.startswith("项目资金"):
            out["amount"] = _annual_amount(row)
        elif key.startswith("绩效目标"):
            rest = [c for c in cells[1:] if not re.fullmatch(r"年度目标.*|实施期目标.*", norm(c))]
            if rest:
                out["goals"] = split_goals(" ".join(rest))
            else:
                goals_next = True
            continue
        elif goals_next and cells:
            out["goals"] = split_goals(" ".join(cells))
        goals_next = False
    return out


def _annual_amount(row: Row) -> str | None:
    """The amount beside `年度资金总额`, else the first amount of the row."""
    for i, c in enumerate(row.cells):
        if "年度资金" in norm(c):
            for j in range(i + 1, len(row.cells)):
                if (a := parse_amount(row.cells[j])) is not None:
                    return a
    return next((a for c in row.cells if (a := parse_amount(c)) is not None), None)


def _list_tables(rows: list[Row], i: int, doc_title: str | None) -> list[PerfTable]:
    """Seed 001's layout: one row per project, the indicators listed in one cell."""
    row = rows[i]
    list_col = next(k for k, c in enumerate(row.cells) if looks_like_list(c))
    name = next((c.strip() for c in row.cells[1:list_col] if c.strip() and parse_amount(c) is None), None)
    amount = next((a for c in row.cells[1:list_col] if (a := parse_amount(c)) is not None), None)
    goal_cells = [
        c for c in row.cells[1:list_col] if c.strip() and c.strip() != name and parse_amount(c) is None
    ]
    table = PerfTable(kind="performance_targets", title=doc_title, project=name, project_amount=amount,
                      goals=split_goals(" ".join(goal_cells)), rows=[row])
    for item in cell_indicators(row.cells[list_col]):
        table.indicators.append(Indicator(level1=item.level1, level2=item.level2, level3=item.level3 or None,
                                          description=None, raw=item.raw, basis=None,
                                          locator=row.cell_locator(list_col)))
    return [table]
