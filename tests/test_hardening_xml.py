"""XML entity attacks (issue #7): billion laughs and XXE in XLSX, DOCX and HTML are refused or inert.

Each attack also references a local file holding a marker; no record may ever contain that marker,
and the billion-laughs entity must never be expanded. Beyond the DTD gate, the libraries under it
are checked on their own (gate bypassed), so a regression in either layer shows.
"""

from __future__ import annotations

import io
import zipfile
from functools import cache
from pathlib import Path

import defusedxml
import docx
import lxml.etree
import openpyxl
import pytest

from govbudget.corpus.render_xlsx import render_xlsx
from govbudget.parsers import parse_bytes
from govbudget.parsers.readers.docx import DocxReadError, read_docx
from govbudget.parsers.readers.html import read_html
from govbudget.parsers.readers.sheet import SheetReadError, read_sheets

MARKER = "TOPSECRET-7c1e"
LOL = "lol"
LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
          + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)) + "]>")


def xxe(secret: Path) -> str:
    return f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(MARKER)
    return path


def inject(data: bytes, member: str, dtd: str, ref: str, marker_tag: str) -> bytes:
    """Rewrite one XML part: the DTD after the XML declaration, the entity reference in a text node."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == member:
                text = body.decode("utf-8")
                end = text.index("?>") + 2 if text.startswith("<?xml") else 0
                assert marker_tag in text
                text = text[:end] + dtd + text[end:].replace(marker_tag, ref + marker_tag, 1)
                body = text.encode("utf-8")
            dst.writestr(info, body)
    return out.getvalue()


@cache
def small_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("部门预算说明")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def attacks(secret: Path) -> dict[str, tuple[str, str]]:
    return {"billion laughs": (LAUGHS, "&lol9;"), "xxe": (xxe(secret), "&xxe;")}


def assert_inert(records: object) -> None:
    text = repr(records)
    assert MARKER not in text, "a local file was read through an external entity"
    assert LOL * 4 not in text, "an entity was expanded"


@pytest.mark.parametrize("attack", ["billion laughs", "xxe"])
def test_xlsx_sheet_with_entities_is_refused(attack: str, secret: Path) -> None:
    dtd, ref = attacks(secret)[attack]
    data = inject(render_xlsx("002"), "xl/worksheets/sheet1.xml", dtd, ref, "</t>")
    outcome = parse_bytes(data, filename="budget.xlsx")
    assert outcome.status == "failed"
    assert outcome.errors == ["xlsx part 'xl/worksheets/sheet1.xml' declares a DTD (entity attack refused)"]
    assert_inert(outcome.records)
    with pytest.raises(SheetReadError, match="DTD"):
        read_sheets(data, "xlsx")


@pytest.mark.parametrize("attack", ["billion laughs", "xxe"])
def test_docx_document_with_entities_is_refused(attack: str, secret: Path) -> None:
    dtd, ref = attacks(secret)[attack]
    data = inject(small_docx(), "word/document.xml", dtd, ref, "</w:t>")
    outcome = parse_bytes(data, filename="budget.docx")
    assert outcome.status == "failed"
    assert outcome.errors == ["docx part 'word/document.xml' declares a DTD (entity attack refused)"]
    assert_inert(outcome.records)
    with pytest.raises(DocxReadError, match="DTD"):
        read_docx(data)


def test_python_docx_itself_never_reads_external_entities(secret: Path) -> None:
    """Under the gate: python-docx's lxml parser has resolve_entities=False."""
    dtd, ref = attacks(secret)["xxe"]
    document = docx.Document(io.BytesIO(inject(small_docx(), "word/document.xml", dtd, ref, "</w:t>")))
    texts = [p.text for p in document.paragraphs]
    assert texts == ["部门预算说明"]
    assert_inert(texts)


def test_libxml2_under_python_docx_stops_the_billion_laughs(secret: Path) -> None:
    dtd, ref = attacks(secret)["billion laughs"]
    with pytest.raises(lxml.etree.XMLSyntaxError, match="amplification"):
        docx.Document(io.BytesIO(inject(small_docx(), "word/document.xml", dtd, ref, "</w:t>")))


@pytest.mark.parametrize("attack", ["billion laughs", "xxe"])
def test_openpyxl_itself_refuses_entities_through_defusedxml(attack: str, secret: Path) -> None:
    """Under the gate: openpyxl reads worksheets with defusedxml's iterparse, which forbids entities."""
    assert openpyxl.DEFUSEDXML
    dtd, ref = attacks(secret)[attack]
    data = inject(render_xlsx("002"), "xl/worksheets/sheet1.xml", dtd, ref, "</t>")
    with pytest.raises(ValueError, match="could not read worksheets") as raised:
        openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert isinstance(raised.value.__context__, defusedxml.DefusedXmlException)


@pytest.mark.parametrize("attack", ["billion laughs", "xxe"])
def test_html_with_entity_doctype_parses_without_expanding(attack: str, secret: Path) -> None:
    dtd, ref = attacks(secret)[attack]
    page = f"{dtd}<html><head><title>预算</title></head><body><p>收入{ref}合计</p></body></html>"
    document = read_html(page.encode("utf-8"))
    assert_inert(document.rows)
    assert [row.cells[0] for row in document.rows if "收入" in row.cells[0]] != []
    outcome = parse_bytes(page.encode("utf-8"), filename="page.html")
    assert outcome.status == "failed" and outcome.errors
    assert_inert(outcome.records)


def test_a_clean_xlsx_and_docx_pass_the_gate() -> None:
    assert read_sheets(render_xlsx("002"), "xlsx").rows
    assert [row.cells for row in read_docx(small_docx()).rows] == [("部门预算说明",)]
