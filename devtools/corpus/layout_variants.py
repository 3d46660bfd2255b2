"""The `pdf-layouts` rendering: the seed's tables laid out the way other provinces print them.

Real disclosures the seed layout never shows (tests/data/realdocs, Jiangsu):
- the title and the header block (`部门：…`, `单位：万元`) printed inside the table, as its first ruled
  rows spanning every column, not as text above it;
- the 收支总表 with three panels side by side (收入 | 支出 | 支出, no 序号), its subtotal and total rows
  at the bottom with the 支出 name in one cell merged across both 支出 panels and the amount in the last
  column;
- a table broken over pages in the middle of its rows, the next page going on with rows only (no
  title, no header block, no repeated header rows).
The amounts, names and sides are the seed's (the truth is unchanged); only where they stand differs.
Performance tables and narrative are rendered as `render_pdf` renders them.
"""

from __future__ import annotations

import re
from functools import cache
from io import BytesIO

from reportlab.lib import colors
from reportlab.platypus import Flowable, PageBreak, Table, TableStyle

from .layouts import layout_for
from .render_pdf import (
    _HEADING,
    BODY,
    CELL,
    CELL_HEAD,
    CELL_NUM,
    HEADING,
    MARGIN,
    PAGE,
    TITLE,
    _col_widths,
    _Document,
    _header_grid,
    _Mark,
    _para,
    _register_font,
    _table_story,
    clean_text,
)
from .seeds import SEEDS
from .seedtables import Paragraph as TextBlock
from .seedtables import SeedTable, norm, pad
from .variants import Variant, load_document

_AMOUNT = re.compile(r"^-?[\d,]+(\.\d+)?$")
_BOTTOM = re.compile(r"(合计|小计|总计)$")
MIN_ROWS_TO_BREAK = 6  # a table this long is broken over two pages in the middle of its rows
Grid = list[list[str]]


def _style(spans: list[tuple], head_rows: int, block_rows: int) -> TableStyle:
    return TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        *[("SPAN", (0, r), (-1, r)) for r in range(block_rows)],
        *spans,
    ])


def _cells(rows: Grid, head: int) -> list[list[object]]:
    """Paragraph cells: header rows centred, amounts right-aligned."""
    return [[_para(c, CELL_HEAD if r < head else CELL_NUM if _AMOUNT.match(c.strip()) and i else CELL)
             for i, c in enumerate(row)] for r, row in enumerate(rows)]


def _three_panels(table: SeedTable) -> tuple[Grid, list[tuple], Grid, list[tuple]] | None:
    """A 5-column 收支总表 (序号 | 收入 项目 预算数 | 支出 项目 预算数) as three panels, or None.

    Returns the header grid with its spans, then the body with its spans (the bottom 支出 names merged
    over both 支出 panels).
    """
    layout = layout_for(table)
    if table.kind != "income_expenditure_summary" or layout is None or layout.width != 5:
        return None
    rows = table.data_rows()
    cut = next((n for n, r in enumerate(rows) if _BOTTOM.search(norm(r[1])) or _BOTTOM.search(norm(r[3]))),
               len(rows))
    income = [r[1:3] for r in rows[:cut] if r[1].strip()]
    spending = [r[3:5] for r in rows[:cut] if r[3].strip()]
    half = (len(spending) + 1) // 2
    left, right = spending[:half], spending[half:]
    body: Grid = []
    for n in range(max(len(income), len(left), len(right))):
        row: list[str] = []
        for panel in (income, left, right):
            row += panel[n] if n < len(panel) else ["", ""]
        body.append(row)
    spans: list[tuple] = []
    for r in rows[cut:]:
        spans.append(("SPAN", (2, len(body)), (4, len(body))))
        body.append([r[1], r[2], r[3], "", "", r[4]])
    head = [["收入", "", "支出", "", "", ""], ["项目", "预算数", "功能分类", "", "支出用途", ""],
            ["", "", "项目", "预算数", "项目", "预算数"]]
    head_spans = [("SPAN", (0, 0), (1, 0)), ("SPAN", (2, 0), (5, 0)), ("SPAN", (2, 1), (3, 1)),
                  ("SPAN", (4, 1), (5, 1)), ("SPAN", (0, 1), (0, 2)), ("SPAN", (1, 1), (1, 2))]
    return head, head_spans, body, spans


def _grids(table: SeedTable) -> tuple[Grid, list[tuple], Grid, list[tuple]]:
    """(header rows, their spans, data rows, their spans) of a standard table."""
    panels = _three_panels(table)
    if panels is not None:
        return panels
    head, spans = _header_grid(table, table.segments[0])
    width = table.width or 1
    return head, spans, [pad(r, width)[:width] for r in table.data_rows()], []


def _shift(spans: list[tuple], rows: int) -> list[tuple]:
    return [(s[0], (s[1][0], s[1][1] + rows), (s[2][0], s[2][1] + rows)) for s in spans]


def _in_cell_story(table: SeedTable, first_on_page: bool, index: int) -> list[Flowable]:
    """A standard table with its title and header block in its first rows, broken mid-rows."""
    head, head_spans, body, body_spans = _grids(table)
    width = len(head[0]) if head else len(body[0])
    block = [[t] + [""] * (width - 1) for t in [table.title or "", *table.header_block] if t]
    avail = PAGE[0] - 2 * MARGIN
    spanned = {(s[1][1], s[1][0]) for s in head_spans}
    measured = [["" if (r, c) in spanned else t for c, t in enumerate(row)] for r, row in enumerate(head)]
    widths = _col_widths(measured + body, width, avail, fill=True)
    cut = len(body) // 2 if len(body) >= MIN_ROWS_TO_BREAK else len(body)
    first_spans = _shift(head_spans, len(block)) + _shift(
        [s for s in body_spans if s[1][1] < cut], len(block) + len(head))
    rest_spans = _shift([s for s in body_spans if s[1][1] >= cut], -cut)
    story: list[Flowable] = [] if first_on_page else [PageBreak()]
    story.append(_Mark((index, "start")))
    first = block + head + body[:cut]
    story.append(Table(_cells(first, len(block) + len(head)), colWidths=widths,
                       style=_style(first_spans, len(block) + len(head), len(block))))
    if body[cut:]:
        story.append(PageBreak())
        story.append(Table(_cells(body[cut:], 0), colWidths=widths, style=_style(rest_spans, 0, 0)))
    story += [_para(note, BODY) for note in table.notes]
    story.append(_Mark((index, "end")))
    return story


def _standard(table: SeedTable) -> bool:
    return (layout_for(table) is not None or bool(table.header_block)) and bool(table.data_rows())


def _story(seed_id: str, variant: Variant | None) -> list[Flowable]:
    doc = load_document(seed_id, variant)
    story: list[Flowable] = []
    tables = 0
    for n, block in enumerate(doc.blocks):
        if isinstance(block, TextBlock):
            text = clean_text(block.text)
            if text:
                style = TITLE if n == 0 else HEADING if _HEADING.match(text) else BODY
                story.append(_para(text, style))
        elif _standard(block):
            story += _in_cell_story(block, first_on_page=not story, index=tables)
            tables += 1
        else:
            story += _table_story(block, first_on_page=not story, index=tables)
            tables += 1
    return story


def render_pdf_layouts(seed_id: str, *, variant: Variant | None = None) -> bytes:
    """The seed as a PDF in the other provinces' layouts; identical bytes on every call."""
    return _render(seed_id, variant)


@cache
def _render(seed_id: str, variant: Variant | None) -> bytes:
    _register_font()
    info = SEEDS[seed_id]
    department = variant.department if variant else info.department
    year = variant.fiscal_year if variant else info.fiscal_year
    buf = BytesIO()
    pdf = _Document(
        buf, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN,
        invariant=1, title=f"{department}{year}年部门预算", author=department, subject="部门预算公开",
        creator="govbudget.corpus", producer="govbudget.corpus",
    )
    pdf.build(_story(seed_id, variant))
    return buf.getvalue()
