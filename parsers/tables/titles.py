"""Recognise table titles from the kinds' specification (kinds.py), refusing table-of-contents lines.

The same table goes by several names across regions and years (`政府基金预算` vs `政府性基金预算`,
`一般公共预算财政拨款支出表` vs `一般公共预算支出表`); each kind's title patterns live in `KINDS`
(tables/kinds.py), tried in its order, most specific first. A numbering (`公开01表`, `表一`, `5．`)
and a year (`2026年`) may lead the title. A line that reads as a table title (short, no sentence end,
ends in 表) but names no kind is `other` when asked for (`match_title(text, other=True)`): such a
table is still read, under its printed title (tables/other.py).
"""

from __future__ import annotations

import re

from govbudget.parsers.tables.kinds import OTHER, TABLE_KINDS, kind_of_title

__all__ = ["MAX_TITLE_CHARS", "TABLE_KINDS", "is_toc_line", "match_title", "normalize"]

_LEADERS = re.compile(r"(\.{3,}|…|·{3,}|-{4,}|_{4,})")
_SENTENCE_END = ("。", "，", "；", "：", ":", "）", ")")
MAX_TITLE_CHARS = 48
_BARE_TITLE = re.compile(r"^(部门|单位)?政府采购[预决]算$")
_QUALIFIER = re.compile(r"(?<=表)\([^()]{1,12}\)$")
_YEAR_PREFIX = re.compile(r"^([0-9一二三四五六七八九十]+[、.．]|\d+[.．、])?(20\d{2}年度?)?")
# numbering printed with or instead of a name (`公开01表`, `附表1`, `表一`, `表3-1`): no name of a table
_NUMBERING = re.compile(r"(公开|附)表?[0-9０-９一二三四五六七八九十]*([-—－.][0-9]+)?表?"
                        r"|表[0-9０-９一二三四五六七八九十]+([-—－.][0-9]+)?|[0-9０-９]+([-—－.][0-9]+)?表")
# a sentence pointing at a table (`详见附表`, `如下表`), not a title
_REFERENCE = re.compile(r"[见如下上本该此附]表$|^(详见|参见|见)")
_OTHER_MIN_NAME = 4  # CJK characters a title must print besides its numbering to name a table
_PERFORMANCE_WORDS = re.compile(r"绩效")  # the performance parser's tables, recognised by their grid


def normalize(text: str) -> str:
    """Drop all whitespace and unify quote marks so `“三 公”` and `"三公"` compare equal."""
    text = re.sub(r"\s+", "", text)
    return text.replace("“", '"').replace("”", '"').replace("（", "(").replace("）", ")")


def is_toc_line(text: str) -> bool:
    """A table-of-contents entry: dot leaders, usually followed by a page number."""
    return bool(_LEADERS.search(text))


def match_title(text: str, *, other: bool = False) -> str | None:
    """The `table_kind` a heading names, or None when the text is not a table title.

    With `other=True` a title that names no kind is `other` when it still names a table: besides its
    numbering it prints at least `_OTHER_MIN_NAME` Chinese characters and is no pointer to a table
    (`详见附表`) nor a performance form's heading (those are the performance parser's).
    """
    if not text or is_toc_line(text):
        return None
    norm = _QUALIFIER.sub("", normalize(text))  # `支出预算表（功能科目）`: a qualifier, no sentence end
    bare = _BARE_TITLE.search(norm)  # `部门政府采购预算`: the one title printed without 表
    if len(norm) > MAX_TITLE_CHARS or norm.endswith(_SENTENCE_END) or not (norm.endswith("表") or bare):
        return None
    norm = _YEAR_PREFIX.sub("", norm)
    kind = kind_of_title(norm)
    if kind is not None:
        return None if kind.performance else kind.name
    if other and _names_a_table(norm):
        return OTHER
    return None


def _names_a_table(norm: str) -> bool:
    if _REFERENCE.search(norm) or _PERFORMANCE_WORDS.search(norm):
        return False
    name = _NUMBERING.sub("", norm)
    return name.endswith("表") and len(re.findall(r"[\u4e00-\u9fff]", name[:-1])) >= _OTHER_MIN_NAME
