"""What every check shares: Decimal amounts (blank = 0 only here), row grouping, the record shape."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

from govbudget.parsers.records import Check

Record = dict[str, Any]
ZERO = Decimal(0)
CROSS_TABLE_TOLERANCE = Decimal("0.01")  # 万元 across tables (validation_checks.md)


def dec(text: Any) -> Decimal:
    """A record's amount as Decimal; blank or unreadable counts as 0 (inside checks only)."""
    if text in (None, ""):
        return ZERO
    try:
        return Decimal(str(text))
    except InvalidOperation:
        return ZERO


def places(text: Any) -> int:
    """Decimal places printed (`4628` → 0, `191.80` → 2)."""
    s = str(text or "")
    return len(s.split(".", 1)[1]) if "." in s else 0


def fmt(value: Decimal) -> str:
    """A sum as a plain decimal string at the precision of its terms (`1.00 + 2.00` → `3.00`)."""
    return format(value, "f")


def row_key(item: Record) -> tuple:
    """The printed row a line item stands on (its locator without the column)."""
    loc = item.get("locator") or {}
    where = tuple(sorted((k, v) for k, v in loc.items() if k != "col"))
    return item.get("table_kind"), item.get("side"), where or (item.get("code"), item.get("name"))


def by_table(items: list[Record]) -> dict[str, list[Record]]:
    """Line items grouped by table kind, in document order."""
    out: dict[str, list[Record]] = defaultdict(list)
    for r in items:
        out[r.get("table_kind") or ""].append(r)
    return out


def check(doc: str, name: str, ok: bool, subject: Any, expected: Any, actual: Any, **extra: Any) -> Record:
    """A SCHEMA.md `check` record; optional fields (table_kind, measure, unit, locator) extend it."""
    return Check(doc=doc, check=name, ok=bool(ok), subject=subject, expected=expected, actual=actual,
                 **extra).as_dict()
