"""Document-level facts (`department`, `unit_code`, `fiscal_year`, `phase`, `scope`, `title`), each
with the place it was read from (`meta_source`: SCHEMA.md).

They are printed in the header block of every table (`header`), on the cover (`cover`), in the
document's heading (`title`) and in a table's first line (`table_header`:
`一、秦皇岛市北戴河区医疗保障局（本级）收支预算`); the narrative (`narrative`) and the file's own title
(`file_title`: an HTML article's heading, a title property) only fill what the printed pages leave
open, the file's title last for year and phase, as real files often carry a stale or template one. A
project listing gives the unit code in a `单位编码` column (`listing`). No field is ever read from a
comparison (`较2018年`, `上年结转`: `meta_text`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from govbudget.parsers.cover import cover_lines, cover_meta, titled_year
from govbudget.parsers.grid import Row
from govbudget.parsers.meta_text import org_in_title, org_of_line, phase_in, year_in
from govbudget.parsers.narrative import narrative_meta_of
from govbudget.parsers.tables.header_block import HeaderInfo
from govbudget.parsers.tables.segments import RawTable

_CODE_HEADER = re.compile(r"^(预算)?单位(编码|代码)$")
_UNIT_CODE = re.compile(r"^\d{3,8}$")
# `部门(单位)` is the form's generic heading (整体绩效目标表 of 部门 and 单位 alike): it says nothing
_GENERIC_SCOPE = re.compile(r"部门\s*[(（]\s*单位\s*[)）]")
# a body named like an institution (中心, 站, 所, 院 ...) discloses a 单位预算, a 局/委/办 a 部门预算
_UNIT_BODY = re.compile(r"(中心|站|所|院|馆|学校|幼儿园|队|台)(（[^）]*）|\([^)]*\))?$")
_LABEL = re.compile(r"^[^:：]{1,8}[:：]")
FIELDS = ("title", "department", "unit_code", "fiscal_year", "phase", "scope")  # what meta_source names

Candidates = Iterable[tuple[str, Any]]


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
    """The `document` record's descriptive fields, and `meta_source` saying where each was read.

    The title is the document's first line of text when that line names the document; when it is a
    table's title (a workbook with one sheet per table) or names nothing (an HTML page opening with
    the portal's menu), the file's own title (the reader's: an HTML article's heading, an XLSX or
    DOCX title property). `property_title` (a PDF or OLE file's) only fills a year nothing printed gives.
    """
    lines = cover_lines(rows)
    heading, heading_source = _heading(tables, first_text, file_title, lines)
    cover = cover_meta(lines)
    titles = [t.title for t in tables]
    narrative = narrative_meta_of(list(rows))
    infos = [t.info for t in tables]
    out = outside or HeaderInfo()
    meta: dict[str, Any] = {"title": heading, "pages": pages}
    source: dict[str, str] = {"title": heading_source} if heading else {}

    def pick(name: str, candidates: Candidates) -> None:
        meta[name] = None
        for where, value in candidates:
            if value is not None:
                meta[name], source[name] = value, where
                return

    # a printed heading's year and phase rank with the header block; the file's own title's (as often a
    # stale or template property title as an HTML article's heading) only after everything printed. Its
    # body ranks high either way: a template names none, last year's title the same body.
    early, late = (1, 0) if heading_source == "title" else (0, 1)
    own_title = file_title or property_title or ""
    said = {name: [[], [(heading_source, read(heading or ""))]] for name, read in
            (("fiscal_year", year_in), ("phase", phase_in))}
    pick("department", [*(("header", i.department) for i in infos),
                        (heading_source, org_in_title(heading or "")),
                        ("cover", cover.get("department")), ("header", out.department),
                        *(("table_header", org_in_title(t)) for t in titles),
                        ("narrative", narrative.get("department"))])
    pick("unit_code", [*(("header", i.unit_code) for i in infos), ("header", out.unit_code),
                       ("listing", listed_unit_code(rows))])
    pick("unit", [*(("header", i.unit) for i in infos), ("header", out.unit)])
    source.pop("unit", None)  # the money unit is a table's, not a fact about the document
    pick("fiscal_year", [*(("header", i.fiscal_year) for i in infos),
                         ("header", out.fiscal_year),
                         *said["fiscal_year"][early], ("cover", cover.get("fiscal_year")),
                         *(("table_header", year_in(t)) for t in titles),
                         ("table_header", titled_year(rows)), ("narrative", narrative.get("fiscal_year")),
                         *said["fiscal_year"][late], ("file_title", year_in(own_title))])
    pick("phase", [*said["phase"][early], ("cover", cover.get("phase")),
                   ("table_header", _phase_of_titles(titles)), ("narrative", narrative.get("phase")),
                   *said["phase"][late], ("file_title", phase_in(own_title))])
    scope_words = [(heading_source, heading or ""), ("cover", " ".join(_LABEL.sub("", x) for x in lines)),
                   ("table_header", " ".join(titles))]
    pick("scope", [_scope(scope_words, meta["department"] or "", source.get("department", "header")),
                   ("narrative", narrative.get("scope"))])
    meta["region_code"] = None
    meta["meta_source"] = source
    return meta


def settle_scope(meta: dict[str, Any], tables: list[RawTable]) -> None:
    """Decide a scope left open once the department is known (a performance form names it in a row),
    and say where the fields filled after `document_meta` came from (the performance forms' rows)."""
    source = meta.setdefault("meta_source", {})
    for name in ("department", "fiscal_year", "phase", "scope"):
        if meta.get(name) is not None and name not in source:
            source[name] = "header"
    if meta.get("scope") is None and meta.get("department"):
        words = [("title", meta.get("title") or ""), ("table_header", " ".join(t.title for t in tables))]
        where, meta["scope"] = _scope(words, meta["department"], source.get("department", "header"))
        if meta["scope"] is not None:
            source["scope"] = where


def _heading(tables: list[RawTable], first_text: str | None, file_title: str | None,
             cover: list[str]) -> tuple[str | None, str]:
    """The document's title and its source: its first printed line, unless that is a table's title,
    or names no body, year or phase (`附件1`, a portal's menu): then the first cover line that does,
    else the file's own title (a web page's: its article heading, never the portal's name)."""
    if tables and first_text == tables[0].title_row.text and file_title:
        return file_title, "file_title"
    if first_text and not _names_document(first_text):
        if line := next((x for x in cover if _names_document(x)), None):
            return line, "title"
        if file_title:
            return file_title, "file_title"
    return first_text, "title"


def _names_document(text: str) -> bool:
    return bool(year_in(text) or phase_in(text) or org_of_line(text))


def _phase_of_titles(titles: list[str]) -> str | None:
    phases = {phase_in(t) for t in titles} - {None}
    return "final" if "final" in phases else ("budget" if phases else None)


def _scope(words: list[tuple[str, str]], department: str, department_source: str) -> tuple[str, str | None]:
    """(source, scope): `unit` for 单位预算 or a （本级） body, `department` for 部门预算.

    The generic `部门(单位)` form decides by the body's name: a 中心 or 站 is a unit, a 局 a department.
    """
    specific = [(where, _GENERIC_SCOPE.sub("", text)) for where, text in words]
    if where := next((w for w, text in specific if "单位预算" in text), None):
        return where, "unit"
    if "本级" in department:
        return department_source, "unit"
    if where := next((w for w, text in specific if "部门" in text), None):
        return where, "department"
    if department and (where := next((w for w, text in words if _GENERIC_SCOPE.search(text)), None)):
        return where, "unit" if _UNIT_BODY.search(department) else "department"
    return "title", None


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
