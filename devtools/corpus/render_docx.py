"""Render a seed (or variant) as DOCX the way a finance office writes one in Word: narrative and tables.

The 情况说明 paragraphs in order, each table under its title with the header block once, the two-row
header with real merged cells (gridSpan/vMerge), 栏次 and the logical rows; notes after the table.
The DOC rendering is this file converted by LibreOffice (see `office.py`).
"""

from __future__ import annotations

from functools import cache
from io import BytesIO

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from .grid import table_grid
from .render_pdf import clean_text
from .render_xlsx import FIXED_TIME, _deterministic_zip
from .seeds import SEEDS
from .seedtables import Paragraph, SeedTable
from .variants import Variant, load_document


def _add_table(doc: Document, table: SeedTable) -> None:
    if table.title:
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = para.add_run(clean_text(table.title))
        run.bold = True
        run.font.size = Pt(14)
    for line in table.header_block:
        doc.add_paragraph(clean_text(line))
    grid = table_grid(table)
    all_rows = grid.header + grid.rows
    if all_rows:
        out = doc.add_table(rows=len(all_rows), cols=grid.width)
        out.style = "Table Grid"
        for r, row in enumerate(all_rows):
            cells = out.rows[r].cells
            for c, text in enumerate(row):
                if text:
                    cells[c].text = text
        for s in grid.spans:
            out.cell(s.row, s.col).merge(out.cell(s.row + s.rowspan - 1, s.col + s.colspan - 1))
    for note in table.notes:
        doc.add_paragraph(clean_text(note))


@cache
def render_docx(seed_id: str, *, variant: Variant | None = None) -> bytes:
    """The seed as DOCX bytes; identical bytes on every call (fixed properties and zip times)."""
    info = SEEDS[seed_id]
    seed_doc = load_document(seed_id, variant)
    doc = Document()
    for block in seed_doc.blocks:
        if isinstance(block, Paragraph):
            text = clean_text(block.text)
            if text:
                doc.add_paragraph(text)
        else:
            _add_table(doc, block)
    department = variant.department if variant else info.department
    props = doc.core_properties
    props.author = props.last_modified_by = department
    props.title = f"{department}{variant.fiscal_year if variant else info.fiscal_year}年部门预算"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    buf = BytesIO()
    doc.save(buf)
    return _deterministic_zip(buf.getvalue())
