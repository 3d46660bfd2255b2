"""Recognise the standard table titles (and refuse table-of-contents lines that look like them).

The same table goes by several names across regions and years (`政府基金预算` vs `政府性基金预算`,
`一般公共预算财政拨款支出表` vs `一般公共预算支出表`), so titles are matched by patterns, most specific
first (`财政拨款收支总表` before `收支总表`, `基本支出表` before `支出表`). Final accounts name the same
tables `收入支出决算总表`, `收入决算表`, ...; a numbering (`公开01表`, `表一`, `5．`) and a year (`2026年`)
may lead the title. Three kinds extend SCHEMA's list because real documents print them as tables of
their own: `operating_costs` (机关运行经费), `fiscal_appropriation_expenditure` (财政拨款支出表) and
`fiscal_appropriation_basic_expenditure` (财政拨款基本支出表).
"""

from __future__ import annotations

import re

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(p))
    for kind, p in (
        ("performance_targets", r"绩效目标"),  # left to the performance parser, never a budget table
        ("three_public_costs", r"三公.*表"),
        ("operating_costs", r"机关运行经费.*表"),
        ("general_budget_basic_expenditure", r"一般公共预算.*基本支出.*表"),
        ("government_fund_expenditure", r"政府性?基金(预算)?(财政拨款)?(收入)?支出.*表"),
        ("state_capital_expenditure", r"国有资本经营(预算)?(财政拨款)?(收入)?支出.*表"),
        ("general_budget_expenditure", r"一般公共预算(财政拨款)?支出.*表"),
        ("fiscal_appropriation_summary", r"财政拨款收(入)?支(出)?.*总表"),
        ("fiscal_appropriation_basic_expenditure", r"财政拨款基本支出.*表"),
        ("fiscal_appropriation_expenditure", r"财政拨款支出.*表"),
        ("income_expenditure_summary", r"收(入)?支(出)?.*总表"),
        ("income_summary", r"收入(预算|决算)?总表|(^|部门|单位|[、.])收入[预决]算表"),
        ("project_expenditure", r"项目支出.*表"),
        ("expenditure_summary", r"支出(预算|决算)?总表|(^|部门|单位|[、.])支出[预决]算表"),
        ("government_procurement", r"政府采购.*表|政府采购[预决]算$"),
        ("state_assets", r"(国有资产|固定资产|资产).*(占用|使用|情况).*表"),
    )
)
# Every table kind a parser emits (the SCHEMA.md vocabulary plus its extensions), for the data dictionary.
TABLE_KINDS = (*(kind for kind, _ in _PATTERNS), "overall_performance_targets")
# Kinds a title may name that are not budget tables of this parser (the performance parser owns them).
_NOT_BUDGET = {"performance_targets"}
_LEADERS = re.compile(r"(\.{3,}|…|·{3,}|-{4,}|_{4,})")
_SENTENCE_END = ("。", "，", "；", "：", ":", "）", ")")
MAX_TITLE_CHARS = 48
_BARE_TITLE = re.compile(r"^(部门|单位)?政府采购[预决]算$")
_QUALIFIER = re.compile(r"(?<=表)\([^()]{1,12}\)$")
_YEAR_PREFIX = re.compile(r"^([0-9一二三四五六七八九十]+[、.．]|\d+[.．、])?(20\d{2}年度?)?")


def normalize(text: str) -> str:
    """Drop all whitespace and unify quote marks so `“三 公”` and `"三公"` compare equal."""
    text = re.sub(r"\s+", "", text)
    return text.replace("“", '"').replace("”", '"').replace("（", "(").replace("）", ")")


def is_toc_line(text: str) -> bool:
    """A table-of-contents entry: dot leaders, usually followed by a page number."""
    return bool(_LEADERS.search(text))


def match_title(text: str) -> str | None:
    """The `table_kind` a heading names, or None when the text is not a table title."""
    if not text or is_toc_line(text):
        return None
    norm = _QUALIFIER.sub("", normalize(text))  # `支出预算表（功能科目）`: a qualifier, no sentence end
    bare = _BARE_TITLE.search(norm)  # `部门政府采购预算`: the one title printed without 表
    if len(norm) > MAX_TITLE_CHARS or norm.endswith(_SENTENCE_END) or not (norm.endswith("表") or bare):
        return None
    norm = _YEAR_PREFIX.sub("", norm)
    for kind, pattern in _PATTERNS:
        if pattern.search(norm):
            return None if kind in _NOT_BUDGET else kind
    return None
