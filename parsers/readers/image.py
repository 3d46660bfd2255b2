"""Scanned pages and images through OCR (rapidocr-onnxruntime, whose wheel ships its ONNX models).

OCR returns text boxes, not a grid. A page with ruling lines gets its grid from the lines, exactly as
a PDF's text layer does (ocr_grid.py), so the table finder sees the same rows either way. On a page
without rules, boxes on one line (overlapping vertically) form a row; the columns come from the
x-extents of the boxes of all multi-box rows, merged where they overlap, so a blank cell leaves a gap
instead of shifting the numbers left. A lone box on its line is a text line (titles, header blocks,
notes).
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any

from govbudget.parsers.grid import ReadDocument, Row

MAX_PIXELS = 40_000_000
MIN_SCORE = 0.5
DEFAULT_DPI = 200  # an image that does not say its resolution: the usual scanning resolution


class OcrError(ValueError):
    """The image cannot be read; the message is the reason."""


@lru_cache(maxsize=1)
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def read_image(data: bytes) -> ReadDocument:
    """One image (every frame of a multi-page TIFF) as rows."""
    from PIL import Image, ImageSequence

    try:
        img = Image.open(io.BytesIO(data))
        frames = [f.convert("RGB") for f in ImageSequence.Iterator(img)][:200]
    except Exception as exc:
        raise OcrError(f"image cannot be opened: {type(exc).__name__}: {exc}") from exc
    rows: list[Row] = []
    for page, frame in enumerate(frames, start=1):
        rows.extend(ocr_rows(frame, page, _dpi(frame, img) / 72))
    return ReadDocument(rows=rows, pages=len(frames))


def _dpi(frame: Any, img: Any) -> float:
    """The image's resolution as its file states it (a sane value), else DEFAULT_DPI."""
    info = frame.info.get("dpi") or img.info.get("dpi")
    try:
        dpi = float(info[0]) if info else 0.0
    except (TypeError, ValueError, IndexError):
        dpi = 0.0
    return dpi if 70 <= dpi <= 1200 else DEFAULT_DPI


def ocr_rows(image: Any, page: int, scale: float = DEFAULT_DPI / 72) -> list[Row]:
    """The rows OCR finds on one page image (a PIL image; `scale` pixels per PDF point)."""
    import numpy as np

    from govbudget.parsers.readers.ocr_grid import ocr_chars, page_image, ruled_rows

    if image.width * image.height > MAX_PIXELS:
        raise OcrError(f"page {page} image of {image.width}x{image.height} pixels is too large")
    image = image.convert("RGB")
    pixels = np.asarray(image)
    # No angle classifier: it turns short upright boxes over (`99` read as `66`); pages are upright.
    result, _ = _engine()(pixels, use_cls=False, return_word_box=True)

    def recognise(box: tuple[int, int, int, int]) -> tuple[str, float] | None:
        x0, top, x1, bottom = (max(0, int(v)) for v in box)
        found, _ = _engine()(pixels[top:bottom, x0:x1], use_det=False, use_cls=False, use_rec=True)
        if not found or float(found[0][1]) < MIN_SCORE:
            return None
        return str(found[0][0]), float(found[0][1])

    chars = ocr_chars(result, scale, MIN_SCORE)
    ruled = ruled_rows(chars, page_image(image.convert("L"), scale), page, recognise)
    if ruled is not None:
        return ruled
    boxes = []
    for entry in result or []:
        points, text, score = entry[:3]  # then the word boxes, unused here
        if float(score) < MIN_SCORE or not str(text).strip():
            continue
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        boxes.append((min(xs), max(xs), min(ys), max(ys), " ".join(str(text).split())))
    return _layout(boxes, page, image.width)


def _layout(boxes: list[tuple[float, float, float, float, str]], page: int, width: float) -> list[Row]:
    lines: list[list[tuple[float, float, float, float, str]]] = []
    for box in sorted(boxes, key=lambda b: (b[2] + b[3]) / 2):
        mid = (box[2] + box[3]) / 2
        if lines and lines[-1][0][2] <= mid <= lines[-1][0][3]:
            lines[-1].append(box)
        else:
            lines.append([box])
    bands: list[list[float]] = []
    for line in lines:
        if len(line) < 2:
            continue
        for x0, x1, *_ in line:
            if x1 - x0 > width * 0.4:
                continue
            bands.append([x0, x1])
    bands.sort()
    merged: list[list[float]] = []
    for x0, x1 in bands:
        if merged and x0 <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], x1)
        else:
            merged.append([x0, x1])
    rows: list[Row] = []
    for n, line in enumerate(lines, start=1):
        line.sort(key=lambda b: b[0])
        if len(line) == 1:
            rows.append(Row((line[0][4],), "text", {"page": page, "line": n}))
            continue
        cells = [""] * max(1, len(merged))
        for x0, x1, _, _, text in line:
            mid = (x0 + x1) / 2
            col = next((i for i, (a, b) in enumerate(merged) if a <= mid <= b), None)
            if col is None:
                col = min(range(len(merged)), key=lambda i: abs((merged[i][0] + merged[i][1]) / 2 - mid))
            cells[col] = f"{cells[col]} {text}".strip() if cells[col] else text
        rows.append(Row(tuple(cells), "table", {"page": page, "row": n}))
    return rows
