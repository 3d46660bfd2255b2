"""The title a file carries in its own properties (PDF Info `Title`, OLE SummaryInformation title).

Readers of XLSX and DOCX already return theirs (`ReadDocument.title`); PDF and the OLE formats (XLS,
DOC, WPS, ET) keep it outside the page text, so it is read here. It is a last resort for facts the
printed pages leave out (a workbook of tables whose year is only in its title), never a first source:
real files often carry a stale or template title.
"""

from __future__ import annotations

import codecs
import io

_OLE_FORMATS = {"xls", "doc", "wps", "et"}


def file_title(data: bytes, fmt: str) -> str | None:
    """The title property, stripped, or None when the file has none or it cannot be read."""
    if fmt == "pdf":
        return _pdf_title(data)
    if fmt in _OLE_FORMATS:
        return _ole_title(data)
    return None


def _pdf_title(data: bytes) -> str | None:
    import pypdfium2

    try:
        doc = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        return None
    try:
        return (doc.get_metadata_value("Title") or "").strip() or None
    finally:
        doc.close()


def _ole_title(data: bytes) -> str | None:
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            meta = ole.get_metadata()
    except Exception:  # olefile raises many kinds on broken files; a title is never worth a failure
        return None
    raw = meta.title
    if isinstance(raw, str):
        return raw.strip() or None
    if not raw:
        return None
    return raw.decode(_codec(meta.codepage), "replace").strip("\x00 ").strip() or None


def _codec(codepage: int | None) -> str:
    """Python codec for an OLE code page (stored as a signed 16-bit number: 65001 reads as -535)."""
    page = (codepage or 0) & 0xFFFF
    name = {65001: "utf-8", 1200: "utf-16-le", 936: "gbk", 950: "big5", 54936: "gb18030"}.get(page)
    if name is None:
        name = f"cp{page}"
    try:
        codecs.lookup(name)
    except LookupError:
        return "gbk"
    return name
