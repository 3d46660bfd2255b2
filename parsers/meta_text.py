"""What one printed line says about its document: year, phase, scope and the body that discloses.

The cover, the heading, a table's first line and the narrative all go through these rules, so they
agree on what a line means. A year is the document's only where the line names the document
(`2021年部门预算`, a cover's bare `2021`), never inside a comparison: a 2019 budget compares itself
with 2018 on many pages (`较2018年预算增加`, `比上年`, `上年结转`), so a clause that compares is read
as saying nothing about the document's own year.
"""

from __future__ import annotations

import re

from govbudget.parsers.tables.header_block import _ORG_END

# a clause that compares with or carries over from another year
COMPARISON = re.compile(
    r"上年|去年|前年|同比|环比|相比|对比|结转|[较比与同]\s*(?:20\d{2}|上)"
)
_CLAUSE = re.compile(r"[，,；;。！？!?]")
YEAR = re.compile(r"(20\d{2})\s*年")
BARE_YEAR = re.compile(r"^[（(]?(20\d{2})[)）]?\s*(?:年度?)?$")
# a body named at the start of a title line, before what the document or table is
# (`秦皇岛市北戴河区医疗保障局（本级）收支预算`, `江苏省委办公厅 2017 年度部门预算`)
_TITLE_ORG = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|\d+\s*[、.．]|第[一二三四五六七八九十]+部分)?\s*"
    r"(?:关于|现将)?(?P<org>[\u4e00-\u9fff]{2,40}?" + _ORG_END + r"(?:（[^）]{1,12}）|\([^)]{1,12}\))?)\s*"
    r"(?=20\d{2}|[(（]?20\d{2}|部门|单位|收支|收入|支出|预算|决算|财政拨款|一般公共|政府性基金|国有资本|"
    r"项目|基本支出|[“\"]?三公|机关运行|整体|绩效|政府采购)"
)
# a cover or header line that labels the body: `预算主管部门：…`, `预算单位：…`, `部 门:…`
_LABELLED = re.compile(
    r"^(?:预算主管部门|主管部门|预算单位|编制单位|填报单位|部\s*门(?:名称)?|单\s*位(?:名称)?)\s*[:：]\s*"
    r"(?P<org>[^\s:：]{2,60})$"
)
# a line that is the body's name alone (a cover's first line)
_ORG_LINE = re.compile(r"^[\u4e00-\u9fff]{2,40}?" + _ORG_END + r"(?:（[^）]{1,12}）|\([^)]{1,12}\))?$")
# words a title begins with that are not a body (`年度部门预算`, `单位预算收支总表`)
_NOT_ORG = re.compile(r"^(?:年|度|部门|单位|本|我|各|全|附件|附表|表|目录|收支|收入|支出|预算|决算|项目)")
_MONEY_UNIT = re.compile(r"^[千万亿]?元")
_BOTH = re.compile(r"预算\s*[和与及、]\s*决算|决算\s*[和与及、]\s*预算")


def uncompared(text: str) -> str:
    """The text without its clauses that compare with (or carry over from) another year."""
    return "，".join(c for c in _CLAUSE.split(text) if c and not COMPARISON.search(c))


def year_in(text: str) -> int | None:
    """The year a title or cover line names (`2021年`, or a bare `2021` line); none from a comparison."""
    text = " ".join(text.split())
    if m := BARE_YEAR.match(text):
        return int(m.group(1))
    found = YEAR.search(uncompared(text))
    return int(found.group(1)) if found else None


def phase_in(text: str) -> str | None:
    """`final` for a 决算, `budget` for a 预算, None when the line names neither (comparisons ignored)
    or both (`预决算`, `预算和决算`: a column or a platform of both, no one document's phase)."""
    text = uncompared(text).replace("预决算", "")
    if _BOTH.search(text):
        return None
    return "final" if "决算" in text else ("budget" if "预算" in text else None)


def org_in_title(text: str) -> str | None:
    """The body a title line names before what it is (`…保障局（本级）收支预算` → `…保障局（本级）`)."""
    text = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff（(])", "", " ".join(text.split()))
    m = _TITLE_ORG.match(text)
    if not m or _NOT_ORG.match(m.group("org")):
        return None
    return m.group("org")


def org_of_line(text: str) -> str | None:
    """The body a cover line names: labelled (`预算单位：…`), alone on its line, or before the title."""
    line = " ".join(text.split())
    if (m := _LABELLED.match(line)) and not _MONEY_UNIT.match(m.group("org")):
        return m.group("org")
    joined = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff（(])", "", line)
    if _ORG_LINE.match(joined) and not _NOT_ORG.match(joined):
        return joined
    return org_in_title(line)
