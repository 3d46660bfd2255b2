"""Issue #11: the OOXML DTD gate reads a part's whole prolog, however long, up to its root element.

A DTD hidden after a 70 KB comment (or processing instruction) used to pass the gate, which read
only the first 64 KB of each part. Comments and processing instructions are skipped whatever their
length; a ``<!DOCTYPE`` written inside a comment is no DTD; the scan stops at the root element.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from govbudget.corpus.render_xlsx import render_xlsx
from govbudget.parsers import parse_bytes
from govbudget.parsers.readers import ooxml_limits
from govbudget.parsers.readers.docx import DocxReadError, read_docx
from govbudget.parsers.readers.html import read_html
from govbudget.parsers.readers.sheet import SheetReadError, read_sheets

SHEET = "xl/worksheets/sheet1.xml"
DOCUMENT = "word/document.xml"
LONG = 70 * 1024
LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
          + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)) + "]>")
PADDINGS = {
    "comment": "<!-- " + "预算公开 " * (LONG // 4) + " -->",  # past 64 KB in UTF-8 and UTF-16
    "processing instruction": "<?padding " + "x" * LONG + "?>",
    "comments and whitespace": ("<!-- a -->\n  " * (LONG // 12)),
}


def with_prolog(data: bytes, member: str, prolog: str, *, encoding: str = "utf-8") -> bytes:
    """Rewrite one part: `prolog` after its XML declaration (the declaration dropped for UTF-16)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == member:
                text = body.decode("utf-8")
                end = text.index("?>") + 2 if text.startswith("<?xml") else 0
                decl = text[:end] if encoding == "utf-8" else '<?xml version="1.0" encoding="UTF-16"?>'
                body = (decl + prolog + text[end:]).encode(encoding)
            dst.writestr(info.filename, body)
    return out.getvalue()


def small_docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("部门预算说明")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("padding", sorted(PADDINGS))
def test_xlsx_dtd_after_a_long_prolog_is_refused(padding: str) -> None:
    prolog = PADDINGS[padding]
    assert len(prolog.encode()) > 64 * 1024  # past what the gate used to read of a part
    data = with_prolog(render_xlsx("002"), SHEET, prolog + LAUGHS)
    with pytest.raises(SheetReadError) as raised:
        read_sheets(data, "xlsx")
    assert str(raised.value) == f"xlsx part '{SHEET}' declares a DTD (entity attack refused)"
    outcome = parse_bytes(data, filename="budget.xlsx")
    assert outcome.status == "failed" and outcome.errors == [str(raised.value)]


def test_docx_dtd_after_a_70kb_comment_is_refused() -> None:
    data = with_prolog(small_docx(), DOCUMENT, PADDINGS["comment"] + '<!DOCTYPE x [<!ENTITY e "e">]>')
    with pytest.raises(DocxReadError) as raised:
        read_docx(data)
    assert str(raised.value) == f"docx part '{DOCUMENT}' declares a DTD (entity attack refused)"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_part_with_dtd_after_a_70kb_comment_is_refused(encoding: str) -> None:
    data = with_prolog(small_docx(), DOCUMENT, PADDINGS["comment"] + LAUGHS, encoding=encoding)
    with pytest.raises(DocxReadError, match="declares a DTD"):
        read_docx(data)


def test_long_comments_without_a_dtd_pass_even_when_they_mention_one() -> None:
    """A comment is skipped whole: ``<!DOCTYPE`` written inside one is text, not a declaration."""
    mention = "<!-- <!DOCTYPE x [<!ENTITY e 'e'>]> -- ->  -->"
    prolog = PADDINGS["comment"] + mention + PADDINGS["processing instruction"]
    data = with_prolog(render_xlsx("002"), SHEET, prolog)
    ooxml_limits.check_declared_size(data, kind="xlsx", limit=512 * 1024 * 1024, error=SheetReadError)
    assert read_sheets(data, "xlsx").rows


def test_the_scan_stops_at_the_root_element() -> None:
    """What follows the root's start is the parser's business (a DTD there is a syntax error)."""
    stream = io.BytesIO(b'<?xml version="1.0"?><!-- x --><root>' + b"<!DOCTYPE" + b"y" * 4 * LONG)
    assert ooxml_limits.prolog_dtd(stream, limit=10 * LONG) is False
    assert stream.tell() == ooxml_limits.CHUNK_BYTES  # nothing past the root element's chunk was read


@pytest.mark.parametrize(("xml", "dtd"), [
    (b"<!-- a --><?pi b?>\n<!DOCTYPE r><r/>", True),
    (b"\xef\xbb\xbf<?xml version='1.0'?>\r\n<r/>", False),
    (b"<!- not a comment -><r/>", True),
    (b"stray <! DOCTYPE r><r/>", True),
    (b"<!-- never closed", False),
    (b"", False),
])
def test_prolog_scan_cases(xml: bytes, dtd: bool) -> None:
    assert ooxml_limits.prolog_dtd(io.BytesIO(xml), limit=1024) is dtd


def test_a_comment_longer_than_the_limit_is_refused() -> None:
    stream = io.BytesIO(b"<!--" + b"x" * 4 * LONG)
    assert ooxml_limits.prolog_dtd(stream, limit=LONG) is True
    assert stream.tell() < 2 * LONG  # stopped near the limit, not at the end


def test_html_dtd_after_a_70kb_comment_stays_inert() -> None:
    """The HTML reader has no prolog check to fix: libxml2's HTML mode never expands a DTD's entities."""
    page = (PADDINGS["comment"] + LAUGHS
            + "<html><head><title>预算</title></head><body><p>收入&lol9;合计</p></body></html>")
    rows = read_html(page.encode("utf-8")).rows
    texts = [row.cells[0] for row in rows]
    assert any("收入" in t for t in texts)
    assert "lollollollol" not in repr(texts)
