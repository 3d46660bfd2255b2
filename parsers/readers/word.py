"""Word 97 and WPS documents: LibreOffice to DOCX, with antiword as the fallback.

LibreOffice 7.4 drops every table of a Word 97 file that ends with a table (no paragraph after
it, as LibreOffice itself writes such files): the cells come back as one run-on paragraph. When
antiword reads more tables than LibreOffice did, antiword's reading is the better one, and the
warning says which reading was kept.
"""

from __future__ import annotations

from govbudget.parsers.grid import ReadDocument
from govbudget.parsers.readers.convert import ConversionError, antiword_rows, convert
from govbudget.parsers.readers.docx import read_docx


def read_word(data: bytes, fmt: str) -> ReadDocument:
    """The row stream of a DOC or WPS file, from whichever converter read more of its tables."""
    try:
        doc = read_docx(convert(data, fmt))
    except ConversionError as exc:
        doc = antiword_rows(data)
        doc.warnings.insert(0, str(exc))
        return doc
    try:
        fallback = antiword_rows(data)
    except ConversionError:
        return doc
    if _table_count(fallback) > _table_count(doc):
        fallback.warnings.insert(0, f"LibreOffice read {_table_count(doc)} of the {_table_count(fallback)} "
                                    "tables antiword found; read with antiword")
        fallback.title = fallback.title or doc.title
        return fallback
    return doc


def _table_count(doc: ReadDocument) -> int:
    return len({r.locator.get("table") for r in doc.rows if r.kind == "table"})
