"""`narrative_matches_table`: each narrative `fact` equals the table total it restates (C1, B4).

Compared in yuan at the coarser printed precision of the two (`4628万元` matches `4628.00`). The
三公 total is computed from its items (因公出国 + 公务用车 + 公务接待), never taken from a `合计` row,
because tables add 会议费/培训费 to that row (seed002_quirks.md #12). A unit slip in the narrative
(003: `8.34元`) fails the check; nothing is corrected.
"""

from __future__ import annotations

import re
from decimal import Decimal

from govbudget.parsers.checks.common import Record, by_table, check, dec, fmt, places

_FACTORS = {"万元": Decimal(10000), "元": Decimal(1), "亿元": Decimal(100000000)}
_THREE_PUBLIC = re.compile(r"(因公出国|公务用车|公务接待)")
_CAR_PARENT = re.compile(r"公务用车购置及运行")


def narrative_matches_table(items: list[Record], facts: list[Record], doc: str) -> list[Record]:
    """One check per fact that has a table counterpart in this document."""
    tables = by_table(items)
    out: list[Record] = []
    for fact in facts:
        found = _counterpart(fact["fact"], tables)
        if found is None:
            continue
        amount, unit, dp, where = found
        expected = amount * _FACTORS.get(unit or "万元", Decimal(1))
        actual = dec(fact["amount"]) * _FACTORS.get(fact.get("unit") or "万元", Decimal(1))
        coarse = min(dp, places(fact["amount"]))
        tolerance = Decimal(5).scaleb(-(coarse + 1)) * _FACTORS.get(fact.get("unit") or "万元", Decimal(1))
        out.append(check(doc, "narrative_matches_table", abs(expected - actual) <= tolerance, fact["fact"],
                         fmt(expected), fmt(actual), unit="元", table_kind=where,
                         sentence=fact.get("sentence"), locator=fact.get("locator")))
    return out


def _counterpart(fact: str, tables: dict[str, list[Record]]) -> tuple[Decimal, str | None, int, str] | None:
    if fact == "total_income":
        r = _named(tables, "income_expenditure_summary", "income", ("收入总计", "本年收入合计"))
        return _one(r, "income_expenditure_summary")
    if fact == "total_expenditure":
        r = _total(tables, "expenditure_summary", "total") or _named(
            tables, "income_expenditure_summary", "expenditure", ("支出总计", "本年支出合计"))
        return _one(r, r.get("table_kind") if r else "")
    if fact in ("basic_expenditure", "project_expenditure"):
        measure = "basic" if fact == "basic_expenditure" else "project"
        return _one(_total(tables, "expenditure_summary", measure), "expenditure_summary")
    if fact == "operating_costs":
        return _one(_total(tables, "general_budget_basic_expenditure", "public_funds"),
                    "general_budget_basic_expenditure")
    if fact == "three_public_total":
        return _three_public(tables.get("three_public_costs", []))
    return None


def _total(tables: dict[str, list[Record]], kind: str, measure: str) -> Record | None:
    return next((r for r in tables.get(kind, []) if r.get("row_role") == "total" and r.get("code") is None
                 and r.get("measure") == measure), None)


def _named(tables: dict[str, list[Record]], kind: str, side: str, words: tuple[str, ...]) -> Record | None:
    rows = [r for r in tables.get(kind, []) if r.get("side") == side]
    for word in words:
        for r in rows:
            if "".join((r.get("name") or "").split()) == word:
                return r
    return None


def _one(r: Record | None, where: str) -> tuple[Decimal, str | None, int, str] | None:
    if r is None:
        return None
    return dec(r.get("amount")), r.get("unit"), places(r.get("amount")), where


def _three_public(rows: list[Record]) -> tuple[Decimal, str | None, int, str] | None:
    items = [r for r in rows if r.get("measure") == "total" and r.get("row_role") != "total"
             and _THREE_PUBLIC.search(r.get("name") or "") and not (r.get("name") or "").endswith("小计")]
    names = [r.get("name") or "" for r in items]
    has_car_children = any("公务用车" in n and not _CAR_PARENT.search(n) for n in names)
    items = [r for r in items if not (has_car_children and _CAR_PARENT.search(r.get("name") or ""))]
    if not rows:
        return None
    total = sum((dec(r.get("amount")) for r in items), Decimal(0))
    dp = max((places(r.get("amount")) for r in items), default=2)
    return total, (rows[0].get("unit") if rows else None), dp, "three_public_costs"
