"""OCR characters and a page image's ruling lines → the same grid rows the PDF reader builds.

OCR returns text lines, and a line often runs across a cell border (`147.20四、公共安全支出` is an
amount and the next column's name). A table finder fed such lines sees another table than the text
layer shows. So the grid here does not come from the OCR lines but from the page itself, the way the
PDF reader gets it: the ruling lines are found in the image (dark runs that a long thin opening keeps),
handed to pdfplumber's own edge → intersection → cell → table steps, and each OCR character goes to
the cell that holds its centre, as pdfplumber does with a text layer's characters. The thin strips of
double-ruled tables are then folded by the same `logical_rows` the PDF reader uses; every length is
converted to PDF points first, so its thresholds mean the same on an image.

What lies outside every ruled table becomes text lines (titles, header blocks, notes), OCR boxes on
one line joined by a space as pdfplumber's `extract_text_lines` joins words. A page without ruling
lines is left to the caller's column-gap layout.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pdfplumber.table import (
    Table,
    cells_to_tables,
    edges_to_intersections,
    intersections_to_cells,
    merge_edges,
)

from govbudget.parsers.grid import Row, join_wrapped
from govbudget.parsers.readers.pdf_cells import logical_rows

MIN_RULE = 14.0  # points: a rule is at least this long; a character's stroke is shorter
MAX_RULE_WIDTH = 3.0  # points: thicker dark runs are pictures or bold glyphs, not rules
TOLERANCE = 3.0  # points: pdfplumber's default snap / join / intersection tolerances
DARK = 200  # grey level below which a pixel is ink (thin strokes render grey, ~180)
RULE_DARK = 170  # a rule is darker: light cell shading (#BFBFBF and paler) must not swallow the rules in it


@dataclass(frozen=True)
class Char:
    """One OCR character (or a word the engine did not split) in points, top-left origin."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    line: int  # index of the OCR text line it came from


@dataclass
class PageImage:
    """A greyscale page: its ink, the horizontal and the vertical rules in it, and pixels per point."""

    ink: Any  # bool arrays, True where the page is dark / on a rule
    h_rules: Any
    v_rules: Any
    scale: float


def page_image(gray: Any, scale: float) -> PageImage:
    """Find the rules of a greyscale page image (a long thin opening keeps them, not glyph strokes)."""
    import cv2
    import numpy as np

    pixels = np.asarray(gray)
    dark = (pixels < RULE_DARK).astype(np.uint8)
    length = max(3, round(MIN_RULE * scale))
    masks = []
    for kernel, along in (((1, length), (1, 3)), ((length, 1), (3, 1))):
        # a 1-px gap in a scanned rule must not cut it: close along the rule first
        closed = cv2.morphologyEx(dark, cv2.MORPH_CLOSE, np.ones(along, np.uint8))
        masks.append(cv2.morphologyEx(closed, cv2.MORPH_OPEN, np.ones(kernel, np.uint8)).astype(bool))
    return PageImage(pixels < DARK, masks[0], masks[1], scale)


def ruling_edges(page: PageImage) -> list[dict[str, Any]]:
    """The page's horizontal and vertical rules as pdfplumber edges, in points."""
    import cv2
    import numpy as np

    scale = page.scale
    edges: list[dict[str, Any]] = []
    for orientation, mask in (("h", page.h_rules), ("v", page.v_rules)):
        count, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
        for x, y, w, h, _area in stats[1:count]:
            if orientation == "h" and h <= MAX_RULE_WIDTH * scale:
                mid = (y + h / 2) / scale
                edges.append({"x0": x / scale, "x1": (x + w) / scale, "top": mid, "bottom": mid,
                              "width": w / scale, "height": 0.0, "orientation": "h"})
            elif orientation == "v" and w <= MAX_RULE_WIDTH * scale:
                mid = (x + w / 2) / scale
                edges.append({"x0": mid, "x1": mid, "top": y / scale, "bottom": (y + h) / scale,
                              "width": 0.0, "height": h / scale, "orientation": "v"})
    return edges


class OcrTable(Table):
    """A pdfplumber `Table` whose cell texts come from OCR characters instead of a text layer."""

    def __init__(self, cells: list[tuple[float, float, float, float]], chars: list[Char]) -> None:
        super().__init__(None, cells)
        self.chars = chars

    def extract(self, **kwargs: Any) -> list[list[str | None]]:
        """Cell texts row by row, the characters of a cell in reading order (lines joined by `\\n`).

        A frame cell (one drawn around other cells: a title, the header block and the whole grid in
        one rectangle) keeps only the characters above its first inner cell, as `pdf_cells` cuts it
        for a text layer; the inner cells keep their own.
        """
        out: list[list[str | None]] = []
        for row in self.rows:
            texts: list[str | None] = []
            for cell in row.cells:
                if cell is None:
                    texts.append(None)
                    continue
                inside = [c for c in self.chars if _centre_in(c, cell)]
                inner = [b for b in self.cells if b != cell and _contains(cell, b)]
                if inner:
                    first_top = min(b[1] for b in inner)
                    inside = [c for c in inside if (c.top + c.bottom) / 2 < first_top]
                texts.append(cell_text(inside))
            out.append(texts)
        return out


def _contains(outer: tuple[float, ...], inner: tuple[float, ...], slack: float = 0.5) -> bool:
    return (outer[0] - slack <= inner[0] and inner[2] <= outer[2] + slack
            and outer[1] - slack <= inner[1] and inner[3] <= outer[3] + slack)


def _centre_in(char: Char, box: tuple[float, float, float, float]) -> bool:
    x = (char.x0 + char.x1) / 2
    y = (char.top + char.bottom) / 2
    return box[0] <= x < box[2] and box[1] <= y < box[3]


_NUMERIC_GAP = re.compile(r"(?<=[\d,.])\s+(?=[\d,.])")
_WIDE_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_WIDE_POINT = re.compile(r"(?<=\d)(?:．|。(?=\d))")  # `1．` / `3。50`, not a sentence's last `。`
_WIDE_COMMA = re.compile(r"(?<=\d)，(?=\d)")
SPACE_GAP = 0.45  # of the line's height: a wider gap between two characters is a printed space


def _lines(chars: list[Char]) -> list[list[Char]]:
    """Characters grouped into lines, top to bottom: a character whose middle lies within the
    previous line's height joins it."""
    lines: list[list[Char]] = []
    for ch in sorted(chars, key=lambda c: (c.top + c.bottom) / 2):
        mid = (ch.top + ch.bottom) / 2
        if lines and min(c.top for c in lines[-1]) <= mid <= max(c.bottom for c in lines[-1]):
            lines[-1].append(ch)
        else:
            lines.append([ch])
    return lines


def cell_text(chars: list[Char]) -> str:
    """The characters of one cell as printed: lines top to bottom, each left to right.

    Two OCR boxes on one line are two words; inside a box a gap wider than about half a character is
    a space, as pdfplumber spaces a text layer (`1. 一般公共预算资金`), except between two CJK
    characters, whose boxes OCR draws tighter than their glyphs. OCR's own spaces are ignored, since
    it puts them inside figures (`20, 702. 25`).
    """
    lines = _lines(chars)
    texts = []
    for line in lines:
        line.sort(key=lambda c: c.x0)
        text = line[0].text
        for prev, ch in itertools.pairwise(line):
            gap = ch.x0 - prev.x1
            if prev.line != ch.line:  # two OCR boxes: the detector saw white space between them
                spaced = True
            else:
                wide = _wide(text[-1]) and _wide(ch.text[0])
                spaced = gap > SPACE_GAP * (ch.bottom - ch.top) and not wide
            text += (" " if spaced else "") + ch.text
        texts.append(ocr_text(text))
    return "\n".join(texts)


# 人 and 入 differ by one stroke's side and OCR swaps them; in these words only 入 is written.
_CONFUSED = {"收人": "收入", "投人": "投入", "转人": "转入", "纳人": "纳入", "列人": "列入", "调人": "调入"}
_CONFUSED_RE = re.compile("|".join(_CONFUSED))


def ocr_text(text: str) -> str:
    """Undo what OCR cannot know: widths of digits, points and commas, and 人/入 in budget words.

    Stray spaces inside figures (`20, 702. 25`) are removed.
    """
    text = _WIDE_POINT.sub(".", text.translate(_WIDE_DIGITS))
    text = _WIDE_COMMA.sub(",", text)
    text = _CONFUSED_RE.sub(lambda m: _CONFUSED[m.group()], text)
    return _NUMERIC_GAP.sub("", " ".join(text.split()))


def _wide(char: str) -> bool:
    """A CJK character or CJK punctuation: its glyph fills an em box, so no gap beside it is a space."""
    return char >= "\u2e80" and not ("\uff10" <= char <= "\uff19" or char == "．")


def ocr_chars(result: list[Any], scale: float, min_score: float) -> list[Char]:
    """RapidOCR's result with word boxes (`return_word_box=True`) as characters in points.

    Each entry is (line box, text, score, word boxes, words, word scores); an entry without
    word boxes stays one piece spanning its line box.
    """
    chars: list[Char] = []
    for n, entry in enumerate(result or []):
        points, text, score = entry[0], str(entry[1]), float(entry[2])
        if score < min_score or not text.strip():
            continue
        top = min(p[1] for p in points) / scale
        bottom = max(p[1] for p in points) / scale
        boxes = entry[3] if len(entry) > 4 else None
        words = entry[4] if len(entry) > 4 else None
        if not boxes or not words or len(boxes) != len(words):
            xs = [p[0] for p in points]
            chars.append(Char(" ".join(text.split()), min(xs) / scale, max(xs) / scale, top, bottom, n))
            continue
        for box, word in zip(boxes, words, strict=True):
            if not str(word).strip():
                continue
            xs = [p[0] for p in box]
            chars.append(Char(str(word).strip(), min(xs) / scale, max(xs) / scale, top, bottom, n))
    return _without_doubles(chars)


def _without_doubles(chars: list[Char]) -> list[Char]:
    """Drop a character that another OCR box already read at the same place.

    The detector's boxes can overlap at a cell border (`20,702.25` and `5一、一般公共服务支出` both hold
    the last `5`); the second reading would print the digit twice (`20,702.255`).
    """
    ordered = sorted(chars, key=lambda c: c.x0)
    dropped: set[int] = set()
    for i, a in enumerate(ordered):
        if i in dropped:
            continue
        for j in range(i + 1, len(ordered)):
            b = ordered[j]
            if b.x0 >= a.x1:
                break
            overlap = min(a.x1, b.x1) - b.x0
            same_line = a.top < b.bottom and b.top < a.bottom
            if (b.line != a.line and b.text == a.text and same_line
                    and overlap >= 0.5 * min(a.x1 - a.x0, b.x1 - b.x0)):
                dropped.add(j)
    return [c for k, c in enumerate(ordered) if k not in dropped]


Recognise = Callable[[Any], tuple[str, float] | None]


def ruled_rows(chars: list[Char], image: PageImage, page: int,
               recognise: Recognise | None = None) -> list[Row] | None:
    """The page's rows if it has ruled tables (tables and the text lines around them), else None.

    `recognise(box)` reads one line of text in a pixel box (x0, top, x1, bottom) without detection;
    with it, a cell holding ink that no OCR box covers is read again (see `reread_missed`).
    """
    edges = ruling_edges(image)
    if not edges:
        return None
    merged = merge_edges(edges, TOLERANCE, TOLERANCE, TOLERANCE, TOLERANCE)
    cells = intersections_to_cells(edges_to_intersections(merged, TOLERANCE, TOLERANCE))
    tables = [OcrTable(group, chars) for group in cells_to_tables(cells)]
    tables = [t for t in tables if len(t.cells) > 1]
    if not tables:
        return None
    placed: list[tuple[float, int, Row]] = []
    row_no = 0
    for table in sorted(tables, key=lambda t: t.bbox[1]):
        table.chars = [c for c in chars if _centre_in(c, table.bbox)]
        if recognise is not None:
            table.chars = reread_missed(table, image, recognise)
        for top, texts in logical_rows(table):
            row_no += 1
            placed.append((top, 1, Row(texts, "table", {"page": page, "row": row_no})))
    outside = [c for c in chars if not any(_centre_in(c, t.bbox) for t in tables)]
    for n, (top, text) in enumerate(text_lines(outside), start=1):
        placed.append((top, 0, Row((text,), "text", {"page": page, "line": n})))
    placed.sort(key=lambda t: (t[0], t[1]))
    return [r for _, _, r in placed]


MIN_MISSED = 0.3  # of a line's height: uncovered ink smaller than this either way is a speck


def reread_missed(table: OcrTable, image: PageImage, recognise: Recognise) -> list[Char]:
    """The table's characters, with each cell that has ink no OCR box covers read again whole.

    The text detector can leave out a lone stroke at a line's start (`一般公共服务支出` came back as
    `般公共服务支出`); the ink is still there beside the box. A one-line cell with such ink is read
    again by recognition alone over all its ink, and the new reading replaces the old when it is
    longer and holds the old one (a seal or a speck read as text never replaces what was read); a
    cell of several lines is left as it was.
    """
    import numpy as np

    scale = image.scale
    chars = list(table.chars)
    heights = sorted(c.bottom - c.top for c in chars)
    line_h = heights[len(heights) // 2] if heights else 12.0
    ink = image.ink & ~image.h_rules & ~image.v_rules
    for cell in table.cells:
        x0, top, x1, bottom = (round(v * scale) for v in cell)
        pad = max(1, round(MAX_RULE_WIDTH * scale / 2))
        box = ink[top + pad:bottom - pad, x0 + pad:x1 - pad]
        if box.size == 0 or not box.any():
            continue
        inside = [c for c in chars if _centre_in(c, cell)]
        covered = np.zeros_like(box)
        slack = round(MIN_MISSED * line_h * scale / 2)
        for n in {c.line for c in inside}:
            part = [c for c in inside if c.line == n]
            covered[max(0, round(min(c.top for c in part) * scale) - top - pad):
                    max(0, round(max(c.bottom for c in part) * scale) - top - pad),
                    max(0, round(min(c.x0 for c in part) * scale) - x0 - pad - slack):
                    max(0, round(max(c.x1 for c in part) * scale) - x0 - pad + slack)] = True
        missed = box & ~covered
        ys, xs = np.nonzero(missed)
        limit = MIN_MISSED * line_h * scale
        if len(xs) == 0 or (xs.max() - xs.min() < limit and ys.max() - ys.min() < limit):
            continue
        ys, xs = np.nonzero(box)
        ink_top, ink_bottom = (ys.min() + top + pad) / scale, (ys.max() + top + pad + 1) / scale
        if ink_bottom - ink_top > 1.6 * line_h:
            continue
        margin = round(0.2 * line_h * scale)
        found = recognise((xs.min() + x0 + pad - margin, ys.min() + top + pad - margin,
                           xs.max() + x0 + pad + 1 + margin, ys.max() + top + pad + 1 + margin))
        old = "".join(cell_text(inside).split())
        new = "".join(ocr_text(found[0]).split()) if found else ""
        if len(new) <= len(old) or old not in new:  # only ever adds what was missed
            continue
        text = ocr_text(found[0])
        left, right = (xs.min() + x0 + pad) / scale, (xs.max() + x0 + pad + 1) / scale
        chars = [c for c in chars if c not in inside] + [Char(text, left, right, ink_top, ink_bottom, -1)]
    return chars


def text_lines(chars: list[Char]) -> list[tuple[float, str]]:
    """Characters outside the tables as (top, text) lines; OCR lines side by side joined by a space."""
    lines = _lines(chars)
    out = []
    for line in lines:
        text = join_wrapped(cell_text(line).replace("\n", " "))
        if text:
            out.append((min(c.top for c in line), text))
    return out
