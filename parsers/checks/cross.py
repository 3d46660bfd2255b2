"""`cross_table`: the same code and measure agree between 支出总表 and 一般公共预算支出表 (B1, B3).

The two tables print the same subjects when all money is 一般公共预算 (as in the seeds); a code that
only one of them prints is not compared. Tolerance 0.01 万元 across tables (validation_checks.md).
"""

from __future__ import annotations

from decimal import Decimal

from govbudget.parsers.checks.common import CROSS_TABLE_TOLERANCE, Record, by_table, check, dec

PAIRS = (("expenditure_summary", "general_budget_expenditure"),)
_FACTORS = {"万元": Decimal(1), "元": Decimal("0.0001")}


def cross_table(items: list[Record], doc: str) -> list[Record]:
    """One check per code (or 合计) and measure printed in both tables."""
    out: list[Record] = []
    tables = by_table(items)
    for left_kind, right_kind in PAIRS:
        left, right = _index(tables.get(left_kind, [])), _index(tables.get(right_kind, []))
        for key in [k for k in left if k in right]:
            a, b = left[key], right[key]
            diff = abs(_wan(a) - _wan(b))
            out.append(check(doc, "cross_table", diff <= CROSS_TABLE_TOLERANCE, key[0], a["amount"],
                             b["amount"], table_kind=f"{left_kind}|{right_kind}", measure=key[1],
                             unit=a.get("unit"), locator=b.get("locator")))
    return out


def _index(rows: list[Record]) -> dict[tuple[str, str], Record]:
    out: dict[tuple[str, str], Record] = {}
    for r in rows:
        subject = r.get("code") or ("合计" if r.get("row_role") == "total" else None)
        if subject and r.get("measure") in ("total", "basic", "project"):
            out.setdefault((subject, r["measure"]), r)
    return out


def _wan(r: Record) -> Decimal:
    return dec(r.get("amount")) * _FACTORS.get(r.get("unit") or "万元", Decimal(1))
