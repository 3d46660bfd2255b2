"""Ground truth for a rendered seed: the records a perfect parser would emit (SCHEMA.md shapes).

Format-dependent fields are left out here and filled by `documents.write_corpus` per file: the document's
`sha256`, `format` and `pages`, and every record's `doc`. Locators are not part of the truth.

Conventions this truth fixes (parsers are scored against them):
- `amount` is the printed string (`"1"`, `"3200.00"`); `amount_yuan` = Decimal(amount) × 10000 for 万元
  (× 1 for 元), quantized to 2 dp: `903.22` 万元 -> `"9032200.00"`.
- A `合计` row of a coded table has the table's classification, `code: null`, `level: null`,
  `row_role: "total"`. A parent code's row is `subtotal`, a leaf `detail`.
- The 类 rows of 收支总表 / 财政拨款收支总表 are named rows: `classification: "item"`, `code: null`, name
  with ordinal (`八、社会保障和就业支出`), plus the extension field `mapped_code` (`"208"`).
- `measure_label` is the printed header with whitespace removed (`一般公共预算财政拨款`).
- Extension fields: `seq` (序号 as printed, or null), `mapped_code`, and on tables `declared_empty`.
- 固定资产占用情况表 (`state_assets`): one item per non-blank cell of a *value* column (价值/原值/金额, the
  money unit taken from that header, e.g. `价值（金额单位：万元）`), named rows (`classification: "item"`).
  Its 数量 column counts vehicles and equipment (and 房屋 is in 平方米): not amounts, so no items.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .layouts import CLASS_CODES, Layout, column_labels, layout_for, measure_of
from .seeds import SEEDS
from .seedtables import SeedTable, norm
from .variants import Variant, load_document

FINANCIAL_KINDS = (
    "income_expenditure_summary", "income_summary", "expenditure_summary", "fiscal_appropriation_summary",
    "general_budget_expenditure", "general_budget_basic_expenditure", "government_fund_expenditure",
    "state_capital_expenditure", "three_public_costs",
)
_CLASSIFICATION = {"general_budget_basic_expenditure": "economic_dept"}
_TOTALS = {"合计", "本年收入合计", "收入总计", "本年支出合计", "支出总计", "总计"}
_ORDINAL = re.compile(r"^[一二三四五六七八九十]+、")
_AMOUNT = re.compile(r"^-?\d+(\.\d+)?$")
_VALUE_HEADER = re.compile(r"价值|原值|净值|金额")
Record = dict[str, Any]


def to_yuan(amount: str, unit: str) -> str:
    """Yuan as a 2-dp decimal string: the rule every record in the corpus follows."""
    factor = Decimal(10000) if unit == "万元" else Decimal(1)
    return f"{(Decimal(amount) * factor).quantize(Decimal('0.01'))}"


def _header_value(table: SeedTable, prefix: str) -> str | None:
    for line in table.header_block:
        if line.startswith(prefix):
            return line.split("：", 1)[-1].strip()
    return None


def _unit(table: SeedTable) -> str | None:
    """The money unit the table states; financial tables without one are taken as 万元."""
    stated = _header_value(table, "单位：")
    if stated:
        return stated
    header = "".join(c for r in table.header_rows for c in r)
    if "万元" in header or table.kind in FINANCIAL_KINDS:
        return "万元"
    return "元" if "元" in header else None


def _level(code: str) -> int | None:
    return {3: 1, 5: 2, 7: 3}.get(len(code))


def _econ_level(code: str) -> int | None:
    return {3: 1, 5: 2}.get(len(code))


def _named_role(name: str) -> str:
    """row_role of a named (uncoded) row: 合计/总计 rows are totals, the 三公 小计 a subtotal."""
    if norm(name) in _TOTALS:
        return "total"
    return "subtotal" if norm(name).endswith("小计") else "detail"


def _line_items(table: SeedTable, layout: Layout, class_codes: dict[str, str]) -> list[Record]:
    labels = column_labels(table, layout)
    rows = table.data_rows()
    parents = {c for r in rows for c in (r[1].strip(),) if c and any(
        o.strip() != c and o.strip().startswith(c) for o in (x[1] for x in rows))}
    unit = _unit(table) or "万元"
    coded = all(code_col == 1 for _, _, code_col in layout.amounts.values())
    classification = _CLASSIFICATION.get(table.kind or "", "function")
    out: list[Record] = []
    for row in rows:
        for col, (side, name_col, code_col) in sorted(layout.amounts.items()):
            amount = row[col].strip() if col < len(row) else ""
            if not amount or not _AMOUNT.match(amount):
                continue
            name = row[name_col].strip()
            seq = row[0].strip() or None
            rec: Record = {"type": "line_item", "doc": None, "table_kind": table.kind, "side": side}
            if coded and code_col is not None and row[code_col].strip():
                code = row[code_col].strip()
                level = _econ_level(code) if classification == "economic_dept" else _level(code)
                parent = code[:-2] if len(code) > 3 else None
                rec |= {"classification": classification, "code": code, "name": name, "level": level,
                        "parent_code": parent, "row_role": "subtotal" if code in parents else "detail"}
            elif coded:
                rec |= {"classification": classification, "code": None, "name": name, "level": None,
                        "parent_code": None, "row_role": "total" if norm(name) in _TOTALS else "detail"}
            else:
                rec |= {"classification": "item", "code": None, "name": name, "level": None,
                        "parent_code": None, "row_role": _named_role(name)}
                mapped = class_codes.get(_ORDINAL.sub("", norm(name)))
                if side == "expenditure" and mapped:
                    rec["mapped_code"] = mapped
            label = labels.get(col, "")
            rec |= {"measure": measure_of(label), "measure_label": label, "amount": amount, "unit": unit,
                    "amount_yuan": to_yuan(amount, unit), "seq": seq}
            out.append(rec)
    return out


def _state_asset_items(table: SeedTable) -> list[Record]:
    """Items of a 固定资产占用情况表: the value column's cells, under the `项目 | 数量 | 价值` header row.

    The header row is found by its `项目` cell, because seed 000 prints the table's own title and
    编制部门/截止时间 as rows above it.
    """
    rows = table.header_rows + table.data_rows()
    at = next((k for k, r in enumerate(rows) if r and norm(r[0]) == "项目"), None)
    if at is None:
        return []
    header = [norm(c) for c in rows[at]]
    values = [c for c, label in enumerate(header) if c > 0 and _VALUE_HEADER.search(label)]
    out: list[Record] = []
    for row in rows[at + 1:]:
        name = row[0].strip() if row else ""
        for col in values:
            amount = row[col].strip() if col < len(row) else ""
            if not name or not _AMOUNT.match(amount):
                continue
            unit = "万元" if "万元" in header[col] else "元"
            out.append({"type": "line_item", "doc": None, "table_kind": table.kind, "side": "expenditure",
                        "classification": "item", "code": None, "name": name, "level": None,
                        "parent_code": None, "row_role": _named_role(name),
                        "measure": measure_of(header[col]), "measure_label": header[col], "amount": amount,
                        "unit": unit, "amount_yuan": to_yuan(amount, unit), "seq": None})
    return out


_PROJECT_TITLE = re.compile(r"^\s*\d+\s*[、.．]\s*(?:([A-Z]{2})\s+)?(.*?)(?:绩效目标表|表)?\s*$")
_GOAL_SPLIT = re.compile(r"\s*(?:^|(?<=\s))\d+\s*[.．、]\s*")


def _performance_fields(table: SeedTable) -> Record:
    """project, project_prefix and goals of a project's performance-target table."""
    m = _PROJECT_TITLE.match(table.title or "")
    rows = table.header_rows + table.data_rows()
    goal_cells = [r[1] for r in rows if len(r) > 1 and norm(r[0]) == "绩效目标"]
    goals = [g.strip() for g in _GOAL_SPLIT.split(goal_cells[0]) if g.strip()] if goal_cells else []
    return {"project": m.group(2) if m else table.title, "project_prefix": m.group(1) if m else None,
            "goals": goals}


_LISTED_PROJECT = re.compile(r"^\d{1,3}$")
_GOAL_PIECES = re.compile(r"</?p>|</?b>")
_GOAL_LABEL = re.compile(r"^目标\s*\d*\s*[:：]\s*")


def _listed_projects(table: SeedTable, ctx: Record) -> list[Record] | None:
    """One `performance_targets` table per project of a listing (seed 001), as SCHEMA.md asks.

    Seed 001 prints all projects in one grid, `序号 | 项目 | 金额 (万元) | 绩效目标 | 绩效指标`: each
    numbered row with indicators is a project. None when the table is not such a listing.
    """
    rows = table.header_rows + table.data_rows()
    header = next((r for r in rows if len(r) >= 5 and norm(r[4]) == "绩效指标"), None)
    if header is None:
        return None
    unit = "万元" if "万元" in header[2] else None
    out = []
    for r in rows:
        if len(r) < 5 or not _LISTED_PROJECT.match(r[0].strip()) or not r[4].strip():
            continue  # the 481 / 481001 rows above the projects are the units, with no targets
        goals = [_GOAL_LABEL.sub("", g.strip()) for g in _GOAL_PIECES.split(r[3])]
        out.append({"type": "table", "doc": None, "table_kind": table.kind, "title": table.title,
                    "unit": unit, **ctx, "rows": 1, "declared_empty": False, "project": r[1].strip(),
                    "project_prefix": None, "project_amount": r[2].strip() or None,
                    "goals": [g for g in goals if g]})
    return out


def _table_record(table: SeedTable, ctx: Record) -> Record:
    record: Record = {
        "type": "table", "doc": None, "table_kind": table.kind, "title": table.title, "unit": _unit(table),
        **ctx, "rows": len(table.data_rows()), "declared_empty": table.declared_empty,
    }
    if table.kind == "performance_targets":
        record |= _performance_fields(table)
    return record


def _locators(seed_id: str, variant: Variant | None, fmt: str | None) -> list[dict | None]:
    count = len(load_document(seed_id, variant).tables)
    if fmt == "pdf":
        from .render_pdf import pdf_table_pages

        return [{"page_start": a, "page_end": b} for a, b in pdf_table_pages(seed_id, variant=variant)]
    if fmt == "xlsx":
        from .render_xlsx import xlsx_table_locators

        return list(xlsx_table_locators(seed_id, variant=variant))
    return [None] * count


def truth_records(seed_id: str, *, variant: Variant | None = None, fmt: str | None = None) -> list[Record]:
    """document, table and line_item records for the seed (or variant), in document order.

    With `fmt` (`pdf`/`xlsx`) table records carry the locator of that rendering; without, `locator`
    is null (the truth is then format-independent).
    """
    info = SEEDS[seed_id]
    doc = load_document(seed_id, variant)
    department = variant.department if variant else info.department
    unit_code = variant.unit_code if variant else info.unit_code
    year = variant.fiscal_year if variant else info.fiscal_year
    title = info.title.replace(str(info.fiscal_year), str(year)).replace(info.department, department)
    records: list[Record] = [{
        "type": "document", "title": title, "department": department, "unit_code": unit_code,
        "scope": info.scope, "fiscal_year": year, "phase": info.phase, "region_code": info.region_code,
        "doc_kind": info.doc_kind,
    }]
    ctx = {"department": department, "unit_code": unit_code, "fiscal_year": year}
    exp = doc.table("expenditure_summary")
    class_codes = CLASS_CODES | {
        norm(r[2]): r[1].strip() for r in (exp.data_rows() if exp else []) if len(r[1].strip()) == 3
    }
    locators = _locators(seed_id, variant, fmt)
    for table, locator in zip(doc.tables, locators, strict=True):
        if table.kind is None:
            continue
        listed = _listed_projects(table, ctx) if table.kind == "performance_targets" else None
        if listed is not None:  # the listing's locator spans all its projects: each lies within it
            records += [t | {"locator": locator} for t in listed]
            continue
        records.append(_table_record(table, ctx) | {"locator": locator})
        layout = layout_for(table)
        if table.kind in FINANCIAL_KINDS and layout is not None:
            records += _line_items(table, layout, class_codes)
        elif table.kind == "state_assets":
            records += _state_asset_items(table)
    return records
