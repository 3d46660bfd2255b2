"""Document-level facts (`department`, `unit_code`, `fiscal_year`, `phase`, `scope`, `title`).

They are printed in the header block of every table and in the document's heading; the first table
that prints them wins, and the heading fills what the tables leave open. Two layouts print them
elsewhere: a project listing gives the unit code in a `单位编码` column (its first row is the
disclosing body itself), and a workbook of bare tables may state its year only in the file's title
property, which is therefore the last place a year is looked for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from govbudget.parsers.grid import Row
from govbudget.parsers.tables.header_block import HeaderInfo
from govbudget.parsers.tables.segments import RawTable

_YEAR = re.compile(r"(20\d{2})\s*年")
_CODE_HEADER = re.compile(r"^(预算)?单位(编码|代码)$")
_UNIT_CODE = re.compile(r"^\d{3,8}$")
# `部门(单位)` is the form's generic heading (整体绩效目标表 of 部门 and 单位 alike): it says nothing
_GENERIC_SCOPE = re.compile(r"部门\s*[(（]\s*单位\s*[)）]")
# a body named like an institution (中心, 站, 所, 院 ...) discloses a 单位预算, a 局/委/办 a 部门预算
_UNIT_BODY = re.compile(r"(中心|站|所|院|馆|学校|幼儿园|队|台)(（[^）]*）|\([^)]*\))?$")


def document_meta(
    tables: list[RawTable],
    first_text: str | None,
    pages: int,
    file_title: str | None = None,
    outside: HeaderInfo | None = None,
    *,
    rows: Sequence[Row] = (),
    property_title: str | None = None,
) -> dict[str, Any]:
    """The `document` record's descriptive fields.

    The title is the document's first line of text, unless that line is already a table's title (a
    workbook with one sheet per table has no heading of its own): then the file's title property.
    `property_title` (the title property of a PDF or OLE file) only fills a year nothing printed gives.
    """
    heading = first_text
    if tables and first_text == tables[0].title_row.text and file_title:
        heading = file_title
    meta: dict[str, Any] = {"title": heading, "pages": pages}
    for name in ("department", "unit_code", "fiscal_year", "unit"):
        infos = [t.info for t in tables] + ([outside] if outside else [])
        meta[name] = next((getattr(i, name) for i in infos if getattr(i, name)), None)
    if meta["unit_code"] is None:
        meta["unit_code"] = listed_unit_code(rows)
    words = " ".join([heading or ""] + [t.title for t in tables])
    if meta["fiscal_year"] is None:
        found = _YEAR.search(words) or _YEAR.search(file_title or property_title or "")
        meta["fiscal_year"] = int(found.group(1)) if found else None
    meta["phase"] = "final" if "决算" in words else ("budget" if "预算" in words else None)
    meta["scope"] = _scope(words, meta["department"] or "")
    meta["region_code"] = None
    return meta


def settle_scope(meta: dict[str, Any], tables: list[RawTable]) -> None:
    """Decide a scope left open once the department is known (a performance form names it in a row)."""
    if meta.get("scope") is None and meta.get("department"):
        words = " ".join([meta.get("title") or ""] + [t.title for t in tables])
        meta["scope"] = _scope(words, meta["department"])


def _scope(words: str, department: str) -> str | None:
    """`unit` for 单位预算 or a （本级） body, `department` for 部门预算.

    The generic `部门(单位)` form decides by the body's name: a 中心 or 站 is a unit, a 局 a department.
    """
    specific = _GENERIC_SCOPE.sub("", words)
    if "单位预算" in specific or "本级" in department:
        return "unit"
    if "部门" in specific:
        return "department"
    if _GENERIC_SCOPE.search(words) and department:
        return "unit" if _UNIT_BODY.search(department) else "department"
    return None


def listed_unit_code(rows: Sequence[Row]) -> str | None:
    """The code in the first row under a `单位编码` header cell (`481 | 门源县医疗保障 | 63.90`)."""
    column: int | None = None
    for row in rows:
        if row.kind != "table":
            continue
        if column is None:
            column = next((i for i, c in enumerate(row.cells) if _CODE_HEADER.match(re.sub(r"\s+", "", c))),
                          None)
            continue
        code = re.sub(r"\s+", "", row.cell(column))
        if code:
            return code if _UNIT_CODE.match(code) else None
    return None
