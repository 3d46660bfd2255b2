"""Sniff the real format of a file from its bytes.

Government portals mislabel files constantly (an `.xls` that is an HTML table, a `.doc` that is a WPS
document, an OOXML file served as `.zip`), so the bytes are trusted first and the file name only when
the bytes say nothing.
"""

from __future__ import annotations

import io
import zipfile

import olefile

FORMATS = ("pdf", "xlsx", "xls", "docx", "doc", "wps", "et", "html", "zip", "rar", "image", "unknown")

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGICS = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF87a", b"GIF89a", b"BM")
_EXTENSIONS = {
    "pdf": "pdf", "xlsx": "xlsx", "xlsm": "xlsx", "xls": "xls", "docx": "docx", "doc": "doc",
    "wps": "wps", "et": "et", "htm": "html", "html": "html", "shtml": "html", "zip": "zip",
    "rar": "rar", "png": "image", "jpg": "image", "jpeg": "image", "tif": "image", "tiff": "image",
    "gif": "image", "bmp": "image",
}
_HTML_STARTS = (b"<!doctype", b"<html", b"<head", b"<body", b"<table", b"<meta", b"<?xml", b"<!--", b"<")


def detect_format(data: bytes, filename: str | None = None) -> str:
    """Return one of FORMATS: magic bytes first, container inspection second, extension last."""
    head = data[:8]
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(data, filename)
    if head == _OLE_MAGIC:
        return _ole_kind(data, filename)
    if head.startswith(b"Rar!\x1a\x07"):
        return "rar"
    if any(head.startswith(m) for m in _IMAGE_MAGICS):
        return "image"
    if b"%PDF-" in data[:1024]:  # readers accept junk before the header, so a PDF may too
        return "pdf"
    if _looks_like_html(data):
        return "html"
    return _by_extension(filename)


def _zip_kind(data: bytes, filename: str | None = None) -> str:
    """OOXML is a ZIP whose member names say which application wrote it.

    A ZIP too broken to list (a truncated download) keeps the kind its name says, so the reason a
    reader gives names the format the user expects (`docx is not a valid zip`).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
    # zipfile also raises NotImplementedError (unknown versions/compression) and RuntimeError
    # (encrypted members) on hostile input; detection must never raise.
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError, EOFError):
        ext = _by_extension(filename)
        return ext if ext in ("xlsx", "docx") else "zip"
    has_types = "[Content_Types].xml" in names
    if has_types and any(n.startswith("xl/") for n in names):
        return "xlsx"
    if has_types and any(n.startswith("word/") for n in names):
        return "docx"
    return "zip"


def _ole_kind(data: bytes, filename: str | None) -> str:
    """OLE compound files share one magic; their stream names tell Excel, Word and WPS apart."""
    names = {n.lower() for n in ole_stream_names(data)}
    ext = _by_extension(filename)
    if "workbook" in names or "book" in names:
        return "et" if ext == "et" else "xls"
    if "worddocument" in names:
        return "wps" if ext == "wps" else "doc"
    if any(n.startswith("wpsdocument") or n == "wps" for n in names):
        return "wps"
    if any(n.startswith("et") and "workbook" in n for n in names):
        return "et"
    return ext if ext in ("xls", "doc", "wps", "et") else "unknown"


def ole_stream_names(data: bytes) -> list[str]:
    """Names of the storages and streams of an OLE compound file, or [] when olefile cannot read it.

    A truncated download usually cannot be read (olefile refuses a sector cut short), so it keeps the
    kind its file name says.
    """
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return ["/".join(entry) for entry in ole.listdir(streams=True, storages=True)]
    except Exception:  # olefile raises many kinds on hostile input; detection must never raise
        return []


def _looks_like_html(data: bytes) -> bool:
    """HTML (often a table saved as `.xls`) starts with `<` after a BOM and whitespace."""
    head = data[:2048]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom):]
            break
    if head[:1] == b"\x00" or (len(head) > 1 and head[1:2] == b"\x00"):
        head = head.replace(b"\x00", b"")  # UTF-16 HTML
    head = head.lstrip().lower()
    return any(head.startswith(s) for s in _HTML_STARTS) and b">" in head


def _by_extension(filename: str | None) -> str:
    if not filename or "." not in filename:
        return "unknown"
    ext = filename.rsplit(".", 1)[1].lower().split("?")[0]
    return _EXTENSIONS.get(ext, "unknown")
