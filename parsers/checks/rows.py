"""`columns_sum`: in every row, the total column equals the sum of its component columns (A2, A4).

Which columns make up a total depends on the table, as each kind's `column_sum_rules` (tables/kinds.py)
say: 支出总表 合计 = 基本 + 项目 + 经营 + 上解上级 + 对附属单位补助; 收入总表 合计 = 小计 + 上年结转
and 小计 = Σ sources; 基本支出表 合计 = 人员经费 + 公用经费; the fund-type tables 合计 = 一般公共预算 +
政府性基金 + 国有资本经营.

A column the measure vocabulary cannot name (`measure: "other"`, e.g. Jiangsu's 单位预留机动经费 beside
基本支出 and 项目支出) still stands under the same header as the named parts, so it is a component of the
innermost rule that applies to its row (the 小计 rule when 小计 is printed, else the 合计 rule); leaving it
out would flag every Jiangsu 支出总表 for our vocabulary's gap, not for the document's arithmetic.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from govbudget.parsers.checks.common import Record, check, dec, fmt, row_key
from govbudget.parsers.tables.kinds import KINDS

# Each kind's rules (total, components), outer rule first, from the kinds' specification.
_RULES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    k.name: k.column_sum_rules for k in KINDS if k.column_sum_rules
}


def columns_sum(items: list[Record], doc: str) -> list[Record]:
    """One check per row and rule whose total and at least one component are printed."""
    rows: dict[tuple, dict[str, Record]] = defaultdict(dict)
    others: dict[tuple, list[Record]] = defaultdict(list)
    for r in items:
        if r.get("table_kind") in _RULES:
            rows[row_key(r)].setdefault(r.get("measure") or "", r)
            if r.get("measure") == "other":
                others[row_key(r)].append(r)
    out: list[Record] = []
    for key, cells in rows.items():
        any_item = next(iter(cells.values()))
        rules = [(t, ps) for t, ps in _RULES[any_item["table_kind"]] if t in cells]
        for n, (total, parts) in enumerate(rules):
            printed = [cells[p] for p in parts if p in cells]
            if n == len(rules) - 1:
                printed += others.get(key, [])
            if not printed:
                continue
            expected = sum((dec(p.get("amount")) for p in printed), Decimal(0))
            t = cells[total]
            out.append(check(doc, "columns_sum", expected == dec(t.get("amount")),
                             t.get("code") or t.get("name"), fmt(expected), t.get("amount"),
                             table_kind=t["table_kind"], measure=total, unit=t.get("unit"),
                             locator=t.get("locator"),
                             parts=[p.get("measure_label") or p.get("measure") for p in printed]))
    return out
