"""Every format portals publish, detected by content: DOCX, DOC/WPS/ET, GBK/UTF-8 HTML, images, scans.

One small 支出总表 (two-row merged header, codes, an empty cell) is written in each format by the test
itself, so every format must give exactly the same line items.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import docx
import pypdfium2
import pytest

from govbudget.corpus.render_pdf import render_pdf
from govbudget.parsers import ParseOutcome, detect_format, parse_bytes

TITLE = "部门预算支出总表"
HEADER = [["科目编码", "科目名称", "合计", "其中", ""], ["", "", "", "基本支出", "项目支出"]]
DATA = [
    ["", "合计", "1234.50", "1000.00", "234.50"],
    ["210", "卫生健康支出", "1234.50", "1000.00", "234.50"],
    ["21015", "医疗保障管理事务", "1234.50", "1000.00", "234.50"],
    ["2101501", "行政运行", "1000.00", "1000.00", ""],
    ["2101506", "医疗保障经办事务", "234.50", "", "234.50"],
]
EXPECTED = sorted((
    (row[0] or None, row[1], measure, amount)
    for row in DATA
    for measure, amount in zip(("total", "basic", "project"), row[2:], strict=True)
    if amount
), key=str)


def _items(outcome: ParseOutcome) -> list[tuple]:
    return sorted(((r["code"], r["name"], r["measure"], r["amount"]) for r in outcome.records
                   if r["type"] == "line_item" and r["table_kind"] == "expenditure_summary"), key=str)


def make_docx() -> bytes:
    """The table as Word writes it: merged 其中 over two columns, codes/name/合计 merged over two rows."""
    d = docx.Document()
    d.add_paragraph(TITLE)
    d.add_paragraph("207 测试市医疗保障局")
    d.add_paragraph("单位：万元")
    t = d.add_table(rows=2 + len(DATA), cols=5)
    for r, row in enumerate(HEADER + DATA):
        for c, text in enumerate(row):
            if text:
                t.cell(r, c).text = text
    t.cell(0, 3).merge(t.cell(0, 4))
    for c in (0, 1, 2):
        t.cell(0, c).merge(t.cell(1, c))
    d.add_paragraph("注：本表为测试表。")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def make_html(encoding: str, meta: bool) -> bytes:
    head = f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">' if meta else ""
    body = ['<tr><td rowspan="2">科目编码</td><td rowspan="2">科目名称</td><td rowspan="2">合计</td>'
            '<td colspan="2">其中</td></tr>', "<tr><td>基本支出</td><td>项目支出</td></tr>"]
    body += ["<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in DATA]
    page = (f"<html><head>{head}<title>测试</title></head><body><p>{TITLE}</p><p>207 测试市医疗保障局</p>"
            f"<p>单位：万元</p><table border=1>{''.join(body)}</table></body></html>")
    return page.encode(encoding)


def soffice(data: bytes, src_ext: str, target: str, tmp: Path) -> bytes:
    """Convert with LibreOffice the way an office suite saves old formats (the test's own fixture)."""
    src = tmp / f"in.{src_ext}"
    src.write_bytes(data)
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp / 'p').as_uri()}", "--headless",
                    "--convert-to", target, "--outdir", str(tmp), str(src)], check=True, timeout=180,
                   capture_output=True)
    return (tmp / f"in.{target.split(':')[0]}").read_bytes()


def test_docx_with_merged_header_cells() -> None:
    outcome = parse_bytes(make_docx(), filename="a.bin")
    assert outcome.document["format"] == "docx" and outcome.status == "ok", outcome.errors
    assert _items(outcome) == EXPECTED
    assert outcome.document["department"] == "测试市医疗保障局"
    [table] = [r for r in outcome.records if r["type"] == "table"]
    assert (table["unit"], table["rows"], table["locator"]["table"]) == ("万元", 5, 1)


@pytest.mark.parametrize(("encoding", "meta"), [("gbk", True), ("gbk", False), ("utf-8", False)])
def test_html_tables_in_gbk_and_utf8(encoding: str, meta: bool) -> None:
    outcome = parse_bytes(make_html(encoding, meta), filename="table.xls")  # an HTML table named .xls
    assert outcome.document["format"] == "html" and outcome.status == "ok", outcome.errors
    assert _items(outcome) == EXPECTED


def test_doc_and_wps_through_libreoffice(tmp_path: Path) -> None:
    doc = soffice(make_docx(), "docx", "doc", tmp_path)
    assert detect_format(doc) == "doc" and detect_format(doc, "x.wps") == "wps"
    for name in ("budget.doc", "budget.wps"):
        outcome = parse_bytes(doc, filename=name)
        assert outcome.document["format"] == name[-3:] and outcome.status == "ok", outcome.errors
        assert _items(outcome) == EXPECTED


def test_et_through_libreoffice(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in [[TITLE], ["207 测试市医疗保障局"], ["单位：万元"], *HEADER, *DATA]:
        ws.append([float(c) if c.replace(".", "").isdigit() and "." in c else c for c in row])
    buf = io.BytesIO()
    wb.save(buf)
    xls = soffice(buf.getvalue(), "xlsx", "xls", tmp_path)
    outcome = parse_bytes(xls, filename="budget.et")
    assert outcome.document["format"] == "et" and outcome.status == "ok", outcome.errors
    assert {r[0] for r in _items(outcome)} == {r[0] for r in EXPECTED}
    assert len(_items(outcome)) == len(EXPECTED)


@pytest.fixture(scope="module")
def scan_png() -> bytes:
    """The top of seed 002's 支出总表 page, rendered at 150 dpi: a picture with no text layer."""
    pdf = pypdfium2.PdfDocument(render_pdf("002"))
    img = pdf[5].render(scale=150 / 72).to_pil()
    img = img.crop((0, 0, img.width, int(img.height * 0.42)))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


SCAN_EXPECTED = [
    (None, "合计", "basic", "1245.35"), (None, "合计", "project", "4628.00"),
    (None, "合计", "total", "5873.35"),
    ("208", "社会保障和就业支出", "basic", "157.74"), ("208", "社会保障和就业支出", "total", "157.74"),
    ("20805", "行政事业单位养老支出", "basic", "157.74"),
    ("20805", "行政事业单位养老支出", "total", "157.74"),
    ("2080501", "行政单位离退休", "basic", "2.67"), ("2080501", "行政单位离退休", "total", "2.67"),
]


def test_image_is_read_by_ocr(scan_png: bytes) -> None:
    outcome = parse_bytes(scan_png, filename="scan")
    assert outcome.document["format"] == "image" and outcome.status == "ok", outcome.errors
    items = _items(outcome)
    assert set(SCAN_EXPECTED) <= set(items)
    assert ("210", "卫生健康支出", "project", "4628.00") in items


def test_scanned_pdf_is_read_by_ocr(scan_png: bytes) -> None:
    from PIL import Image

    buf = io.BytesIO()
    Image.open(io.BytesIO(scan_png)).convert("RGB").save(buf, format="PDF", resolution=150)
    outcome = parse_bytes(buf.getvalue())
    assert outcome.document["format"] == "pdf" and outcome.status == "ok", outcome.errors
    assert set(SCAN_EXPECTED) <= set(_items(outcome))


def test_xls_that_is_an_html_table_with_a_caption_title() -> None:
    """County systems export `.xls` files that are HTML whose title is the table's <caption>."""
    from govbudget.simulator.family_docs import html_xls

    doc = html_xls("edge", "保定市应急管理局", 2024)
    outcome = parse_bytes(doc.data, filename=doc.filename)
    assert outcome.document["format"] == "html"
    assert outcome.document["status"] == "ok", outcome.document["errors"]
    assert outcome.document["department"] == "保定市应急管理局"
    assert outcome.document["fiscal_year"] == 2024
    [table] = [r for r in outcome.records if r["type"] == "table"]
    assert table["table_kind"] == "income_expenditure_summary"
    items = {r["name"]: (r["measure"], r["amount"]) for r in outcome.records if r["type"] == "line_item"}
    assert items == {
        "一般公共预算拨款收入": ("total", "1286.40"),
        "政府性基金预算拨款收入": ("total", "0.00"),
        "收入总计": ("total", "1286.40"),
    }
