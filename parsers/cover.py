"""The cover (the short lines a document opens with) and the titles of its tables, read for metadata.

A cover prints the body, the year and the phase on lines of their own (`江苏省人民检察院` / `年部门预算`
/ `2017`; `上海市普陀区2025年区级部门预算` / `预算主管部门：上海市普陀区人民政府办公室`); a PDF puts
them on page 1, a workbook on its first sheet (`封面`). The cover ends at the first table row, the
contents (`目 录`), a new page or sheet, or the first sentence (a long line, or one with clauses),
so narrative text is never read as a cover. A spreadsheet of performance forms has no cover: its
year is in its forms' titles (`项目绩效目标表 (2021年度)`) or a cell of their headers (`(2021)年度`),
read by `titled_year`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from govbudget.parsers.grid import Row
from govbudget.parsers.meta_text import BARE_YEAR, org_of_line, phase_in, year_in

MAX_LINES = 8
MAX_LINE = 40  # characters: a cover line is a title, not a sentence
_CONTENTS = re.compile(r"^目\s*录$")
_SENTENCE = re.compile(r"[。；;，,！？]")  # a title has no clauses
_LABEL = re.compile(r"^[^:：]{1,8}[:：]")  # `预算主管部门：` says what follows, not the document's phase


def cover_lines(rows: Sequence[Row]) -> list[str]:
    """The document's opening short text lines on its first page or sheet.

    A web page (rows located by `line` alone) has none: its opening lines are the portal's menus
    (`首页`, `政务公开`, a bureau's name among the links), and its heading is the reader's title.
    """
    out: list[str] = []
    place: Any = None
    for row in rows:
        if row.kind != "text" or ("line" in row.locator and "page" not in row.locator):
            break
        text = " ".join(row.text.split())
        if not text:
            continue
        where = row.locator.get("page", row.locator.get("sheet"))
        if place is None:
            place = where
        ends = _CONTENTS.match(text) or _SENTENCE.search(text) or len(text) > MAX_LINE
        if where != place or ends or len(out) >= MAX_LINES:
            break
        out.append(text)
    return out


def cover_meta(lines: Sequence[str]) -> dict[str, Any]:
    """department, fiscal_year, phase the cover prints (missing keys: not printed there)."""
    out: dict[str, Any] = {}
    for line in lines:
        if "department" not in out and (org := org_of_line(line)):
            out["department"] = org
        labelled = _LABEL.match(line) and not BARE_YEAR.match(line)
        if "fiscal_year" not in out and not labelled and (year := year_in(line)) is not None:
            out["fiscal_year"] = year
    if phase := phase_in(" ".join(_LABEL.sub("", line) for line in lines)):
        out["phase"] = phase
    return out


# a table's title on a line (or in a merged cell) of its own: `项目绩效目标表 (2021年度)`
_TITLE_LINE = re.compile(r"表\s*(?:[（(][^）)]{1,12}[）)])?$")
# a cell that is only a year, or a labelled one: `(2021)年度`, `2021年度`, `预算年度：2021`
_YEAR_CELL = re.compile(r"^(?:(?:预算|填报|编制)?年度\s*[:：]\s*)?[（(]?(20\d{2})[)）]?\s*(?:年度?)?$")
MAX_TITLE = 60


def titled_year(rows: Sequence[Row]) -> int | None:
    """The year printed in a title line of any table (the performance forms' own titles included),
    else in cells that print a year alone (`(2021)年度` under a form's title), when they all agree.

    A spreadsheet of performance forms prints its year only there: no header block, no narrative.
    """
    years: set[int] = set()
    for row in rows:
        filled = [" ".join(c.split()) for c in row.cells if c.strip()]
        title = filled[0] if len(filled) == 1 and len(filled[0]) <= MAX_TITLE else ""
        if _TITLE_LINE.search(title) and (year := year_in(title)) is not None:
            return year
        years.update(int(m.group(1)) for c in filled if (m := _YEAR_CELL.match(c)))
    return years.pop() if len(years) == 1 else None
