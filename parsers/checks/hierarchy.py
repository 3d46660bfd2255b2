"""`children_sum`: a parent code equals the sum of its children, per measure (validation_checks A1).

Function codes nest 类/款/项 (3/5/7 digits) and department economic codes 类/款 (3/5); the 合计 row
equals the sum of the 类 rows; on 收支总表 / 财政拨款收支总表 `本年支出合计` equals the sum of the named
类 rows and `本年收入合计` the sum of the income items above it (this is where seed 003's 财政拨款收支总表
lists 21.46 for 一般公共服务支出 and its classes sum to 276.07 against a total of 254.61). A table that
prints two lists side by side with a total each (基本支出决算表: 人员经费合计 under 301/303, 公用经费合计
under 302/310) sums each total over the 类 rows in its own column.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from govbudget.parsers.checks.common import Record, by_table, check, dec, fmt
from govbudget.parsers.tables.kinds import SUMMARY_KINDS

_CODED = ("function", "economic_dept", "economic_gov")


def children_sum(items: list[Record], doc: str) -> list[Record]:
    """One check per (table, parent, measure) that has children."""
    out: list[Record] = []
    for kind, rows in by_table(items).items():
        if kind in SUMMARY_KINDS:
            out += _summary_totals(kind, rows, doc)
        else:
            out += _coded(kind, rows, doc)
    return out


def _coded(kind: str, rows: list[Record], doc: str) -> list[Record]:
    out: list[Record] = []
    for side in sorted({r.get("side") or "" for r in rows}):
        side_rows = [r for r in rows if (r.get("side") or "") == side]
        amounts: dict[tuple[str, str], Record] = {}
        children: dict[str, set[str]] = defaultdict(set)
        top: set[str] = set()
        total_rows: dict[str, list[Record]] = defaultdict(list)
        for r in side_rows:
            code, measure = r.get("code"), r.get("measure") or ""
            if code and r.get("classification") in _CODED:
                amounts[(code, measure)] = r
                if r.get("parent_code"):
                    children[r["parent_code"]].add(code)
                elif r.get("level") == 1:
                    top.add(code)
            elif r.get("row_role") == "total" and r.get("classification") in _CODED:
                total_rows[measure].append(r)
        measures = {m for _, m in amounts} | set(total_rows)
        for parent in sorted(children):
            for m in sorted(measures):
                if (parent, m) not in amounts and not any((c, m) in amounts for c in children[parent]):
                    continue
                out.append(_one(doc, kind, m, parent, amounts.get((parent, m)),
                                [amounts[(c, m)] for c in sorted(children[parent]) if (c, m) in amounts]))
        for m, totals in total_rows.items():
            for total in totals:
                parts = [amounts[(c, m)] for c in sorted(top) if (c, m) in amounts]
                if len(totals) > 1:  # lists side by side, a total each (人员经费合计 | 公用经费合计)
                    parts = [p for p in parts if _col(p) == _col(total)]
                if top:
                    out.append(_one(doc, kind, m, total.get("name") or "合计", total, parts))
    return out


def _col(r: Record) -> object:
    return (r.get("locator") or {}).get("col")


def _summary_totals(kind: str, rows: list[Record], doc: str) -> list[Record]:
    out: list[Record] = []
    for side, total_word in (("expenditure", "本年支出合计"), ("income", "本年收入合计")):
        side_rows = [r for r in rows if r.get("side") == side]
        totals = [r for r in side_rows if _bare(r.get("name")) == total_word]
        for total in totals:
            m = total.get("measure")
            if side == "expenditure":
                parts = [r for r in side_rows if r.get("mapped_code") and r.get("measure") == m]
            else:
                parts = []
                for r in side_rows:
                    if r is total:
                        break
                    if r.get("measure") == m and r.get("row_role") == "detail":
                        parts.append(r)
            if parts:
                out.append(_one(doc, kind, m, total_word, total, parts))
    return out


def _one(
    doc: str, kind: str, measure: str, subject: str, parent: Record | None, parts: list[Record]
) -> Record:
    expected = sum((dec(p.get("amount")) for p in parts), Decimal(0))
    actual = dec(parent.get("amount")) if parent else Decimal(0)
    return check(doc, "children_sum", expected == actual, subject, fmt(expected),
                 parent.get("amount") if parent else None, table_kind=kind, measure=measure,
                 unit=(parent or (parts[0] if parts else {})).get("unit"),
                 locator=(parent or (parts[0] if parts else {})).get("locator") or {"table": kind})


def _bare(name: str | None) -> str:
    return "".join((name or "").split())
