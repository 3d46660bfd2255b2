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


def pdf_row_band(data: bytes, page_number: int, row: int) -> dict[str, float] | None:
    """Where table row `row` of page `page_number` is printed, as fractions of the page (`top`,
    `bottom`, `left`, `right`); None when the page has no such row.

    The rows are found and numbered as the PDF reader numbers them (`parsers.readers.pdf`: the page's
    visible part, its pdfplumber tables in order, each table's logical rows), so a line item's locator
    (`{"page": 7, "row": 12}`) points at the same band the parser read. A page the reader read by OCR has
    no table rows here, and a row read by a different parser version may be numbered differently.
    """
    import pdfplumber

    from govbudget.parsers.readers.pdf_cells import logical_rows, visible

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        if not 1 <= page_number <= min(len(pdf.pages), MAX_PAGES):
            return None
        page = pdf.pages[page_number - 1]
        try:
            shown = visible(page)
            number = 0
            for table in shown.find_tables():
                x0, _, x1, table_bottom = table.bbox
                tops = [top for top, _ in logical_rows(table)]
                for i, top in enumerate(tops):
                    number += 1
                    if number == row:
                        bottom = tops[i + 1] if i + 1 < len(tops) else table_bottom
                        return {
                            "top": top / page.height, "bottom": bottom / page.height,
                            "left": x0 / page.width, "right": x1 / page.width,
                        }
        finally:
            page.close()
    return None


_FILENAME_STAR = re.compile(r"filename\*\s*=\s*([\w-]+)'[^']*'([^;]+)", re.IGNORECASE)
_FILENAME = re.compile(r'filename\s*=\s*("([^"]*)"|[^;]+)', re.IGNORECASE)


# Server scripts that hand files out: their name in a URL is no file name (`DownLoad.aspx?fid=2`).
_SCRIPT_SUFFIXES = (".aspx", ".asp", ".jsp", ".do", ".php", ".action", ".cgi", ".html", ".htm", ".shtml")


def original_name(url: str | None, headers: dict[str, Any] | None, fmt: str | None, sha256: str,
                  title: str | None = None) -> str:
    """The archived file's own name, first found of: the server's Content-Disposition name (unless it
    came garbled), a ZIP/RAR member's name (after `#` in its capture URL), the last part of the URL
    path when it is no download script, the link's title, the digest; with the format's extension
    when it has none."""
    from urllib.parse import unquote, urlsplit

    name = _disposition_name(headers)
    if not name and url:
        parts = urlsplit(url)
        name = unquote(parts.fragment)
        if not name:
            last = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
            name = "" if last.lower().endswith(_SCRIPT_SUFFIXES) or "." not in last else last
    name = name or (title or "")
    name = re.sub(r'[\x00-\x1f"\\]', "", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    if not name:
        name = sha256
    if fmt and not name.lower().endswith(f".{fmt.lower()}") and "." not in name[-6:]:
        name = f"{name}.{fmt}"
    return name


def _disposition_name(headers: dict[str, Any] | None) -> str:
    """The file name a stored Content-Disposition header gives; "" when none or garbled."""
    from urllib.parse import unquote

    value = next((str(v) for k, v in (headers or {}).items() if k.lower() == "content-disposition"), "")
    if star := _FILENAME_STAR.search(value):
        try:
            return unquote(star.group(2).strip().strip('"'), encoding=star.group(1), errors="strict")
        except (LookupError, UnicodeDecodeError):
            pass
    plain = _FILENAME.search(value)
    if not plain:
        return ""
    name = (plain.group(2) if plain.group(2) is not None else plain.group(1)).strip()
    if not name.isascii():
        try:  # raw GBK or UTF-8 bytes the header was read as Latin-1
            raw = name.encode("latin-1")
        except UnicodeEncodeError:
            return "" if "\ufffd" in name else name  # bytes already lost in decoding
        for encoding in ("utf-8", "gb18030"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        return ""
    return name


def content_disposition(name: str, disposition: str = "attachment") -> str:
    """A Content-Disposition value naming `name` for every browser (RFC 6266 / RFC 5987): an ASCII
    fallback in `filename` and the UTF-8 name in `filename*`."""
    from urllib.parse import quote

    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\%' else "_" for c in name)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
