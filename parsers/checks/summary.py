"""`income_equals_expenditure`: both sides of 收支总表 / 财政拨款收支总表 balance (A3).

`收入总计` = `支出总计` and `本年收入合计` = `本年支出合计`, in the total column (`total`, the first
measure of a side when 合计 is not printed).
"""

from __future__ import annotations

from govbudget.parsers.checks.common import Record, by_table, check, dec
from govbudget.parsers.tables.kinds import SUMMARY_KINDS

_PAIRS = (("收入总计", "支出总计"), ("本年收入合计", "本年支出合计"))


def income_equals_expenditure(items: list[Record], doc: str) -> list[Record]:
    """One check per printed pair of totals."""
    out: list[Record] = []
    tables = by_table(items)
    for kind in SUMMARY_KINDS:
        rows = tables.get(kind, [])
        for inc_word, exp_word in _PAIRS:
            inc = _first(rows, "income", inc_word)
            exp = _first(rows, "expenditure", exp_word)
            if inc is None or exp is None:
                continue
            out.append(check(doc, "income_equals_expenditure", dec(inc["amount"]) == dec(exp["amount"]),
                             f"{inc_word} = {exp_word}", inc["amount"], exp["amount"], table_kind=kind,
                             unit=exp.get("unit"), locator=exp.get("locator")))
    return out


def _first(rows: list[Record], side: str, word: str) -> Record | None:
    matches = [r for r in rows if r.get("side") == side and "".join((r.get("name") or "").split()) == word]
    return next((r for r in matches if r.get("measure") == "total"), matches[0] if matches else None)
