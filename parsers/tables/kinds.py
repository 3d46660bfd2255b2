"""The table kinds, specified once: how each is titled, which sides it lists, how its columns add up.

    from govbudget.parsers.tables.kinds import KINDS, kind_named
    kind_named("income_summary").sides  # ("income",)

Every module that knows something about a kind reads it here: the title recogniser (titles.py) tries
`title_patterns` in `KINDS` order, the line-item builder takes a list's side from `sides`/`panels`,
the checks take the summary tables from `summary` and the `columns_sum` rules from
`column_sum_rules`, the data dictionary lists `KINDS` as the `table_kind` vocabulary. A table whose
title reads like a table title but matches no pattern is kind `other` (kept with its title, never
dropped): a region that prints a table nobody specified still has its numbers read.

Title patterns are matched on the title without whitespace, numbering and year (`公开01表`, `表一`,
`2026年`), most specific first: `财政拨款收支总表` before `收支总表`, `基本支出表` before `支出表`.
Final accounts name the same tables `收入支出决算总表`, `收入决算表`, ... Three kinds extend
SCHEMA's list because real documents print them as tables of their own: `operating_costs`
(机关运行经费), `fiscal_appropriation_expenditure` (财政拨款支出表) and
`fiscal_appropriation_basic_expenditure` (财政拨款基本支出表).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Which measure columns make up a row's total, innermost rule last (checks/rows.py `columns_sum`).
ColumnSumRule = tuple[str, tuple[str, ...]]

_SOURCES = ("fiscal_appropriation", "fiscal_special_account", "business_income", "operating_income",
            "superior_subsidy", "affiliate_remittance", "other_income")
_FUNDS = ("general_public_budget", "government_fund", "state_capital")
_BASIC_PROJECT: tuple[ColumnSumRule, ...] = (("total", ("basic", "project")),)

ONE = "one"  # one list of subjects (a name/code column and its amount columns)
SIDE_BY_SIDE = "side_by_side"  # lists side by side, each its own side (收入 | 支出 | 支出 by use ...)
PANEL_LAYOUTS = (ONE, SIDE_BY_SIDE)


@dataclass(frozen=True)
class TableKind:
    """One kind of table: its SCHEMA word, printed name, title patterns, sides, layout and sums.

    `sides` are the sides its line items may carry, the first being the side of a single list;
    `panels` is the standard print's layout, `one` list or lists `side_by_side` (any number of them,
    as printed: a panel whose header names 收入 is income, the others expenditure); `summary` marks
    the 收支总表-like tables that balance income against expenditure; `performance` marks the tables
    the performance parser reads (indicators, not amounts).
    """

    name: str
    label_zh: str
    title_patterns: tuple[re.Pattern[str], ...] = ()
    sides: tuple[str, ...] = ("expenditure",)
    summary: bool = False
    panels: str = ONE
    column_sum_rules: tuple[ColumnSumRule, ...] = ()
    performance: bool = False

    def __post_init__(self) -> None:
        if self.panels not in PANEL_LAYOUTS:
            raise ValueError(f"kind {self.name}: panels must be one of {PANEL_LAYOUTS}, got {self.panels!r}")

    def names_title(self, title: str) -> bool:
        """True when a normalised title (no whitespace, numbering or year) names this kind."""
        return any(p.search(title) for p in self.title_patterns)

    def side_of_panel(self, header: str, several: bool) -> str:
        """The side of one list of subjects: by its header when lists stand side by side, else the kind's."""
        if several:
            return "income" if "收入" in header else "expenditure"
        return self.sides[0]


def _kind(name: str, label_zh: str, *patterns: str, **spec: object) -> TableKind:
    return TableKind(name, label_zh, tuple(re.compile(p) for p in patterns), **spec)  # type: ignore[arg-type]


_SUMMARY = {"sides": ("income", "expenditure"), "summary": True, "panels": SIDE_BY_SIDE}

# In title-matching order: the first kind whose pattern matches names the table.
KINDS: tuple[TableKind, ...] = (
    _kind("performance_targets", "项目(资金)绩效目标表", r"绩效目标", performance=True),
    _kind("three_public_costs", "财政拨款\"三公\"经费支出表", r"三公.*表",
          column_sum_rules=(("total", _FUNDS),)),
    _kind("operating_costs", "机关运行经费表", r"机关运行经费.*表"),
    _kind("general_budget_basic_expenditure", "一般公共预算(财政拨款)基本支出表",
          r"一般公共预算.*基本支出.*表", column_sum_rules=(("total", ("personnel", "public_funds")),)),
    _kind("government_fund_expenditure", "政府性基金预算财政拨款支出表",
          r"政府性?基金(预算)?(财政拨款)?(收入)?支出.*表", column_sum_rules=_BASIC_PROJECT),
    _kind("state_capital_expenditure", "国有资本经营预算财政拨款支出表",
          r"国有资本经营(预算)?(财政拨款)?(收入)?支出.*表", column_sum_rules=_BASIC_PROJECT),
    _kind("general_budget_expenditure", "一般公共预算(财政拨款)支出表", r"一般公共预算(财政拨款)?支出.*表",
          column_sum_rules=_BASIC_PROJECT),
    _kind("fiscal_appropriation_summary", "财政拨款收支总表", r"财政拨款收(入)?支(出)?.*总表",
          column_sum_rules=(("total", _FUNDS),), **_SUMMARY),
    _kind("fiscal_appropriation_basic_expenditure", "财政拨款基本支出表", r"财政拨款基本支出.*表"),
    _kind("fiscal_appropriation_expenditure", "财政拨款支出表", r"财政拨款支出.*表"),
    _kind("income_expenditure_summary", "收支总表 / 部门(单位)预算收支总表", r"收(入)?支(出)?.*总表",
          **_SUMMARY),
    _kind("income_summary", "收入总表", r"收入(预算|决算)?总表|(^|部门|单位|[、.])收入[预决]算表",
          sides=("income",),
          column_sum_rules=(("total", ("subtotal", "prior_year_carryover")), ("subtotal", _SOURCES))),
    _kind("project_expenditure", "项目支出表", r"项目支出.*表"),
    _kind("expenditure_summary", "支出总表", r"支出(预算|决算)?总表|(^|部门|单位|[、.])支出[预决]算表",
          column_sum_rules=(("total", ("basic", "project", "operating_expenditure", "remit_to_superior",
                                       "subsidy_to_affiliates")),)),
    _kind("government_procurement", "政府采购预算表", r"政府采购.*表|政府采购[预决]算$"),
    _kind("state_assets", "国有资产 / 固定资产占用情况表", r"(国有资产|固定资产|资产).*(占用|使用|情况).*表"),
    # recognised by its grid (一级/二级/三级指标) and its title's 整体, never by a title pattern here
    _kind("overall_performance_targets", "部门(单位)整体绩效目标表 / 整体支出绩效指标", performance=True),
    # a titled table with amounts that no pattern names: kept with its title as printed
    _kind("other", "其他表 (title kept as printed)", sides=("expenditure", "income")),
)
OTHER = "other"
BY_NAME: dict[str, TableKind] = {k.name: k for k in KINDS}
# Every `table_kind` a parser emits: the data dictionary's and the exports' vocabulary.
TABLE_KINDS: tuple[str, ...] = tuple(k.name for k in KINDS)
SUMMARY_KINDS: tuple[str, ...] = tuple(k.name for k in KINDS if k.summary)
PERFORMANCE_KINDS: tuple[str, ...] = tuple(k.name for k in KINDS if k.performance)


def kind_named(name: str | None) -> TableKind:
    """The specification of a kind; an unknown or missing name is `other` (never a KeyError)."""
    return BY_NAME.get(name or OTHER, BY_NAME[OTHER])


def kind_of_title(title: str) -> TableKind | None:
    """The first kind whose title patterns match a normalised title, None when none does."""
    return next((k for k in KINDS if k.names_title(title)), None)
