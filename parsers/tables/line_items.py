"""Rows of a recognised table → `line_item` records, one per non-blank amount cell.

Handles both layouts of the standard tables: one list of subjects (支出总表, 一般公共预算支出表, 收入总表,
基本支出表, 三公) and two lists side by side sharing the 序号 (收支总表, 财政拨款收支总表: 收入 left,
支出 right). A row with only a name tail and nothing else is the rest of the previous row's wrapped
name (`医疗保障管理` + `事务` across a page break) and is glued to it instead of becoming a row,
unless the row before is a subtotal or total: `当年收入小计` is whole, so `上年结转资金` under it is a
row of its own.

A summary may print three panels side by side (收入 | 支出 by function | 支出 by use); its subtotal and
total rows (`当年支出小计`, `支出合计`) are one merged cell across both 支出 panels, so the name stands in
the function panel and the amount in the use panel's column. An amount with no name of its own takes
the name of the panel to its left on the same side when that panel's row has a name and no amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from govbudget.parsers.grid import Row
from govbudget.parsers.records import LineItem
from govbudget.parsers.tables.amounts import parse_amount, to_yuan
from govbudget.parsers.tables.codes import (
    classify,
    clean_code,
    code_level,
    split_code_name,
    table_classification,
)
from govbudget.parsers.tables.columns import Column, ColumnMap
from govbudget.parsers.tables.kinds import kind_named

_TOTAL = re.compile(r"(合计|总计)$")
_SUBTOTAL = re.compile(r"小计$")
_NUMBERED = re.compile(r"^(\d+[、.．]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|其中)")
# counts, not money: their cells carry no unit and no amount_yuan
_COUNT_LABEL = re.compile(r"^(数量|面积|个数|人数|台数|辆数)|[（(](平方米|台|辆|个|人|套)[）)]$")


@dataclass
class Side:
    """One list of subjects in a table: its name/code columns, amount columns and SCHEMA side.

    `names` and `codes` hold every column of a name or code spread over merged header cells
    (`类 | 款 | 项`, `一般公共预算资金 | 小计`); `name` and `code` are the first of each.
    """

    side: str
    name: Column | None
    code: Column | None
    amounts: list[Column]
    names: list[Column] = field(default_factory=list)
    codes: list[Column] = field(default_factory=list)


@dataclass
class LogicalRow:
    """A subject row after gluing wrapped names: code, name and its amount cells."""

    code: str | None
    name: str
    row: Row
    seq: str | None = None
    cells: list[tuple[Column, str]] = field(default_factory=list)


def sides_of(kind: str, cmap: ColumnMap) -> list[Side]:
    """The table's subject lists, left to right.

    Each name column (with the code columns before it) starts a list that owns the amount columns
    after it, so side-by-side summaries give two lists (收入 | 支出) or three (收入 | 功能分类 | 支出用途).
    A table with amounts but no name column (a one-row 支出总表, a 三公 table laid out across) is one
    list without a name. Each list's side is the kind's (tables/kinds.py): by its header when lists
    stand side by side, else the kind's own (`income` for 收入总表).
    """
    spec = kind_named(kind)
    parts: list[dict[str, list[Column]]] = []
    for c in cmap.columns:
        if c.role == "seq":
            continue
        cur = parts[-1] if parts else None
        if c.role in ("code", "name"):
            starts_new = cur is None or bool(cur["amounts"]) or (c.role == "code" and bool(cur["names"]))
            if starts_new:
                cur = {"codes": [], "names": [], "amounts": []}
                parts.append(cur)
            cur[c.role + "s"].append(c)
        elif c.role == "amount":
            if cur is None:
                cur = {"codes": [], "names": [], "amounts": []}
                parts.append(cur)
            cur["amounts"].append(c)
    several = len(parts) > 1
    out = []
    for p in parts:
        first = (p["names"] or p["codes"] or p["amounts"])[0]
        side = spec.side_of_panel(first.group, several)
        out.append(Side(side, p["names"][0] if p["names"] else None, p["codes"][0] if p["codes"] else None,
                        p["amounts"], p["names"], p["codes"]))
    return out


def read_rows(side: Side, rows: list[Row], seq: Column | None, left: Side | None = None) -> list[LogicalRow]:
    """The side's subject rows in order, continuation rows glued to the row before.

    `left` is the panel printed left of this one on the same side (the function panel beside the use
    panel); its name is borrowed by a row of this panel that prints an amount under a merged name cell.
    """
    out: list[LogicalRow] = []
    printed_names = [c for c in side.names if any(r.cell(c.index).strip() for r in rows)]  # no blank gutters
    for row in rows:
        name = _name(row, side)
        code = _code(row, side.codes)
        if not name and code is None and left is not None and (borrowed := _spanning_name(row, side, left)):
            name = borrowed
        printed = "".join("".join(row.cell(c.index).split()) for c in side.codes) if not name else ""
        if code is None and _TOTAL.search(printed):
            name = printed  # `合计` printed under the code header (js_2019_gy pp.10-11, 14)
        if not side.codes and name:
            code, name = split_code_name(name)
        cells = [(c, a) for c in side.amounts if (a := parse_amount(row.cell(c.index))) is not None]
        seq_text = row.cell(seq.index).strip() if seq else ""
        if (not cells and code is None and name and not seq_text and out and len(printed_names) < 2
                and not _NUMBERED.match(name) and not _whole(out[-1].name)):
            out[-1].name += name
            continue
        if not name and code is None:
            continue
        out.append(LogicalRow(code, name, row, seq_text or None, cells))
    return out


def _spanning_name(row: Row, side: Side, left: Side) -> str | None:
    """The left panel's name when this panel's amount stands under a cell merged across both."""
    if not any(parse_amount(row.cell(c.index)) is not None for c in side.amounts):
        return None
    if any(row.cell(c.index).strip() for c in left.amounts):
        return None
    return _name(row, left) or None


def _name(row: Row, side: Side) -> str:
    """The row's name in this panel: its name cells, each letter-spacing squeezed, joined by a space."""
    return " ".join(_squeeze(t) for c in side.names if (t := row.cell(c.index).strip()))


def _whole(name: str) -> bool:
    """A subtotal or total name is complete: nothing printed under it continues it."""
    flat = re.sub(r"\s+", "", name)
    return bool(_TOTAL.search(flat) or _SUBTOTAL.search(flat))


_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def _squeeze(name: str) -> str:
    """Letter-spaced names (`当 年 收 入`) as one word: spaces between Chinese characters are layout."""
    return _CJK_GAP.sub("", name)


def _code(row: Row, codes: list[Column]) -> str | None:
    """The subject code, joined from its 类/款/项 parts when the header splits it (`204|06|01`)."""
    texts = [re.sub(r"\s+", "", row.cell(c.index)) for c in codes]
    texts = [t for t in texts if t]
    if not texts:
        return None
    if len(texts) == 1:
        return clean_code(texts[0])
    if not all(t.isdigit() for t in texts) or any(len(t) > 2 for t in texts[1:]):
        return None
    # 款/项 are two digits; a one-digit part lost its leading zero in a number-formatted cell
    # (万里街道 2024 p.29 prints `301 | 2` for 30102 津贴补贴 and `301 | 7` for 30107 绩效工资)
    return clean_code(texts[0] + "".join(t.zfill(2) for t in texts[1:]))


def line_item_records(
    *, kind: str, side: Side, rows: list[LogicalRow], hint: str | None, unit: str | None, doc: str
) -> list[dict[str, Any]]:
    """SCHEMA `line_item` records for one side's rows (typed `LineItem`s, emitted as their dicts)."""
    codes = {r.code for r in rows if r.code}
    coded = side.code is not None or bool(codes)
    out: list[dict[str, Any]] = []
    for r in rows:
        classification = classify(r.code, hint)
        if r.code is None and coded:  # the 合计 row of a coded table belongs to the table's classification
            classification = table_classification(codes, hint)
        level, parent = code_level(r.code, classification) if r.code else (None, None)
        role = _row_role(r, codes)
        for col, amount in r.cells:
            money = unit if not _COUNT_LABEL.search(col.label) else None
            out.append(LineItem(
                doc=doc,
                table_kind=kind,
                side=side.side,
                classification=classification,
                code=r.code,
                name=r.name,
                level=level,
                parent_code=parent,
                row_role=role,
                measure=col.measure,
                measure_label=col.label,
                amount=amount,
                unit=money,
                amount_yuan=to_yuan(amount, money) if money else None,
                locator=r.row.cell_locator(col.index),
                seq=r.seq,
            ).as_dict())
    return out


def _row_role(r: LogicalRow, codes: set[str]) -> str:
    name = re.sub(r"\s+", "", r.name)
    if r.code is None and _TOTAL.search(name):
        return "total"
    if _SUBTOTAL.search(name):
        return "subtotal"
    if r.code and any(c != r.code and c.startswith(r.code) for c in codes):
        return "subtotal"
    return "detail"
