"""Render a seed (or a variant of it) as a PDF laid out like the real disclosure.

What a PDF parser has to survive is reproduced: ruled tables, merged two-row headers, the title printed
once, the header block and header rows repeated on every page segment with page breaks exactly where the
seed has them (so `医疗保障管理` / `事务` is split across pages), and the 情况说明 as running text.
The font is reportlab's built-in CID font STSong-Light, which pdfplumber extracts as proper Chinese.
"""

from __future__ import annotations

import re
from functools import cache
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .layouts import header_cells, layout_for
from .seeds import SEEDS
from .seedtables import Paragraph as TextBlock
from .seedtables import SeedTable, Segment, norm, pad
from .variants import Variant, load_document

FONT = "STSong-Light"
PAGE = landscape(A4)
MARGIN = 12 * mm
_AMOUNT = re.compile(r"^-?[\d,]+(\.\d+)?$")
_HEADING = re.compile(r"^([一二三四五六七八九十]+、|第.部分|（[一二三四五六七八九十]+）)\S{0,28}$")


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _style(name: str, size: float, align: int = TA_LEFT, space: float = 2) -> ParagraphStyle:
    return ParagraphStyle(
        name, fontName=FONT, fontSize=size, leading=size * 1.25, alignment=align,
        wordWrap="CJK", spaceAfter=space,
    )


BODY = _style("body", 10, space=4)
HEADING = _style("heading", 12, space=6)
TITLE = _style("title", 15, TA_CENTER, space=8)
BLOCK = _style("block", 9, space=1)
CELL = _style("cell", 7.5, space=0)
CELL_NUM = _style("cellnum", 7.5, TA_RIGHT, space=0)
CELL_HEAD = _style("cellhead", 7.5, TA_CENTER, space=0)


def clean_text(text: str) -> str:
    """Drop conversion artifacts a real PDF would not show: Markdown bold, bullets, HTML, bookmarks."""
    text = re.sub(r"\[bookmark:[^\]]*\]", "", text)
    text = text.replace("**", "")
    text = re.sub(r"^- ", "", text)
    text = re.sub(r"</p>\s*", "\n", text)
    return re.sub(r"</?(p|b|br|strong)\s*/?>", "", text).strip()


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(clean_text(text)).replace("\n", "<br/>"), style)


def _col_widths(rows: list[list[str]], width: int, avail: float, fill: bool) -> list[float]:
    """Widths from the longest unwrapped cell per column, capped; standard tables span the page."""
    natural = [24.0] * width
    for row in rows:
        for i, cell in enumerate(row[:width]):
            longest = max((pdfmetrics.stringWidth(p, FONT, 7.5) for p in cell.split("\n")), default=0)
            natural[i] = max(natural[i], min(longest + 6, 190))
    total = sum(natural)
    return [w * avail / total for w in natural] if fill or total > avail else natural


def _header_grid(table: SeedTable, seg: Segment) -> tuple[list[list[str]], list[tuple]]:
    """Header rows of a segment with SPAN commands from the layout template where one applies."""
    width = table.width
    layout = layout_for(table)
    lanci = [pad(r, width) for r in seg.header_rows if r and norm(r[0]) == "栏次"]
    if layout is None:
        return [pad(r, width) for r in seg.header_rows], []
    cells = header_cells(table, layout)
    nrows = max(c.row + c.rowspan for c in cells)
    grid = [[""] * width for _ in range(nrows)]
    spans: list[tuple] = []
    for c in cells:
        grid[c.row][c.col] = c.label
        if c.rowspan > 1 or c.colspan > 1:
            spans.append(("SPAN", (c.col, c.row), (c.col + c.colspan - 1, c.row + c.rowspan - 1)))
    return grid + lanci, spans


def _table(table: SeedTable, seg: Segment) -> Table:
    width = table.width or 1
    head, spans = _header_grid(table, seg)
    body = [pad(r, width)[:width] for r in seg.rows]
    avail = PAGE[0] - 2 * MARGIN
    spanned = {(s[1][1], s[1][0]) for s in spans}
    measured = [["" if (r, c) in spanned else t for c, t in enumerate(row)] for r, row in enumerate(head)]
    widths = _col_widths(measured + body, width, avail, fill=layout_for(table) is not None)
    data = [[_para(c, CELL_HEAD) for c in row] for row in head]
    data += [[_para(c, CELL_NUM if _AMOUNT.match(c.strip()) and i > 1 else CELL) for i, c in enumerate(row)]
             for row in body]
    if not data:
        data = [[""] * width]
    style = TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        *spans,
    ])
    return Table(data, colWidths=widths, style=style, repeatRows=len(head))


class _Mark(Flowable):
    """Invisible marker: the document records the page it lands on (table locators)."""

    def __init__(self, key: tuple[int, str]) -> None:
        super().__init__()
        self.key = key

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return (0, 0)

    def draw(self) -> None:
        return None


class _Document(SimpleDocTemplate):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.marks: dict[tuple[int, str], int] = {}

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, _Mark):
            self.marks[flowable.key] = self.page


def _table_story(table: SeedTable, first_on_page: bool, index: int) -> list[Flowable]:
    story: list[Flowable] = []
    standard = layout_for(table) is not None or bool(table.header_block)
    if standard and not first_on_page:
        story.append(PageBreak())
    story.append(_Mark((index, "start")))
    for k, seg in enumerate(table.segments):
        if k > 0 and seg.header_block:
            story.append(PageBreak())
        if k == 0 and table.title:
            story.append(_para(table.title, TITLE if standard else HEADING))
        story += [_para(line, BLOCK) for line in seg.header_block]
        if seg.header_block:
            story.append(Spacer(1, 3))
        if seg.header_rows or seg.rows:
            story.append(_table(table, seg))
    story += [_para(note, BLOCK) for note in table.notes]
    story.append(_Mark((index, "end")))
    if not standard:  # a standard table is followed by a page break; a spacer could spill onto a blank page
        story.append(Spacer(1, 8))
    return story


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
        else:
            story += _table_story(block, first_on_page=not story, index=tables)
            tables += 1
    return story


def render_pdf(seed_id: str, *, variant: Variant | None = None) -> bytes:
    """The seed as PDF bytes; identical bytes on every call (invariant mode, fixed metadata)."""
    return _render(seed_id, variant)[0]


def pdf_table_pages(seed_id: str, *, variant: Variant | None = None) -> list[tuple[int, int]]:
    """(first page, last page), 1-based, of each table of the document, in document order."""
    return _render(seed_id, variant)[1]


@cache
def _render(seed_id: str, variant: Variant | None) -> tuple[bytes, list[tuple[int, int]]]:
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
    count = len(load_document(seed_id, variant).tables)
    pages = [(pdf.marks[(i, "start")], pdf.marks[(i, "end")]) for i in range(count)]
    return buf.getvalue(), pages
