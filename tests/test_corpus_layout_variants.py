"""The `pdf-layouts` rendering prints the seed in the layouts of other provinces, with the same records.

It must really show the layouts it claims (title and header block as the table's first ruled rows,
a 收支总表 in three panels with its totals merged across the 支出 panels, tables broken mid-rows with
no header on the next page). That the parser reads its truth is eval-parse's to measure (a rendering
of the corpus); here only the layout is checked, on the reader's rows.
"""

from __future__ import annotations

import io

import pypdfium2
import pytest

from govbudget.corpus.layout_variants import render_pdf_layouts
from govbudget.parsers.grid import Row
from govbudget.parsers.readers.pdf import read_pdf

SEED = "002"
PAGES = 4


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    """The reader's rows of the rendering's first pages (the 收支总表 and the start of the next table)."""
    whole = pypdfium2.PdfDocument(render_pdf_layouts(SEED))
    first = pypdfium2.PdfDocument.new()
    first.import_pages(whole, list(range(min(PAGES, len(whole)))))
    buf = io.BytesIO()
    first.save(buf)
    return read_pdf(buf.getvalue()).rows


def test_titles_and_header_blocks_are_the_tables_first_rows(rows: list[Row]) -> None:
    first = next(n for n, r in enumerate(rows) if "收支总表" in r.text and r.kind == "table")
    assert [r.kind for r in rows[first:first + 4]] == ["table"] * 4
    assert rows[first + 3].cells[0] == "单位：万元"


def test_the_summary_has_three_panels_and_merged_totals(rows: list[Row]) -> None:
    cells = [r.cells for r in rows if r.kind == "table"]
    assert ("收入", "", "支出", "", "", "") in cells
    totals = [r for r in cells if r[:1] == ("本年收入合计",)]
    assert totals and totals[0][3:5] == ("", "") and totals[0][2] == "本年支出合计" and totals[0][5]


def test_a_page_goes_on_with_rows_only(rows: list[Row]) -> None:
    starts = [r for n, r in enumerate(rows) if r.kind == "table" and r.locator["row"] == 1
              and n and rows[n - 1].kind == "table" and rows[n - 1].locator["page"] != r.locator["page"]]
    assert starts  # a page whose first row continues the previous page's table, no title or header
