"""Indicators listed inside one cell (seed 001): headings and numbered items instead of a grid.

The cell reads `一、产出指标 (一) 数量指标 1.离休干部人数 6人 2. 离休干部健康检查次数 ≥6次 …`: level-1
headings `一、…指标`, level-2 headings `(一) …指标`, then items `n. name target`. In HTML the pieces are
`<p>`/`<b>` paragraphs; in a PDF the paragraphs are glued (`6人2. 离休…`), so items are found by their
expected ordinal (1, 2, 3 … after each heading), which a number inside a name or target cannot fake.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TAGS = re.compile(r"</?(p|b|br|strong|span|div)[^>]*>", re.IGNORECASE)
_LEVEL1 = re.compile(r"[一二三四五六七八九十]+\s*、\s*(?P<name>[^\s、(（<>]{1,10}?指标)[:：]?")
_LEVEL2 = re.compile(r"[(（]\s*[一二三四五六七八九十]+\s*[)）]\s*(?P<name>[^\s(（<>]{1,14}?指标)[:：]?")
_MATH = re.compile(r"<math>.*?</math>\S*")
_TRAILING_TARGET = re.compile(
    r"^(?P<name>.*?[^\d.\s≥≤<>=])\s*(?P<raw>(?:[≥≤<>]=?|=|>=|<=)?\s*\d+(?:\.\d+)?[^\d\s]{0,8})$"
)


@dataclass
class CellIndicator:
    """One item of the list with the headings above it."""

    level1: str | None
    level2: str | None
    level3: str
    raw: str


def looks_like_list(text: str) -> bool:
    """True when a cell holds an indicator list (a level-1 heading and a numbered item)."""
    return bool(_LEVEL1.search(_TAGS.sub(" ", text or ""))) and bool(re.search(r"\d", text or ""))


def cell_indicators(text: str) -> list[CellIndicator]:
    """The items of an indicator-list cell in printed order."""
    flat = " ".join(_TAGS.sub(" ", text or "").split())
    heads = sorted(
        [(m.start(), m.end(), 1, m.group("name")) for m in _LEVEL1.finditer(flat)]
        + [(m.start(), m.end(), 2, m.group("name")) for m in _LEVEL2.finditer(flat)]
    )
    out: list[CellIndicator] = []
    level1 = level2 = None
    bounds = [*heads, (len(flat), len(flat), 0, "")]
    pos = 0
    for start, end, depth, name in bounds:
        out.extend(_items(flat[pos:start], level1, level2))
        if depth == 1:
            level1, level2 = name, None
        elif depth == 2:
            level2 = name
        pos = end
    return out


def _items(segment: str, level1: str | None, level2: str | None) -> list[CellIndicator]:
    segment = segment.strip()
    if not segment:
        return []
    starts: list[tuple[int, int]] = []
    n, pos = 1, 0
    while True:
        pattern = rf"(?<![\d.]){n}\s*[.．、]" + ("?" if n == 1 else "") + r"(?!\d)\s*"
        m = re.compile(pattern).search(segment, pos)
        if not m or (n == 1 and m.start() != 0):
            break
        starts.append((m.start(), m.end()))
        n, pos = n + 1, m.end()
    if not starts:
        return []
    out = []
    for k, (_, body_start) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(segment)
        name, raw = split_name_target(segment[body_start:end].strip())
        if name or raw:
            out.append(CellIndicator(level1, level2, name, raw))
    return out


def split_name_target(item: str) -> tuple[str, str]:
    """`离休干部人数 6人` → (`离休干部人数`, `6人`); the target is the last word or the trailing number."""
    item = item.strip()
    if m := _MATH.search(item):
        return item[: m.start()].strip(), item[m.start():].strip()
    if " " in item:
        name, raw = item.rsplit(" ", 1)
        return name.strip(), raw.strip()
    if m := _TRAILING_TARGET.match(item):
        return m.group("name").strip(), m.group("raw").strip()
    return item, ""
