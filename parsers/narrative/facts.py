"""Figures the narrative states (SCHEMA.md `fact`): totals, 基本/项目支出, 三公, 机关运行经费, 采购, 资产.

Each fact is the first amount that follows its phrase directly (`预算收入5873.35万元`,
`机关运行经费共计安排191.80万元`); a phrase followed by a change word (`基本支出增加91.35万元`,
`“三公”经费预算相比减少了…`) is a comparison, not the fact, and does not match. Units are kept as
printed (003 writes `8.34元` where it means 万元): checks compare, they never correct.
"""

from __future__ import annotations

import re
from typing import Any

from govbudget.parsers.narrative.text import Sentence
from govbudget.parsers.records import Fact
from govbudget.parsers.tables.amounts import to_yuan

# `增加基本支出844.15万元` is a change, not the fact; `政府性基金拨款支出预算` is one fund's part
_NOT_A_CHANGE = r"(?<!增加)(?<!减少)(?<!增长)(?<!下降)(?<!增)(?<!减)"
_NUM = r"(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>万元|元|亿元)"
_LINK = r"(?:总额|总计|合计)?(?:为|是|共计|合计|总计|安排|预算|共|达)*[:：]?\s*"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (fact, re.compile(_NOT_A_CHANGE + p + _LINK + _NUM))
    for fact, p in (
        ("total_income", r"(?:预算收入|收入预算|收入总计|总收入|收入总额|收入合计|年度收入)"),
        ("total_expenditure", r"(?<![款金营])(?:预算支出|支出预算|支出总计|总支出|支出总额|支出合计)"),
        ("basic_expenditure", r"(?<!一般公共预算)基本支出"),
        ("project_expenditure", r"(?<![一般公共预算])项目支出"),
        ("three_public_total", r"[“\"]?三公[”\"]?经费(?:预算)?"),
        ("operating_costs", r"机关运行经费"),
        ("procurement_total", r"政府采购预算"),
        ("fixed_assets_total", r"(?<!购置)(?<!拟购)固定资产(?:金额|总额|原值|账面)?"),
    )
)

# Every `fact` word (SCHEMA.md fact vocabulary).
FACTS = tuple(fact for fact, _ in _PATTERNS)


def fact_records(sentences: list[Sentence], *, doc: str) -> list[dict[str, Any]]:
    """One `fact` per vocabulary word the narrative states (the first statement wins)."""
    out: dict[str, dict[str, Any]] = {}
    for s in sentences:
        for fact, pattern in _PATTERNS:
            if fact in out:
                continue
            m = pattern.search(s.text)
            if m is None:
                continue
            amount, unit = m.group("amount"), m.group("unit")
            out[fact] = Fact(doc=doc, fact=fact, amount=amount, unit=unit, amount_yuan=to_yuan(amount, unit),
                             sentence=s.text, locator=s.locator).as_dict()
    order = [f for f, _ in _PATTERNS]
    return sorted(out.values(), key=lambda r: order.index(r["fact"]))
