"""Showing an archived original in the browser without trusting it.

Archived files are untrusted: an HTML page may carry scripts, a PDF may exploit a viewer. The raw bytes
are served only with a sandboxing Content-Security-Policy and `nosniff`; what the dashboard shows
inline is a rendering made here: PDF pages as PNG images (pypdfium2) and spreadsheet sheets as plain
cell grids (python-calamine), so the original can be read beside its parsed tables in any browser.
"""

from __future__ import annotations

import io
import re
import threading
from typing import Any

SHA256 = re.compile(r"[0-9a-f]{64}")
# PDFium is not thread-safe and FastAPI runs sync routes on a thread pool: one call at a time.
_PDFIUM = threading.Lock()
MAX_PAGES = 60
MAX_SHEET_ROWS = 300
MAX_SHEET_COLS = 30
# Served raw bytes may not run scripts, load plugins or be re-interpreted as another type.
RAW_HEADERS = {
    "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
}


def pdf_page_count(data: bytes) -> int:
    import pypdfium2 as pdfium

    with _PDFIUM:
        pdf = pdfium.PdfDocument(data)
        try:
            return len(pdf)
        finally:
            pdf.close()


def pdf_page_png(data: bytes, page_number: int, scale: float = 1.4) -> bytes:
    """Page `page_number` (1-based) of a PDF as PNG bytes; IndexError when there is no such page."""
    import pypdfium2 as pdfium

    with _PDFIUM:
        pdf = pdfium.PdfDocument(data)
        try:
            if not 1 <= page_number <= min(len(pdf), MAX_PAGES):
                raise IndexError(page_number)
            image = pdf[page_number - 1].render(scale=scale).to_pil()
        finally:
            pdf.close()
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def sheet_grids(data: bytes) -> list[dict[str, Any]]:
    """Each sheet of a workbook as `{"name", "rows"}` with cells as display text (capped in size)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = []
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)[:MAX_SHEET_ROWS]
        sheets.append({
            "name": name,
            "rows": [[_cell(v) for v in row[:MAX_SHEET_COLS]] for row in rows],
        })
    return sheets


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)
