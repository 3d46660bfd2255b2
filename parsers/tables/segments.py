"""Group the row stream into tables, stitching a table that is split over pages into one.

A table's title appears once; every page segment then repeats the header block and the header rows
(ending with `栏次 1 2 3 …`). The data rows of all segments are one table: repeated header rows are
dropped and a row holding only the tail of a wrapped name (`事务` after a page break) is left for the
line-item builder to glue to the row before it. A table ends at the next title, at a note (`注：…`), or
at free text after its data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from govbudget.parsers.grid import Row
from govbudget.parsers.tables.header_block import HeaderInfo, complete_department, parse_header_row
from govbudget.parsers.tables.regrid import on_header_grid
from govbudget.parsers.tables.titles import match_title, normalize

_NOTE = re.compile(r"^(注|说明|备注)\s*[:：0-9１-９]")
_EMPTY_NOTE = re.compile(r"(空表|无.*(预算|收支|支出|经费|数据)|不涉及)")
MAX_TEXT_BEFORE_TABLE = 6
_PAGE_NUMBER = re.compile(r"[-—–\s]*(第\s*)?\d{1,4}\s*页?(\s*/\s*共?\s*\d{1,4}\s*页?)?[-—–\s]*")
_TITLE_WITH_BLOCK = re.compile(r"^(.{2,40}?表)\s*((?:编制)?(?:部门|单位)\s*[:：].*)$")


@dataclass
class Segment:
    """One page's part of a table: its header rows (up to `栏次`) and data rows."""

    header_rows: list[Row] = field(default_factory=list)
    data_rows: list[Row] = field(default_factory=list)
    closed_header: bool = False


@dataclass
class RawTable:
    """A recognised table before interpretation: title, header-block facts, segments, notes."""

    kind: str
    title: str
    title_row: Row
    info: HeaderInfo = field(default_factory=HeaderInfo)
    segments: list[Segment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    text_before_rows: int = 0

    @property
    def header_rows(self) -> list[Row]:
        """The first segment's header rows: the ones that define the columns."""
        return self.segments[0].header_rows if self.segments else []

    @property
    def data_rows(self) -> list[Row]:
        """All segments' data rows, in order, on the first header's grid (regrid.py)."""
        width = max((len(r.cells) for r in self.header_rows), default=0)
        return on_header_grid([r for s in self.segments for r in s.data_rows], width)

    @property
    def declared_empty(self) -> bool:
        """A table printed with headers only and a note saying there is nothing (`空表列示`)."""
        return not self.data_rows and any(_EMPTY_NOTE.search(n) for n in self.notes)

    def all_rows(self) -> list[Row]:
        """Every row that belongs to the table, title included, for its locator."""
        rows = [self.title_row]
        for s in self.segments:
            rows.extend(s.header_rows)
            rows.extend(s.data_rows)
        return rows

    def merge_info(self, info: HeaderInfo) -> None:
        """Take header-block facts, noting when a later page disagrees with an earlier one."""
        if info.tail and self.info.department and not info.department:
            self.info.department = complete_department(self.info.department, info.tail)
        for name in ("unit_code", "department", "fiscal_year", "unit"):
            new = getattr(info, name)
            if new is None:
                continue
            old = getattr(self.info, name)
            if old is None:
                setattr(self.info, name, new)
            elif old != new:
                self.problems.append(f"{self.kind}: header block disagrees on {name}: {old!r} vs {new!r}")


def is_column_number_row(row: Row) -> bool:
    """The `栏次 1 2 3 …` row: column numbers, not data."""
    first = normalize(row.cell(row.filled[0])) if row.filled else ""
    return first in ("栏次", "栏目", "行次") or first.startswith("栏次")


def _row_key(row: Row) -> tuple[str, ...]:
    return tuple(normalize(c) for c in row.cells if c)


def _looks_like_data(row: Row, after_header: bool = False) -> bool:
    """Without a `栏次` row, the first row with an amount or a subject code ends the header.

    An amount is a decimal (`5873.35`), a number with thousands separators (`156,211,123`) or a whole
    number of four digits or more; short integers are left out because headers number their columns.
    """
    for c in row.cells[:3]:
        if re.fullmatch(r"\d{3,7}", c.strip()):
            return True
    if any(_AMOUNT.fullmatch(c.strip()) for c in row.cells):
        return True
    # below a header row, a name with a whole number beside it (`资产总额 | | 29`) is data too
    ints = [c for c in row.cells if re.fullmatch(r"-?\d+", c.strip())]
    words = [c for c in row.cells if c.strip() and not re.fullmatch(r"[-\d.,]+", c.strip())]
    return after_header and bool(ints) and bool(words)


_AMOUNT = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?|-?\d+\.\d+|-?\d{4,}")
MAX_TITLE_TAIL = 6


def merge_wrapped_titles(rows: list[Row]) -> list[Row]:
    """Join a title wrapped over lines (`…培训费支出预` / `“ ”` / `算表`) into one text row.

    A text line that is no title joins the short text lines after it (at most two, each at most
    MAX_TITLE_TAIL characters) when together they name a table; everything else passes through.
    """
    out: list[Row] = []
    i = 0
    while i < len(rows):
        row = rows[i]
        joined = None
        if row.kind == "text" and not match_title(row.text):
            text = row.text
            for j in (i + 1, i + 2):
                nxt = rows[j] if j < len(rows) else None
                if nxt is None or nxt.kind != "text" or len(normalize(nxt.text)) > MAX_TITLE_TAIL:
                    break
                if match_title(nxt.text):
                    break  # a title on its own line (`8` / `公开 02表` / `收入预算总表`) joins nothing
                text = text + nxt.text
                if match_title(text):
                    joined = (Row((text,), "text", row.locator), j)
                    break
        if joined:
            out.append(joined[0])
            i = joined[1] + 1
        else:
            out.append(row)
            i += 1
    return out


def title_of(row: Row) -> tuple[str | None, str, str | None]:
    """(kind, title, header-block text after it) when the row is a table title, else (None, "", None).

    A title may share its cell with the header block (`收支预算总表部门：… 单位：万元` in the first
    ruled cell of js_2017_swbgt_tables); the block's text is returned for the header-block reader.
    """
    if len(row.filled) > 2:
        return None, "", None
    if kind := match_title(row.text):
        return kind, " ".join(row.text.split()), None
    if (m := _TITLE_WITH_BLOCK.match(row.text)) and (kind := match_title(m.group(1))):
        return kind, " ".join(m.group(1).split()), m.group(2)
    return None, "", None


def _is_line(row: Row) -> bool:
    """A line of text: a text row, or a table row holding one cell of words (a title printed inside
    the table's first ruled cell, as Jiangsu prints 收支预算总表 and its 部门：… line)."""
    if row.kind == "text":
        return bool(row.text)
    return len(row.filled) == 1 and not _AMOUNT.fullmatch(row.text.strip())


def find_tables(rows: list[Row]) -> tuple[list[RawTable], dict[str, Any]]:
    """The recognised tables, plus document-level facts seen outside tables (first text line)."""
    tables: list[RawTable] = []
    doc: dict[str, Any] = {"first_text": None, "info": HeaderInfo()}
    cur: RawTable | None = None
    last: RawTable | None = None
    for row in merge_wrapped_titles(rows):
        if doc["first_text"] is None and _is_line(row):
            doc["first_text"] = row.text
        kind, title, rest = title_of(row)
        if kind:
            last = None
            cur = RawTable(kind=kind, title=title, title_row=row)
            if rest:
                cur.merge_info(parse_header_row(Row((rest,), "text", row.locator)))
            tables.append(cur)
            continue
        if cur is None:
            if last is not None and row.kind == "text" and _NOTE.match(row.text) and last.notes:
                last.notes.append(row.text)  # a table's notes come in a run (`注：1…` / `注：2…`)
                continue
            last = None
            _merge_outside(doc["info"], row)
            continue
        if not _feed(cur, row):
            cur, last = None, cur
    return [t for t in tables if t.segments or t.notes], doc  # a title with nothing under it is a TOC line


def _feed(t: RawTable, row: Row) -> bool:
    """Add one row to the open table; False when the row ends it."""
    seg = t.segments[-1] if t.segments else None
    info = parse_header_row(row)
    if info.any():
        t.merge_info(info)
        if seg is not None and seg.data_rows:
            t.segments.append(Segment())  # a new page segment starts with its header block
        return True
    if row.kind == "text" and not _NOTE.match(row.text) and _next_sheet_row(t, row):
        row = Row(row.cells, "table", row.locator)  # a lone label in a sheet's table (`1、房屋（平方米）`)
    if row.kind == "text" and _PAGE_NUMBER.fullmatch(row.text.strip()):
        return True  # a page number between a table's page segments does not end the table
    if row.kind == "text":
        if _NOTE.match(row.text):
            t.notes.append(row.text)
            return False
        if t.data_rows:
            return False
        if t.segments and _EMPTY_NOTE.search(row.text):
            t.notes.append(row.text)  # `（无政府性基金支出）` under headers with no rows (js_2017_rdbgt p.15)
            return True
        t.text_before_rows += 1
        return t.text_before_rows <= MAX_TEXT_BEFORE_TABLE
    if seg is None:
        seg = Segment()
        t.segments.append(seg)
    first_headers = {_row_key(r) for r in t.header_rows}
    if seg.data_rows and _row_key(row) in first_headers:
        seg = Segment()  # headers repeated without a header block
        t.segments.append(seg)
    if not seg.closed_header:
        first = seg is t.segments[0]
        repeated = _row_key(row) in first_headers
        data_like = not is_column_number_row(row) and _looks_like_data(row, bool(seg.header_rows))
        if (not first and not repeated) or (first and data_like):
            seg.closed_header = True
        else:
            seg.header_rows.append(row)
            seg.closed_header = is_column_number_row(row)
            return True
    seg.data_rows.append(row)
    return True


def _next_sheet_row(t: RawTable, row: Row) -> bool:
    """True when a sheet row directly follows the table's last data row on the same sheet."""
    last = t.data_rows[-1].locator if t.data_rows else None
    loc = row.locator
    if not last or "sheet" not in loc:
        return False
    return last.get("sheet") == loc["sheet"] and last.get("row") == loc["row"] - 1


def _merge_outside(info: HeaderInfo, row: Row) -> None:
    """Header-block facts printed outside any standard table (a performance table's header block)."""
    found = parse_header_row(row)
    for name in ("unit_code", "department", "fiscal_year", "unit"):
        if getattr(info, name) is None and getattr(found, name) is not None:
            setattr(info, name, getattr(found, name))
