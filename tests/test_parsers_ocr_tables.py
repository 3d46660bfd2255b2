"""Scanned tables go through the same table recognition as a text layer (issue #16, item 1).

OCR lines run across cell borders (`147.20四、公共安全支出`), so the grid comes from the page's ruling
lines, as pdfplumber builds it from a PDF's vector lines, and each OCR character goes to the cell under
its centre (parsers/readers/ocr_grid.py). The grid tests draw a ruled page and hand the reader OCR
characters directly (no OCR engine, milliseconds); one test OCRs the top of a real 收支预算总表 page
(tests/data/realdocs, printed in three side-by-side panels) and must read the line items the page's own
text layer gives.
"""

from __future__ import annotations

import io
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2
import pytest
from PIL import Image, ImageDraw

from govbudget.parsers import ParseOutcome, parse_bytes
from govbudget.parsers.readers.ocr_grid import Char, OcrTable, cell_text, page_image, ruled_rows

SCALE = 200 / 72  # pixels per point at 200 dpi
REAL = Path(__file__).parent / "data" / "realdocs" / "js_2017_swbgt_tables.pdf"


def _ruled_page(cols: list[float], rows: list[float], double: float = 0.0) -> Image.Image:
    """A white A4 page at 200 dpi with a ruled grid (points); `double` draws every rule twice."""
    img = Image.new("L", (round(595 * SCALE), round(842 * SCALE)), 255)
    draw = ImageDraw.Draw(img)
    for offset in (0.0, double) if double else (0.0,):
        for x in cols:
            draw.line([((x + offset) * SCALE, rows[0] * SCALE), ((x + offset) * SCALE, rows[-1] * SCALE)],
                      fill=0, width=2)
        for y in rows:
            draw.line([(cols[0] * SCALE, (y + offset) * SCALE), (cols[-1] * SCALE, (y + offset) * SCALE)],
                      fill=0, width=2)
    return img


def _word(text: str, x0: float, top: float, line: int, width: float = 10.0) -> list[Char]:
    """OCR's word boxes for `text` set from x0 (points), one box a character, all on OCR line `line`."""
    return [Char(ch, x0 + i * width, x0 + (i + 1) * width - 1, top, top + 11, line)
            for i, ch in enumerate(text)]


def test_a_box_across_a_cell_border_is_split_at_the_rule() -> None:
    cols, rows = [50, 200, 280, 430, 510], [100, 120, 140]
    page = page_image(_ruled_page(cols, rows), SCALE)
    chars = (_word("收入", 60, 104, 0) + _word("金额", 210, 104, 1) + _word("支出", 290, 104, 2)
             + _word("金额", 440, 104, 3)
             # one OCR box: an amount right-aligned against the rule and the next column's name
             + _word("147.20", 220, 124, 4, 8.0) + _word("四、公共安全支出", 285, 124, 4)
             + _word("二、财政专户管理资金", 55, 124, 5))
    got = ruled_rows(chars, page, 3)
    assert got is not None
    table = [r.cells for r in got if r.kind == "table"]
    assert table == [("收入", "金额", "支出", "金额"),
                     ("二、财政专户管理资金", "147.20", "四、公共安全支出", "")]
    assert got[0].locator == {"page": 3, "row": 1}


def test_text_outside_the_grid_becomes_text_lines_in_reading_order() -> None:
    cols, rows = [50, 300, 500], [150, 170, 190]
    page = page_image(_ruled_page(cols, rows), SCALE)
    chars = (_word("收支预算总表", 200, 100, 0, 14) + _word("部门：某某局", 50, 130, 1)
             + _word("单位：万元", 450, 130, 2) + _word("项目", 60, 154, 3) + _word("金额", 310, 154, 4)
             + _word("合计", 60, 174, 5) + _word("20,702.25", 420, 174, 6, 8.0))
    got = ruled_rows(chars, page, 1)
    assert got is not None
    assert [(r.kind, r.cells) for r in got] == [
        ("text", ("收支预算总表",)), ("text", ("部门：某某局 单位：万元",)),
        ("table", ("项目", "金额")), ("table", ("合计", "20,702.25")),
    ]


def test_double_ruled_cells_fold_to_one_grid_as_in_the_pdf_reader() -> None:
    """Every cell drawn as a box in a box, 6 pt apart (js_2019_gy): the strips are not columns."""
    cols, rows = [50, 120, 300, 420], [100, 122, 144]
    page = page_image(_ruled_page(cols, rows, double=6), SCALE)
    chars = (_word("科目编码", 60, 108, 0) + _word("科目名称", 135, 108, 1) + _word("金额", 360, 108, 2)
             + _word("20131", 60, 130, 3, 7.0) + _word("行政运行", 135, 130, 4)
             + _word("6,106.99", 360, 130, 5, 7.0))
    got = ruled_rows(chars, page, 1)
    assert got is not None
    assert [r.cells for r in got if r.kind == "table"] == [("科目编码", "科目名称", "金额"),
                                                         ("20131", "行政运行", "6,106.99")]


def test_a_frame_cell_keeps_only_the_words_above_the_grid_it_holds() -> None:
    """A rectangle drawn around title, header block and grid (js_2017_swbgt_tables pp.3-4)."""
    frame = (40.0, 80.0, 520.0, 170.0)
    inner = [(40.0, 130.0, 300.0, 150.0), (300.0, 130.0, 520.0, 150.0),
             (40.0, 150.0, 300.0, 170.0), (300.0, 150.0, 520.0, 170.0)]
    chars = (_word("支出预算总表", 200, 90, 0, 14) + _word("项目", 70, 134, 1) + _word("金额", 310, 134, 2)
             + _word("合计", 70, 154, 3) + _word("9,964.07", 420, 154, 4, 8.0))
    assert OcrTable([frame, *inner], chars).extract() == [["支出预算总表", None], ["项目", "金额"],
                                                          ["合计", "9,964.07"]]


def test_a_page_without_rules_is_left_to_the_column_layout() -> None:
    page = page_image(Image.new("L", (800, 600), 255), SCALE)
    assert ruled_rows(_word("合计", 60, 104, 0), page, 1) is None


@pytest.mark.parametrize(("reading", "kept"), [
    ("一般公共服务支出", "一般公共服务支出"),  # the missed `一` is added
    ("国家机关公章", "般公共服务支出"),  # a seal read as text never replaces what was read
])
def test_ink_no_ocr_box_covers_is_read_again(reading: str, kept: str) -> None:
    """The detector left out the lone stroke of `一` at a line's start; the cell is recognised again."""
    cols, rows = [50, 120, 300], [100, 125, 150]
    img = _ruled_page(cols, rows)
    draw = ImageDraw.Draw(img)
    draw.line([(125 * SCALE, 137 * SCALE), (133 * SCALE, 137 * SCALE)], fill=120, width=2)
    chars = (_word("201", 60, 106, 0) + _word("合计", 130, 106, 1) + _word("201", 60, 131, 2)
             + _word("般公共服务支出", 136, 131, 3))
    for c in chars:  # each character's ink, inside its OCR box
        draw.rectangle([(c.x0 + 2) * SCALE, (c.top + 2) * SCALE, (c.x1 - 2) * SCALE, (c.bottom - 2) * SCALE],
                       fill=0)
    page = page_image(img, SCALE)
    asked: list[tuple[int, int, int, int]] = []

    def recognise(box: tuple[int, int, int, int]) -> tuple[str, float]:
        asked.append(box)
        return reading, 0.99

    got = ruled_rows(chars, page, 1, recognise)
    assert got is not None
    assert [r.cells for r in got] == [("201", "合计"), ("201", kept)]
    assert len(asked) == 1  # only the cell with uncovered ink
    x0, top, x1, bottom = asked[0]
    assert x0 <= 125 * SCALE and x1 >= 203 * SCALE and top <= 133 * SCALE and bottom >= 140 * SCALE


def test_ocr_text_is_spaced_and_typed_as_printed() -> None:
    # OCR's spaces inside a figure are not printed; a wide gap after `1.` is; 收人 is 收入 misread
    assert cell_text(_word("20,702.25", 10, 0, 0, 6)) == "20,702.25"
    assert cell_text(_word("1．", 10, 0, 0) + _word("一般公共预算", 38, 0, 0)) == "1. 一般公共预算"
    assert cell_text(_word("一、", 10, 0, 0) + _word("基本支出", 27, 0, 0)) == "一、基本支出"
    assert cell_text(_word("收人预算总表", 10, 0, 0)) == "收入预算总表"
    wrapped = _word("未归口管理的行政", 10, 0, 0) + _word("单位离退休", 10, 14, 1)
    assert cell_text(wrapped) == "未归口管理的行政\n单位离退休"


# --- one real page through OCR ------------------------------------------------------------------

CROP = 0.33  # of the page's height: the title, the three panels' headers and the first five rows


def _items(outcome: ParseOutcome) -> Counter[tuple[Any, ...]]:
    return Counter((r["table_kind"], r["side"], "".join((r["code"] or r["name"] or "").split()), r["measure"],
                    Decimal(r["amount"])) for r in outcome.records if r["type"] == "line_item")


@pytest.fixture(scope="module")
def real_page() -> tuple[bytes, bytes, float]:
    """js_2017_swbgt_tables p.1 (收支预算总表) as a one-page PDF, and the top of it scanned at 200 dpi."""
    src = pypdfium2.PdfDocument(REAL.read_bytes())
    one = pypdfium2.PdfDocument.new()
    one.import_pages(src, [0])
    buf = io.BytesIO()
    one.save(buf)
    img = src[0].render(scale=SCALE, grayscale=True).to_pil()
    height = src[0].get_height()
    src.close()
    png = io.BytesIO()
    img.crop((0, 0, img.width, round(img.height * CROP))).save(png, format="PNG", dpi=(200, 200))
    return buf.getvalue(), png.getvalue(), height * CROP


def test_a_scanned_summary_page_gives_the_text_layers_line_items(
        real_page: tuple[bytes, bytes, float]) -> None:
    pdf, png, crop_bottom = real_page
    with pdfplumber.open(io.BytesIO(pdf)) as doc:  # the amounts printed above the crop line
        words = doc.pages[0].extract_words()
    shown = {Decimal(w["text"].replace(",", "")) for w in words
             if w["bottom"] < crop_bottom and w["text"].replace(",", "").replace(".", "").isdigit()}
    text_layer = _items(parse_bytes(pdf, filename="page.pdf"))
    expected = Counter({k: n for k, n in text_layer.items() if k[-1] in shown})
    assert len(expected) >= 6  # both 财政拨款 rows, the 专户 amount and three 支出 amounts

    scanned = parse_bytes(png, filename="page.png")
    assert scanned.document["format"] == "image"
    [table] = [r for r in scanned.records if r["type"] == "table"]
    assert table["table_kind"] == "income_expenditure_summary"
    assert _items(scanned) == expected

