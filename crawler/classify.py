"""What an archived file is, from the words around it (link text, article title, file name).

Classification never reads the file: the crawler decides what to download before it has the
bytes, and the parser later states what the content says. Keeping both lets researchers see when a
portal's label and the document disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

DISCLOSURE_KINDS = frozenset({"budget", "final", "three_public", "performance"})

_YEAR = re.compile(r"(20[0-4]\d)\s*(?:年度|年)?")
_PERFORMANCE = re.compile(r"绩效目标|绩效评价|绩效自评|整体绩效|项目绩效")
_THREE_PUBLIC = re.compile(r"三公")
_FINAL = re.compile(r"决算")
_BUDGET = re.compile(r"预算")
# Words that make a 预算 mention something other than a disclosure of one.
_NOT_DISCLOSURE = re.compile(
    r"预算执行|执行情况|政策解读|解读|招标|采购公告|中标|成交|任免|人事|征求意见|培训|新闻|会议召开"
)
_LEADING_NOISE = re.compile(r"^(?:附件\s*\d*\s*[:：]?|关于|\d+\s*[、.．]\s*)+")
_DEPT_BEFORE_YEAR = re.compile(r"^(?P<dept>[^\d\s（(【\[:：]{2,40}?)\s*20[0-4]\d\s*(?:年度|年)")
_DEPT_AFTER_YEAR = re.compile(
    r"20[0-4]\d\s*(?:年度|年)\s*(?P<dept>[^\d\s]{2,40}?)\s*(?:部门|单位)?(?:预算|决算|三公|绩效)"
)
# `县退役军人事务局关于公开2023年部门预算的说明`: the body speaks first, the year comes later
_DEPT_BEFORE_ABOUT = re.compile(r"^(?P<dept>[^\d\s（(【\[:：]{2,40}?)关于")
_DEPT_SUFFIX = re.compile(
    r"(局|委员会|委|办公室|办公厅|中心|院|所|厅|部|馆|站|队|会|社|校|学|政府|街道办事处)$"
)


@dataclass(frozen=True)
class Classification:
    """The crawler's reading of a link: kind, year, phase and department when they can be told."""

    doc_kind: str
    fiscal_year: int | None = None
    phase: str | None = None
    department: str | None = None
    title: str | None = None

    @property
    def is_disclosure(self) -> bool:
        return self.doc_kind in DISCLOSURE_KINDS


def file_name_from_url(url: str) -> str:
    """The last path segment (or a ``showname=``/``filename=`` query value), percent-decoded."""
    parts = urlsplit(url)
    for key in ("showname", "filename", "fileName", "name"):
        match = re.search(rf"(?:^|&){key}=([^&]+)", parts.query)
        if match:
            return unquote(match.group(1))
    return unquote(parts.path.rsplit("/", 1)[-1])


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def fiscal_year_of(text: str) -> int | None:
    """The first plausible fiscal year (2000-2049) printed in the text."""
    match = _YEAR.search(text)
    return int(match.group(1)) if match else None


@lru_cache(maxsize=4096)
def department_of(text: str) -> str | None:
    """The disclosing body from titles like ``邯郸市医疗保障局2022年部门预算公开``.

    Cached: deciding one link asks it of the same text up to three times (the decoy check in the
    link policy, in `kind_of`, and `classify_link`'s own department).
    """
    text = _LEADING_NOISE.sub("", _normalise(text).replace(" ", ""))
    for pattern in (_DEPT_BEFORE_YEAR, _DEPT_AFTER_YEAR, _DEPT_BEFORE_ABOUT):
        match = pattern.search(text)
        if match:
            dept = match.group("dept").strip("：:、，,-—_ ")
            if _DEPT_SUFFIX.search(dept):
                return dept
    return None


def without_department(text: str) -> str:
    """The text, spaces removed, with the disclosing body's name taken out.

    Decoy words are checked on what is left: 退役军人事务局 holds 人事 and 新闻出版局 holds 新闻, and
    every county has such a bureau whose budgets must not pass for 人事任免 or news.
    """
    compact = re.sub(r"\s+", "", text or "")
    department = department_of(compact)
    return compact.replace(department, "", 1) if department else compact


def names_decoy(text: str) -> bool:
    """The text says it is something other than a disclosure (解读, 预算执行, 招标, 人事任免, ...)."""
    return bool(_NOT_DISCLOSURE.search(without_department(text)))


def kind_of(text: str) -> str:
    """``budget``, ``final``, ``three_public``, ``performance`` or ``other`` for a text."""
    if names_decoy(text):
        return "other"
    if _PERFORMANCE.search(text):
        return "performance"
    has_final, has_budget = bool(_FINAL.search(text)), bool(_BUDGET.search(text))
    if _THREE_PUBLIC.search(text) and not re.search(r"部门(预|决)算|单位(预|决)算", text):
        return "three_public"
    if has_final:
        return "final"
    if has_budget:
        return "budget"
    return "other"


def classify_link(link_text: str, url: str, context_title: str = "") -> Classification:
    """Classify a file link using its own text first, then its file name, then the page title."""
    name = file_name_from_url(url)
    own = _normalise(f"{link_text} {name}")
    kind = kind_of(own)
    if kind == "other" and not names_decoy(own):
        kind = kind_of(_normalise(context_title))
    combined = _normalise(f"{link_text} {name} {context_title}")
    year = fiscal_year_of(own) or fiscal_year_of(context_title)
    phase = {"final": "final", "budget": "budget"}.get(kind)
    if kind in {"three_public", "performance"}:
        phase = "final" if _FINAL.search(combined) else "budget"
    department = department_of(link_text) or department_of(context_title) or department_of(name)
    title = _normalise(link_text) or _normalise(context_title) or name or None
    return Classification(kind, year, phase, department, title)


def classify_page(title: str) -> Classification:
    """Pages are archived as ``page``; year, phase and department still help the catalog."""
    c = classify_link(title, "", "")
    return Classification("page", c.fiscal_year, c.phase, c.department, _normalise(title) or None)
