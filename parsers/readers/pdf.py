"""Read a PDF into the row stream: ruled tables via pdfplumber, everything else as text lines.

pdfplumber's `extract_tables` got every cell of a seed-rendered budget table right (stack_facts.md),
wrapped names included; the text lines outside the tables carry the titles and header blocks
(`207 邯郸市医疗保障局` / `预算年度：2022` / `单位：万元`) that tell one table from the next.
"""

from __future__ import annotations

import io

import pdfplumber
import pypdfium2

from govbudget.parsers.grid import ReadDocument, Row
from govbudget.parsers.outcome import raise_if_out_of_memory
from govbudget.parsers.readers.pdf_cells import logical_rows, visible

MAX_PAGES = 2000


class PdfReadError(ValueError):
    """The PDF cannot be read (encrypted, broken, empty); the message is the reason."""


def pdf_page_count(data: bytes) -> int:
    """Page count via pdfium, which is fast and strict: a broken file raises PdfReadError here."""
    try:
        doc = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        msg = str(exc)
        if "password" in msg.lower():
            raise PdfReadError("pdf is encrypted (password required)") from exc
        raise PdfReadError(f"pdf cannot be opened: {msg}") from exc
    try:
        return len(doc)
    finally:
        doc.close()


def read_pdf(data: bytes) -> ReadDocument:
    """All pages in reading order; each page's rows sorted top to bottom."""
    pages = pdf_page_count(data)
    if pages == 0:
        raise PdfReadError("pdf has no pages")
    rows: list[Row] = []
    warnings: list[str] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages[:MAX_PAGES], start=1):
            try:
                if not page.chars and page.images:  # a scanned page: no text layer, only pictures
                    rows.extend(_ocr_page(data, number))
                else:
                    rows.extend(_page_rows(visible(page), number))
            except Exception as exc:  # one bad page must not lose the others
                raise_if_out_of_memory(exc)
                warnings.append(f"page {number}: {type(exc).__name__}: {exc}")
            finally:
                page.close()
    if pages > MAX_PAGES:
        warnings.append(f"only the first {MAX_PAGES} of {pages} pages were read")
    return ReadDocument(rows=rows, pages=pages, warnings=warnings)


def _ocr_page(data: bytes, number: int) -> list[Row]:
    """Render one page with pdfium at 200 dpi and read it with OCR."""
    from govbudget.parsers.readers.image import ocr_rows

    doc = pypdfium2.PdfDocument(data)
    try:
        image = doc[number - 1].render(scale=200 / 72).to_pil()
    finally:
        doc.close()
    return ocr_rows(image, number)


def _page_rows(page: pdfplumber.page.Page, number: int) -> list[Row]:
    """Merge the page's table rows and free text lines, ordered by their top coordinate."""
    placed: list[tuple[float, int, Row]] = []
    boxes = []
    table_row_no = 0
    for table in page.find_tables():
        boxes.append(table.bbox)
        for top, texts in logical_rows(table):  # double rules' thin strips folded away (pdf_cells.py)
            table_row_no += 1
            placed.append((top, 1, Row(texts, "table", {"page": number, "row": table_row_no})))
    line_no = 0
    for line in page.extract_text_lines(return_chars=False):
        mid_y = (line["top"] + line["bottom"]) / 2
        mid_x = (line["x0"] + line["x1"]) / 2
        if any(x0 <= mid_x <= x1 and top <= mid_y <= bottom for x0, top, x1, bottom in boxes):
            continue
        text = " ".join(line["text"].split())
        if text:
            line_no += 1
            placed.append((line["top"], 0, Row((text,), "text", {"page": number, "line": line_no})))
    placed.sort(key=lambda t: (t[0], t[1]))
    return [r for _, _, r in placed]
