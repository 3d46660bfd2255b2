"""Read a PDF into the row stream: ruled tables via pdfplumber, everything else as text lines.

pdfplumber's `extract_tables` got every cell of a seed-rendered budget table right (stack_facts.md),
wrapped names included; the text lines outside the tables carry the titles and header blocks
(`207 邯郸市医疗保障局` / `预算年度：2022` / `单位：万元`) that tell one table from the next.

A table continued on the next page is often ruled differently there (js_2017_rdbgt pp.7-9: eight
columns with two blank gutters on the first page, six on the next, and on the third the grid is shared
with the next table, whose rules add columns of their own). When a page starts with a grid and no title
above it, and that grid stands where the previous page's last table stood, its cells are put on the
previous table's columns by their left edges (continuation.py), so the table keeps one column map.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pdfplumber
import pypdfium2

from govbudget.parsers.grid import ReadDocument, Row
from govbudget.parsers.outcome import raise_if_out_of_memory
from govbudget.parsers.readers.continuation import Carry, continue_grid, place_words
from govbudget.parsers.readers.pdf_cells import table_grid, visible

MAX_PAGES = 2000
_AMOUNT = re.compile(r"(?<![\d.])-?\d{1,3}(,\d{3})*\.\d+(?![\d.])|(?<![\d.])\d+\.\d{2}(?![\d.])")


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
    carry: Carry | None = None
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages[:MAX_PAGES], start=1):
            try:
                if not page.chars and page.images:  # a scanned page: no text layer, only pictures
                    rows.extend(_ocr_page(data, number))
                    carry = None
                else:
                    page_rows, carry = _page_rows(visible(page), number, carry)
                    rows.extend(page_rows)
            except Exception as exc:  # one bad page must not lose the others
                raise_if_out_of_memory(exc)
                warnings.append(f"page {number}: {type(exc).__name__}: {exc}")
                carry = None
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


def _page_rows(
    page: pdfplumber.page.Page, number: int, carry: Carry | None = None
) -> tuple[list[Row], Carry | None]:
    """Merge the page's table rows and free text lines, ordered by their top coordinate.

    Also returns where the page's last table stands (its columns' left edges) for the next page.
    """
    placed: list[tuple[float, int, Row]] = []
    boxes = []
    table_row_no = 0
    tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
    lines = page.extract_text_lines(return_chars=False)
    taken: list[tuple[dict[str, Any], tuple[str, ...]]] = []  # lines above a continued grid, as rows
    for k, table in enumerate(tables):
        boxes.append(table.bbox)
        grid = table_grid(table)  # double rules' thin strips folded away (pdf_cells.py)
        carried = None
        if k == 0:
            above = [ln["text"] for ln in lines if ln["bottom"] <= table.bbox[1]]
            grid, carried, on = continue_grid(grid, table.bbox, carry, above)
            if on is not None:
                taken = _rows_above(page, lines, table.bbox[1], on)
                for line, texts in taken:
                    table_row_no += 1
                    row = Row(texts, "table", {"page": number, "row": table_row_no})
                    placed.append((line["top"], 1, row))
        for top, texts in grid.rows:
            table_row_no += 1
            placed.append((top, 1, Row(texts, "table", {"page": number, "row": table_row_no})))
        carry = carried if carried is not None else Carry(table.bbox[0], grid.starts)
    line_no = 0
    below = tables[-1].bbox[3] if tables else None
    for line in lines:
        if below is not None and line["top"] >= below and carry is not None:
            carry = carry.after_text(line["text"])  # a title under the last table: the next page is new
        if any(line is t for t, _ in taken):
            continue
        mid_y = (line["top"] + line["bottom"]) / 2
        mid_x = (line["x0"] + line["x1"]) / 2
        if any(x0 <= mid_x <= x1 and top <= mid_y <= bottom for x0, top, x1, bottom in boxes):
            continue
        text = " ".join(line["text"].split())
        if text:
            line_no += 1
            placed.append((line["top"], 0, Row((text,), "text", {"page": number, "line": line_no})))
    placed.sort(key=lambda t: (t[0], t[1]))
    return [r for _, _, r in placed], carry if tables else None


def _rows_above(
    page: pdfplumber.page.Page, lines: list[dict[str, Any]], grid_top: float, starts: list[float]
) -> list[tuple[dict[str, Any], tuple[str, ...]]]:
    """Lines printed just above a continued grid's first rule that hold an amount: rows of the table.

    Only the lines right over the grid count (each within one line's height of the next), so a page
    header or a running title further up stays text.
    """
    out: list[tuple[dict[str, Any], tuple[str, ...]]] = []
    edge = grid_top
    for line in sorted((ln for ln in lines if ln["bottom"] <= grid_top + 1), key=lambda ln: -ln["top"]):
        height = line["bottom"] - line["top"]
        if edge - line["bottom"] > height or not _AMOUNT.search(line["text"]):
            break
        band = page.crop((page.bbox[0], line["top"] - 0.5, page.bbox[2], line["bottom"] + 0.5))
        words = [(w["x0"], w["text"]) for w in band.extract_words()]
        out.insert(0, (line, place_words(words, starts)))
        edge = line["top"]
    return out
