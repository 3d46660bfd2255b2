"""The `pdf-raster` rendering: the ruled PDF with each table page replaced by a 200-dpi scan of itself.

Some portals publish the tables as scans (a printed, stamped copy run through a scanner) while the
narrative stays text, or the whole file as pictures. A page with a ruled table here becomes a greyscale
picture with no text layer, so the parser must OCR it and still find the same tables and line items;
the other pages stay as they were. The truth is the ruled PDF's: only how the tables reach the parser
differs. OCR is slow (seconds a page), so this rendering is not part of the default corpus: ask for it
with `govbudget corpus write --rendering pdf-raster`.
"""

from __future__ import annotations

import io
from functools import cache

from .render_pdf import render_pdf
from .variants import Variant

DPI = 200


def table_pages(data: bytes) -> list[int]:
    """0-based indexes of the pages on which pdfplumber finds a ruled table."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [i for i, page in enumerate(pdf.pages) if page.find_tables()]


def page_image(data: bytes, index: int, dpi: int = DPI) -> object:
    """One page of a PDF rendered as a greyscale PIL image, as a scanner at `dpi` would give it."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        return pdf[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        pdf.close()


def page_png(data: bytes, index: int, dpi: int = DPI) -> bytes:
    """One page as a PNG that states its resolution (what a portal's `.png` attachment is)."""
    buf = io.BytesIO()
    page_image(data, index, dpi).save(buf, format="PNG", dpi=(dpi, dpi))  # type: ignore[attr-defined]
    return buf.getvalue()


def rasterise(data: bytes, pages: list[int] | None = None, dpi: int = DPI) -> bytes:
    """The PDF with the given pages (default: the table pages) replaced by image-only pages."""
    import pypdfium2

    wanted = set(table_pages(data) if pages is None else pages)
    src = pypdfium2.PdfDocument(data)
    out = pypdfium2.PdfDocument.new()
    try:
        for index in range(len(src)):
            if index not in wanted:
                out.import_pages(src, [index])
                continue
            buf = io.BytesIO()
            page_image(data, index, dpi).save(buf, format="PDF", resolution=dpi)  # type: ignore[attr-defined]
            scan = pypdfium2.PdfDocument(buf.getvalue())
            try:
                out.import_pages(scan)
            finally:
                scan.close()
        result = io.BytesIO()
        out.save(result)
        return result.getvalue()
    finally:
        out.close()
        src.close()


@cache
def render_pdf_raster(seed_id: str, *, variant: Variant | None = None) -> bytes:
    """The seed's ruled PDF (`render_pdf`) with its table pages scanned."""
    return rasterise(render_pdf(seed_id, variant=variant))
