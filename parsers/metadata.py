"""Document-level facts (`department`, `unit_code`, `fiscal_year`, `phase`, `scope`, `title`).

They are printed in the header block of every table and in the document's heading; the first table
that prints them wins, and the heading fills what the tables leave open.
"""

from __future__ import annotations

import re
from typing import Any

from govbudget.parsers.tables.header_block import HeaderInfo
from govbudget.parsers.tables.segments import RawTable

_YEAR = re.compile(r"(20\d{2})\s*年")


def document_meta(
    tables: list[RawTable],
    first_text: str | None,
    pages: int,
    file_title: str | None = None,
    outside: HeaderInfo | None = None,
) -> dict[str, Any]:
    """The `document` record's descriptive fields.

    The title is the document's first line of text, unless that line is already a table's title (a
    workbook with one sheet per table has no heading of its own): then the file's title property.
    """
    heading = first_text
    if tables and first_text == tables[0].title_row.text and file_title:
        heading = file_title
    meta: dict[str, Any] = {"title": heading, "pages": pages}
    for name in ("department", "unit_code", "fiscal_year", "unit"):
        infos = [t.info for t in tables] + ([outside] if outside else [])
        meta[name] = next((getattr(i, name) for i in infos if getattr(i, name)), None)
    words = " ".join([heading or ""] + [t.title for t in tables])
    if meta["fiscal_year"] is None and (m := _YEAR.search(words)):
        meta["fiscal_year"] = int(m.group(1))
    meta["phase"] = "final" if "决算" in words else ("budget" if "预算" in words else None)
    dept = meta["department"] or ""
    if "单位预算" in words or "本级" in dept:
        meta["scope"] = "unit"
    elif "部门" in words:
        meta["scope"] = "department"
    else:
        meta["scope"] = None
    meta["region_code"] = None
    return meta
