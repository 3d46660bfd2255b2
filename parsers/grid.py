"""The common shape every reader produces: a flat stream of rows of printed cell text.

PDF pages and spreadsheet sheets look nothing alike, but once a page's text lines and table rows are
laid out in reading order they read the same way: a title line, a header block, header rows, data rows.
Table recognition works on this stream only, so it never needs to know which reader produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Row:
    """One line of the document.

    `cells` hold the text as printed ('' for blank); `kind` is "text" for free-standing lines (titles,
    header blocks, notes, narrative) and "table" for rows of a grid; `locator` says where the row is
    (`{"page": 3, "row": 5}` or `{"sheet": "Sheet1", "row": 7}`) and `cell_locator(i)` adds the column.
    """

    cells: tuple[str, ...]
    kind: str
    locator: dict[str, Any]

    @property
    def text(self) -> str:
        """All non-blank cells joined by a space."""
        return " ".join(c for c in self.cells if c)

    @property
    def filled(self) -> list[int]:
        """Indices of the non-blank cells."""
        return [i for i, c in enumerate(self.cells) if c]

    def cell(self, i: int | None) -> str:
        """The cell at i, or '' when the row is shorter (ragged rows are common)."""
        if i is None or i >= len(self.cells) or i < 0:
            return ""
        return self.cells[i]

    def cell_locator(self, i: int) -> dict[str, Any]:
        """The row's locator plus the 1-based column number."""
        return {**self.locator, "col": i + 1}


@dataclass
class ReadDocument:
    """What a reader returns: the row stream, the page (or sheet) count, and reading problems."""

    rows: list[Row]
    pages: int
    warnings: list[str] = field(default_factory=list)
    title: str | None = None  # the file's own title property, when it has one


def join_wrapped(text: str | None) -> str:
    """Join a cell's wrapped lines as printed: CJK lines glue directly, Latin words keep a space."""
    if not text:
        return ""
    parts = [p.strip() for p in str(text).replace("\r", "\n").split("\n")]
    parts = [p for p in parts if p]
    if not parts:
        return ""
    out = parts[0]
    for p in parts[1:]:
        if out[-1].isascii() and out[-1].isalnum() and p[0].isascii() and p[0].isalnum():
            out += " " + p
        else:
            out += p
    return out
