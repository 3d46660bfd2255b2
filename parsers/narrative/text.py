"""The narrative (情况说明) as clean sentences.

A PDF gives the narrative as wrapped lines; conversions leave artifacts (`**一般公共预算拨款收入**`,
`- 1.` bullets, `2022 年` with a space between CJK and digits: seed002_quirks.md #19). Lines are glued
back into paragraphs (a heading such as `三、机关运行经费安排情况` starts a new one), artifacts are
removed, and paragraphs are cut into sentences at `。` and `；`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from govbudget.parsers.grid import Row

_HEADING = re.compile(
    r"^([一二三四五六七八九十]+、|\d+\s*[、.．](?!\d)|[（(][一二三四五六七八九十\d]+[)）]|第[一二三四五六七八九十]+部分)"
)
_CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”（）：，。；]"
_SENTENCE_END = re.compile(r"(?<=[。；;！？])")
MAX_SENTENCE = 600
MAX_HEADING = 40


@dataclass
class Sentence:
    """One sentence with the row it starts on (its provenance)."""

    text: str
    locator: dict[str, Any]


def normalize(text: str) -> str:
    """Remove conversion artifacts and the spaces a converter puts between CJK and digits."""
    text = text.replace("**", "").replace("\u00a0", " ")
    text = re.sub(r"^\s*[-•·]\s+", "", text)
    text = re.sub(rf"(?<={_CJK})\s+(?=[\d.])", "", text)
    text = re.sub(rf"(?<=[\d%])\s+(?={_CJK})", "", text)
    text = re.sub(rf"(?<={_CJK})\s+(?={_CJK})", "", text)
    return " ".join(text.split())


def sentences(rows: list[Row]) -> list[Sentence]:
    """Sentences of the document's free text, in reading order."""
    paragraphs: list[tuple[str, dict[str, Any]]] = []
    for row in rows:
        if row.kind != "text" or not row.text.strip():
            if paragraphs and paragraphs[-1][0]:
                paragraphs.append(("", row.locator))  # a table interrupts the paragraph
            continue
        line = normalize(row.text)
        if _is_heading(line):
            paragraphs += [(line, row.locator), ("", row.locator)]  # a heading is its own paragraph
        elif not paragraphs or not paragraphs[-1][0] or _HEADING.match(line):
            paragraphs.append((line, row.locator))
        else:
            text, loc = paragraphs[-1]
            paragraphs[-1] = (_join(text, line), loc)
    out: list[Sentence] = []
    for text, loc in paragraphs:
        for piece in _SENTENCE_END.split(text):
            piece = piece.strip()
            if piece:
                out.append(Sentence(piece[:MAX_SENTENCE], loc))
    return out


def _is_heading(line: str) -> bool:
    """`三、机关运行经费安排情况`: a numbered short line without sentence punctuation."""
    return bool(_HEADING.match(line)) and len(line) <= MAX_HEADING and not re.search(r"[，。；：:,]", line)


def _join(left: str, right: str) -> str:
    latin = left and right and left[-1].isascii() and right[0].isascii()
    if latin and left[-1].isalpha() and right[0].isalpha():
        return f"{left} {right}"
    return left + right
