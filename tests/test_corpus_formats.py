"""Every rendering of the corpus: read by its own library, detected by content, deterministic, with truth."""

from __future__ import annotations

import io
import json
import re
import subprocess
from decimal import Decimal

import docx
import pdfplumber
import pytest
from lxml import html as lxml_html
from python_calamine import CalamineWorkbook

from govbudget.corpus import office
from govbudget.corpus import render_docx as render_docx_module
from govbudget.corpus import render_html as render_html_module
from govbudget.corpus.build import RENDERINGS, CorpusFile, documents, file_truth, render_files, write_corpus
from govbudget.corpus.seedtables import norm
from govbudget.corpus.variants import load_document
from govbudget.parsers.detect import detect_format

SEED = "002"


@pytest.fixture(scope="module")
def files() -> dict[str, CorpusFile]:
    """Seed 002 as printed, once per rendering (LibreOffice results come from the on-disk cache)."""
    return {f.rendering.name: f for f in render_files(documents(0, [SEED]))}


def _amounts_and_titles() -> tuple[list[str], list[str]]:
    doc = load_document(SEED)
    exp = doc.table("expenditure_summary")
    amounts = [r[3].strip() for r in exp.data_rows() if r[3].strip()]
    return amounts, [t.title for t in doc.tables if t.title]


def test_every_rendering_is_produced(files: dict[str, CorpusFile]) -> None:
    assert set(files) == set(RENDERINGS)
    assert {"pdf-ruled", "pdf-sheet", "xlsx", "xls", "docx", "doc", "html", "pdf-layouts"} <= set(RENDERINGS)


@pytest.mark.parametrize("name", list(RENDERINGS))
def test_format_is_detected_from_the_bytes(files: dict[str, CorpusFile], name: str) -> None:
    assert detect_format(files[name].data, "download.bin") == RENDERINGS[name].fmt


@pytest.mark.parametrize("name", ["pdf-ruled", "pdf-sheet"])
def test_pdfs_hold_every_title_and_expenditure_amount(files: dict[str, CorpusFile], name: str) -> None:
    with pdfplumber.open(io.BytesIO(files[name].data)) as pdf:
        text = norm("\n".join(page.extract_text() or "" for page in pdf.pages))
        grids = [t for page in pdf.pages for t in page.extract_tables()]
    amounts, titles = _amounts_and_titles()
    for title in titles:
        assert norm(title) in text, title
    for amount in amounts:
        assert amount in text
    assert len(grids) >= len(titles)  # ruled grids, whatever the page split


def test_sheet_pdf_differs_from_the_ruled_layout(files: dict[str, CorpusFile]) -> None:
    with pdfplumber.open(io.BytesIO(files["pdf-ruled"].data)) as a, \
            pdfplumber.open(io.BytesIO(files["pdf-sheet"].data)) as b:
        assert (a.metadata.get("Producer"), len(a.pages)) != (b.metadata.get("Producer"), len(b.pages))
        assert "LibreOffice" in str(b.metadata.get("Producer", ""))


@pytest.mark.parametrize("name", ["xlsx", "xls"])
def test_workbooks_read_with_calamine(files: dict[str, CorpusFile], name: str) -> None:
    book = CalamineWorkbook.from_filelike(io.BytesIO(files[name].data))
    sheet = next(s for s in book.sheet_names if "支出总表" in s and "财政" not in s)
    cells = book.get_sheet_by_name(sheet).to_python()
    numbers = {Decimal(str(v)).quantize(Decimal("0.01"))
               for row in cells for v in row if isinstance(v, float | int)}
    amounts, _ = _amounts_and_titles()
    assert {Decimal(a) for a in amounts} <= numbers


def test_docx_has_narrative_and_tables_with_merged_headers(files: dict[str, CorpusFile]) -> None:
    document = docx.Document(io.BytesIO(files["docx"].data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "部门预算信息公开情况说明" in text and "207 邯郸市医疗保障局" in text
    tables = [t for t in load_document(SEED).tables if t.header_rows or t.data_rows()]
    assert len(document.tables) == len(tables)
    income = document.tables[1]  # 收入总表: 序号 spans two rows, 本年收入 eight columns
    assert income.cell(0, 0)._tc is income.cell(1, 0)._tc
    assert income.cell(0, 4)._tc is income.cell(0, 11)._tc and income.cell(0, 4).text == "本年收入"
    body = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert all(a in body for a in _amounts_and_titles()[0])


def test_doc_is_word_97_that_antiword_reads(files: dict[str, CorpusFile]) -> None:
    assert files["doc"].data[:8] == bytes.fromhex("d0cf11e0a1b11ae1")
    out = subprocess.run(["antiword", "-m", "UTF-8.txt", "-"], input=files["doc"].data, capture_output=True,
                         timeout=60, check=True).stdout.decode("utf-8")
    assert "部门预算支出总表" in out and "903.22" in out


def test_html_is_gbk_with_spanned_headers(files: dict[str, CorpusFile]) -> None:
    data = files["html"].data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert b'charset="gbk"' in data
    tree = lxml_html.document_fromstring(data.decode("gbk"))
    assert tree.findtext(".//title") == "邯郸市医疗保障局2022年部门预算公开"
    tables = tree.findall(".//table")
    assert len(tables) == len([t for t in load_document(SEED).tables if t.header_rows or t.data_rows()])
    first = tables[0].findall(".//th")
    assert [(th.text, th.get("rowspan"), th.get("colspan")) for th in first[:3]] == [
        ("序号", "2", None), ("收入", None, "2"), ("支出", None, "2")]
    assert all(a in data.decode("gbk") for a in _amounts_and_titles()[0])


def test_python_renderings_are_deterministic() -> None:
    for module, name in ((render_docx_module, "render_docx"), (render_html_module, "render_html")):
        fresh = getattr(module, name).__wrapped__
        assert fresh("001", variant=None) == fresh("001", variant=None)


def test_libreoffice_results_are_cached_by_content(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVBUDGET_CORPUS_CACHE", str(tmp_path))
    source = render_docx_module.render_docx("001")
    first = office.convert(source, "docx", "doc")
    cached = list(tmp_path.glob("*.doc"))
    assert len(cached) == 1 and cached[0].read_bytes() == first
    assert office.convert(source, "docx", "doc") == first  # served from the cache, not converted again
    assert detect_format(first) == "doc"


def test_conversion_failure_is_a_clear_error(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVBUDGET_CORPUS_CACHE", str(tmp_path))
    with pytest.raises(office.ConversionError, match="no xls"):
        office.convert(b"not a workbook at all", "xlsx", "xls")
    assert not list(tmp_path.glob("*.xls"))  # nothing half-written is left to be served later


def test_file_truth_fills_file_fields(files: dict[str, CorpusFile]) -> None:
    for name, f in files.items():
        truth = file_truth(f)
        doc = truth[0]
        assert doc["type"] == "document" and doc["sha256"] == f.sha256 and doc["rendering"] == name
        assert doc["format"] == RENDERINGS[name].fmt
        assert all(r["doc"] == f.sha256 for r in truth[1:])
        kinds = {r["type"] for r in truth}
        assert {"table", "line_item", "indicator"} <= kinds  # 002 has performance tables too
        if RENDERINGS[name].fmt == "pdf":
            with pdfplumber.open(io.BytesIO(f.data)) as pdf:
                assert doc["pages"] == len(pdf.pages)


def test_write_corpus_names_files_without_metadata(tmp_path) -> None:
    written = write_corpus(tmp_path, 1, renderings=["html"], seeds=["001", "004"])
    assert [p.name for p in written] == ["s001-v0-html.html", "s001-v1-html.html", "s004-v0-html.html",
                                         "s004-v1-html.html"]
    manifest = [json.loads(line) for line in (tmp_path / "manifest.jsonl").read_text().splitlines()]
    assert [m["filename"] for m in manifest] == [p.name for p in written]
    for path, entry in zip(written, manifest, strict=True):
        lines = path.with_name(path.name + ".truth.jsonl").read_text().splitlines()
        truth = [json.loads(line) for line in lines]
        assert truth[0]["department"] == entry["department"]
        assert truth[0]["fiscal_year"] == entry["fiscal_year"]
        page = path.read_bytes().decode("gbk")
        assert entry["department"] in page  # the variant's department is printed, not the seed's
        assert re.search(rf"{entry['fiscal_year']}\s*年", page)


def test_xls_amounts_keep_their_printed_decimals(files: dict[str, CorpusFile]) -> None:
    """calamine gives 770.0; the XF number format (read by xlrd) says it is printed `770.00`."""
    from govbudget.parsers import parse_bytes

    def items(name: str) -> list[tuple[str, str | None, str, str]]:
        outcome = parse_bytes(files[name].data, filename=f"seed.{RENDERINGS[name].fmt}")
        return [(r["table_kind"], r["code"], r["measure"], r["amount"])
                for r in outcome.records if r["type"] == "line_item"]

    xls = items("xls")
    assert ("expenditure_summary", "2101504", "project", "770.00") in xls
    assert xls == items("xlsx")  # the same workbook saved both ways prints the same text
