"""`columns_sum`: in every row, the total column equals the sum of its component columns (A2, A4).

Which columns make up a total depends on the table: 支出总表 合计 = 基本 + 项目 + 经营 + 上解上级 +
对附属单位补助; 收入总表 合计 = 小计 + 上年结转 and 小计 = Σ sources; 基本支出表 合计 = 人员经费 +
公用经费; the fund-type tables 合计 = 一般公共预算 + 政府性基金 + 国有资本经营.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from govbudget.parsers.checks.common import Record, check, dec, fmt, row_key

_SOURCES = ("fiscal_appropriation", "fiscal_special_account", "business_income", "operating_income",
            "superior_subsidy", "affiliate_remittance", "other_income")
_FUNDS = ("general_public_budget", "government_fund", "state_capital")
_RULES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "expenditure_summary": (("total", ("basic", "project", "operating_expenditure", "remit_to_superior",
                                       "subsidy_to_affiliates")),),
    "general_budget_expenditure": (("total", ("basic", "project")),),
    "government_fund_expenditure": (("total", ("basic", "project")),),
    "state_capital_expenditure": (("total", ("basic", "project")),),
    "general_budget_basic_expenditure": (("total", ("personnel", "public_funds")),),
    "income_summary": (("total", ("subtotal", "prior_year_carryover")), ("subtotal", _SOURCES)),
    "fiscal_appropriation_summary": (("total", _FUNDS),),
    "three_public_costs": (("total", _FUNDS),),
}


def columns_sum(items: list[Record], doc: str) -> list[Record]:
    """One check per row and rule whose total and at least one component are printed."""
    rows: dict[tuple, dict[str, Record]] = defaultdict(dict)
    for r in items:
        if r.get("table_kind") in _RULES:
            rows[row_key(r)].setdefault(r.get("measure") or "", r)
    out: list[Record] = []
    for cells in rows.values():
        any_item = next(iter(cells.values()))
        for total, parts in _RULES[any_item["table_kind"]]:
            printed = [cells[p] for p in parts if p in cells]
            if total not in cells or not printed:
                continue
            expected = sum((dec(p.get("amount")) for p in printed), Decimal(0))
            t = cells[total]
            out.append(check(doc, "columns_sum", expected == dec(t.get("amount")),
                             t.get("code") or t.get("name"), fmt(expected), t.get("amount"),
                             table_kind=t["table_kind"], measure=total, unit=t.get("unit"),
                             locator=t.get("locator")))
    return out
