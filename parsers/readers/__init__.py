"""Readers: one interface from a file's bytes to the document of grids every table finder reads.

`read(data, fmt)` returns a `ReadDocument` (rows of printed cells with their locators) whatever the
format. A new format plugs in by adding a module here and one line to `READERS`; table recognition,
checks and exports never learn which reader produced the rows. Readers import their libraries
lazily, so parsing a spreadsheet never loads pdfplumber.
"""

from __future__ import annotations

from collections.abc import Callable

from govbudget.parsers.grid import ReadDocument


def _pdf(data: bytes) -> ReadDocument:
    from govbudget.parsers.readers.pdf import read_pdf

    return read_pdf(data)


def _docx(data: bytes) -> ReadDocument:
    from govbudget.parsers.readers.docx import read_docx

    return read_docx(data)


def _html(data: bytes) -> ReadDocument:
    from govbudget.parsers.readers.html import read_html

    return read_html(data)


def _image(data: bytes) -> ReadDocument:
    from govbudget.parsers.readers.image import read_image

    return read_image(data)


def _word(fmt: str) -> Callable[[bytes], ReadDocument]:
    def read(data: bytes) -> ReadDocument:
        from govbudget.parsers.readers.word import read_word

        return read_word(data, fmt)

    return read


def _sheet(fmt: str) -> Callable[[bytes], ReadDocument]:
    def read(data: bytes) -> ReadDocument:
        from govbudget.parsers.readers.sheet import read_sheets

        if fmt == "et":  # WPS spreadsheets: LibreOffice writes them as XLSX first
            from govbudget.parsers.readers.convert import convert

            return read_sheets(convert(data, "et"), "xlsx")
        return read_sheets(data, fmt)

    return read


READERS: dict[str, Callable[[bytes], ReadDocument]] = {
    "pdf": _pdf,
    "docx": _docx,
    "doc": _word("doc"),
    "wps": _word("wps"),
    "html": _html,
    "image": _image,
    "xlsx": _sheet("xlsx"),
    "xls": _sheet("xls"),
    "et": _sheet("et"),
}

FORMATS = frozenset(READERS)


class UnreadableFormat(ValueError):
    """No reader is registered for the detected format."""


def read(data: bytes, fmt: str) -> ReadDocument:
    """The document of grids of a file whose format `detect_format` named."""
    reader = READERS.get(fmt)
    if reader is None:
        raise UnreadableFormat(f"no reader for format {fmt!r}")
    return reader(data)
