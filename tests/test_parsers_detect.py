"""detect_format: the real format from the bytes, the file name only as a last resort."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from govbudget.parsers import detect_format
from govbudget.parsers.detect import ole_stream_names

REAL_XLS = Path(__file__).parent / "data" / "realdocs" / "sh_pt_2026_unit_budget_template.xls"

_FREE, _END, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def make_cfb(stream_names: list[str]) -> bytes:
    """A minimal valid OLE compound file whose directory holds empty streams with these names."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 40, 0, 1, 1, 0, 4096, _END, 0, _END)
    struct.pack_into("<109I", header, 76, 0, *([_FREE] * 108))
    fat = struct.pack("<128I", _FATSECT, _END, *([_FREE] * 126))
    entries = [("Root Entry", 5, 1 if stream_names else _NOSTREAM, _NOSTREAM)]
    for i, name in enumerate(stream_names, start=1):
        right = i + 1 if i < len(stream_names) else _NOSTREAM
        entries.append((name, 2, _NOSTREAM, right))
    directory = bytearray()
    for name, kind, child, right in entries[:4]:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        entry = bytearray(128)
        entry[0 : len(raw)] = raw
        struct.pack_into("<HBBIII", entry, 64, len(raw), kind, 1, _NOSTREAM, right, child)
        struct.pack_into("<IQ", entry, 116, _END, 0)
        directory += entry
    directory += b"\x00" * (512 - len(directory))
    return bytes(header) + fat + bytes(directory)


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return buf.getvalue()


def _xlsx() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, "hello")
    c.save()
    return buf.getvalue()


HTML_TABLE = "\ufeff  <html><body><table><tr><td>合计</td></tr></table></body></html>".encode()


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (_pdf(), "a.xls", "pdf"),
        (_xlsx(), "a.xls", "xlsx"),
        (_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}), "a.doc", "docx"),
        (_zip({"a.pdf": b"%PDF-1.4"}), None, "zip"),
        (make_cfb(["Workbook"]), "a.doc", "xls"),
        (make_cfb(["Book"]), None, "xls"),
        (make_cfb(["Workbook"]), "a.et", "et"),
        (make_cfb(["WordDocument", "1Table"]), "a.xls", "doc"),
        (make_cfb(["WordDocument", "1Table"]), "a.wps", "wps"),
        (b"Rar!\x1a\x07\x01\x00" + b"\x00" * 32, "a.zip", "rar"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, None, "image"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 32, "a.pdf", "image"),
        (b"II*\x00" + b"\x00" * 32, None, "image"),
        (HTML_TABLE, "budget.xls", "html"),
        (b"<!DOCTYPE html><html></html>", None, "html"),
        (b"\x00\x01\x02 random", "a.xlsx", "xlsx"),
        (b"\x00\x01\x02 random", None, "unknown"),
        (b"", None, "unknown"),
    ],
)
def test_detect_format(data: bytes, filename: str | None, expected: str) -> None:
    assert detect_format(data, filename) == expected


def test_xls_named_html_is_html() -> None:
    assert detect_format(HTML_TABLE, "部门预算.xls") == "html"


def test_ole_stream_names_lists_the_directory() -> None:
    data = make_cfb(["WordDocument", "1Table", "WpsCustomData"])
    assert sorted(ole_stream_names(data)) == ["1Table", "WordDocument", "WpsCustomData"]


def test_ole_stream_names_of_a_real_workbook() -> None:
    assert {"Workbook", "\x05SummaryInformation"} <= set(ole_stream_names(REAL_XLS.read_bytes()))


def test_truncated_ole_keeps_the_kind_its_name_says() -> None:
    cut = REAL_XLS.read_bytes()[:100_000]
    assert ole_stream_names(cut) == []  # olefile refuses a sector cut short
    assert detect_format(cut, "预算.xls") == "xls"


def test_broken_ole_has_no_names() -> None:
    assert ole_stream_names(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20) == []
    assert detect_format(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, "x.wps") == "wps"
