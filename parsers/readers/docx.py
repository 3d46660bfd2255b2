"""Read a DOCX into the row stream: paragraphs as text lines, tables as grid rows, in body order.

python-docx repeats a merged cell's text in every grid column (gridSpan) and row (vMerge) it covers;
a number repeated that way would be counted twice, so a repeat of the same underlying cell is blanked
and only its first grid position keeps the text (the printed layout).
"""

from __future__ import annotations

import io

from govbudget.parsers.grid import ReadDocument, Row, join_wrapped
from govbudget.parsers.readers.ooxml_limits import check_declared_size

MAX_UNCOMPRESSED = 256 * 1024 * 1024
MAX_ROWS = 200_000


class DocxReadError(ValueError):
    """The document cannot be read; the message is the reason."""


def read_docx(data: bytes) -> ReadDocument:
    """All paragraphs and table rows in the order the body holds them."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    check_declared_size(data, kind="docx", limit=MAX_UNCOMPRESSED, error=DocxReadError)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise DocxReadError(f"docx cannot be opened: {type(exc).__name__}: {exc}") from exc
    rows: list[Row] = []
    para_no = table_no = 0
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = " ".join(block.text.split())
            if text:
                para_no += 1
                rows.append(Row((text,), "text", {"paragraph": para_no}))
        elif isinstance(block, Table):
            table_no += 1
            rows.extend(_table_rows(block, table_no))
        if len(rows) > MAX_ROWS:
            raise DocxReadError(f"docx has more than {MAX_ROWS} rows")
    title = (document.core_properties.title or "").strip() or None
    return ReadDocument(rows=rows, pages=max(1, table_no), title=title)


def _table_rows(table: object, number: int) -> list[Row]:
    out: list[Row] = []
    above: list[object] = []
    for r, row in enumerate(table.rows, start=1):  # type: ignore[attr-defined]
        tcs = [c._tc for c in row.cells]
        texts = []
        for i, cell in enumerate(row.cells):
            repeat = (i > 0 and tcs[i] is tcs[i - 1]) or (i < len(above) and above[i] is tcs[i])
            texts.append("" if repeat else join_wrapped(cell.text))
        above = tcs
        while texts and not texts[-1]:
            texts.pop()
        if texts:
            out.append(Row(tuple(texts), "table", {"table": number, "row": r}))
    return out


