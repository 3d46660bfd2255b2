"""Printed column headers → SCHEMA.md `measure` words.

Rules are tried in order because headers nest words: `一般公共预算财政拨款` contains `财政拨款`,
`事业单位经营收入` is not `事业收入`; a header outside the vocabulary is `other` with its label kept.
"""

from __future__ import annotations

import re

_RULES: tuple[tuple[str, str], ...] = (
    (r"^(本年|全年)?(合计|预算数|决算数|金额|总计|预算金额|预算|决算)$", "total"),
    (r"^小计$", "subtotal"),
    (r"基本支出$", "basic"),
    (r"项目支出$", "project"),
    (r"人员经费", "personnel"),
    (r"公用经费", "public_funds"),
    (r"上[缴解]上级支出", "remit_to_superior"),
    (r"对附属单位补助支出", "subsidy_to_affiliates"),
    (r"经营支出", "operating_expenditure"),
    (r"一般公共预算", "general_public_budget"),
    (r"政府性?基金", "government_fund"),
    (r"国有资本经营", "state_capital"),
    (r"财政专户", "fiscal_special_account"),
    (r"财政拨款", "fiscal_appropriation"),
    (r"经营收入", "operating_income"),
    (r"事业收入", "business_income"),
    (r"上级补助收入", "superior_subsidy"),
    (r"附属单位上缴收入", "affiliate_remittance"),
    (r"其他收入", "other_income"),
    (r"上年结[转余]", "prior_year_carryover"),
    (r"合计", "total"),
)
_COMPILED = tuple((re.compile(p), m) for p, m in _RULES)
# Every `measure` word a line item may carry (`other`: a header outside the vocabulary).
MEASURES = (*dict.fromkeys(m for _, m in _RULES), "other")


def normalize_label(label: str) -> str:
    """Headers are printed with spaces (`项 目`, `资 金 性 质`): compare them without."""
    return re.sub(r"\s+", "", label or "")


def to_measure(label: str) -> str:
    """The measure word for a printed header, `other` when none fits."""
    norm = normalize_label(label)
    for pattern, measure in _COMPILED:
        if pattern.search(norm):
            return measure
    return "other"
