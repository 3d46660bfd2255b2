"""Oversized and over-compressed XLSX/DOCX parts are refused from the ZIP listing, before parsing.

A part that declares a gigabyte, or that deflates 1000:1, never reaches calamine, openpyxl or
python-docx: the reader libraries are replaced by tripwires to prove the refusal comes first.
"""

from __future__ import annotations

import io
import struct
import zipfile

import docx
import pytest
import python_calamine

from govbudget.corpus.render_xlsx import render_xlsx
from govbudget.parsers import parse_bytes
from govbudget.parsers.readers import ooxml_limits
from govbudget.parsers.readers.docx import DocxReadError, read_docx
from govbudget.parsers.readers.sheet import SheetReadError, read_sheets

SHEET = "xl/worksheets/sheet1.xml"
GIB = 1024 * 1024 * 1024


def rewrite(data: bytes, member: str, body: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, body if info.filename == member else src.read(info.filename),
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def declare_size(data: bytes, member: str, size: int) -> bytes:
    """Make the central directory (what the listing reads) claim ``size`` unpacked bytes for ``member``."""
    buf = bytearray(data)
    name = member.encode()
    pos = buf.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", buf, pos + 28)[0]
        if bytes(buf[pos + 46: pos + 46 + name_len]) == name:
            struct.pack_into("<I", buf, pos + 24, size)
            return bytes(buf)
        pos = buf.find(b"PK\x01\x02", pos + 4)
    raise AssertionError(f"{member} not in the central directory")


@pytest.fixture
def tripwires(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("a reader parsed a file the gate should have refused")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", boom)
    monkeypatch.setattr(docx, "Document", boom)


def test_xlsx_part_declaring_a_gigabyte_is_refused_before_parsing(tripwires: None) -> None:
    data = declare_size(render_xlsx("002"), SHEET, GIB)
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo(SHEET).file_size == GIB
    with pytest.raises(SheetReadError) as raised:
        read_sheets(data, "xlsx")
    assert str(raised.value) == (f"xlsx part '{SHEET}' declares {GIB} bytes, "
                                 f"over the {ooxml_limits.MAX_MEMBER_BYTES} limit")
    outcome = parse_bytes(data, filename="budget.xlsx")
    assert outcome.status == "failed" and outcome.errors == [str(raised.value)]


def test_xlsx_part_compressing_1000_to_1_is_refused_before_parsing(tripwires: None) -> None:
    sheet = b'<?xml version="1.0"?><worksheet>' + b" " * (4 * 1024 * 1024) + b"</worksheet>"
    data = rewrite(render_xlsx("002"), SHEET, sheet)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(SHEET)
    assert info.file_size // info.compress_size >= 1000  # the crafted member really is 1000:1
    with pytest.raises(SheetReadError, match=r"compresses \d+:1, over 200:1 \(a zip bomb\)"):
        read_sheets(data, "xlsx")
    # under the declared total and the per-part size: only the ratio check refuses it
    assert info.file_size < ooxml_limits.MAX_MEMBER_BYTES


def test_docx_part_compressing_1000_to_1_is_refused_before_parsing(tripwires: None) -> None:
    body = b'<?xml version="1.0"?><w:document>' + b"\t" * (4 * 1024 * 1024) + b"</w:document>"
    data = rewrite(_docx_bytes(), "word/document.xml", body)
    with pytest.raises(DocxReadError, match=r"part 'word/document.xml' compresses \d+:1"):
        read_docx(data)


def _docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def test_ordinary_ratios_and_sizes_pass() -> None:
    data = render_xlsx("002")
    ooxml_limits.check_declared_size(data, kind="xlsx", limit=512 * 1024 * 1024, error=SheetReadError)
    assert read_sheets(data, "xlsx").rows


def test_per_part_limit_is_independent_of_the_total() -> None:
    data = render_xlsx("002")
    first = zipfile.ZipFile(io.BytesIO(data)).infolist()[0]
    assert first.file_size > 100
    with pytest.raises(SheetReadError) as raised:
        ooxml_limits.check_declared_size(data, kind="xlsx", limit=GIB, error=SheetReadError, member_limit=100)
    expected = f"xlsx part {first.filename!r} declares {first.file_size} bytes, over the 100 limit"
    assert str(raised.value) == expected
