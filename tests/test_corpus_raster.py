"""The `pdf-raster` corpus rendering: a ruled PDF whose table pages are 200-dpi scans of themselves."""

from __future__ import annotations

import io

import pdfplumber
import pytest


def test_the_raster_rendering_scans_the_table_pages_and_keeps_the_rest() -> None:
    from govbudget.corpus.build import OPT_IN, RENDERINGS
    from govbudget.corpus.raster import rasterise, table_pages
    from govbudget.corpus.render_pdf import render_pdf

    assert "pdf-raster" in RENDERINGS and "pdf-raster" in OPT_IN  # OCR is slow: written when named
    data = render_pdf("002")
    tables = table_pages(data)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        texts = [i for i, page in enumerate(pdf.pages) if page.chars and i not in tables]
    assert tables and texts  # seed 002 has narrative pages and table pages
    scanned = rasterise(data, pages=tables[:1])
    with pdfplumber.open(io.BytesIO(data)) as before, pdfplumber.open(io.BytesIO(scanned)) as after:
        assert len(after.pages) == len(before.pages)
        page = after.pages[tables[0]]
        assert not page.chars and len(page.images) == 1  # a picture and no text layer: OCR's work
        assert (page.width, page.height) == pytest.approx((before.pages[tables[0]].width,
                                                          before.pages[tables[0]].height), abs=1)
        assert after.pages[texts[0]].extract_text() == before.pages[texts[0]].extract_text()
