"""Put the first grid of a page on the columns of the table it continues from the previous page.

A page break may change how a table is ruled: js_2017_rdbgt prints its 收支预算总表 over pp.7-9 with
eight columns (two blank gutters) on p.7, six on p.8, and on p.9 a grid shared with the next table
(收入预算总表 starts in the same ruling), whose rules cut columns of their own. Each page would then give
the table another column map, and the rows of pp.8-9 would land in the wrong measures or none.

The previous page's last table is continued when the new page's first grid starts at the left edge of
one of its columns and no title is printed above it (js_2017_swbgt_tables p.13 drops the blank first
column that the frame around p.12's title left). Each printed cell then moves to the previous table's
column whose left edge is the last one at or before the cell's own left edge (give or take the gap of
a double rule: js_2019_gy p.16 folds to the inner rules, p.17 is ruled once, 6 pt further left); if two
cells of one row would land in the same column the page is left as read (a guess that does not fit
would mix measures). The mapping stops at the first row that is a table title (the next table, ruled
in the same grid).

A row may also be printed above the continued grid's first rule (js_2019_gy p.17: `会议费 110.05` as a
text line over the grid); a line there that holds an amount is put into the carried columns by the left
edges of its words (`place_words`), so it stays a row of the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from govbudget.parsers.grid import Row
from govbudget.parsers.readers.pdf_cells import THIN, Grid
from govbudget.parsers.tables.segments import title_of


@dataclass(frozen=True)
class Carry:
    """Where the previous page's last table stands: its left edge and its columns' left edges."""

    x0: float
    starts: list[float]

    def after_text(self, text: str) -> Carry | None:
        """None when a title follows the table on its page (the next page's grid belongs to it)."""
        return None if _is_title((text,)) else self


def continue_grid(
    grid: Grid, bbox: tuple[float, float, float, float], carry: Carry | None, above: list[str]
) -> tuple[Grid, Carry | None, list[float] | None]:
    """The page's first grid on the carried columns, the carry for the page after it, and the columns
    the grid's first rows now stand on (None when the grid continues nothing and is left as read).

    The returned carry is None when the grid's own columns are the ones to carry on.
    """
    if carry is None or any(_is_title((t,)) for t in above):
        return grid, None, None
    if all(abs(bbox[0] - x) > THIN for x in (carry.x0, *carry.starts)):
        return grid, None, None  # it starts where no column of the previous table starts: another table
    head: list[tuple[float, tuple[str, ...]]] = []
    for n, (top, texts) in enumerate(grid.rows):
        if _is_title(texts):
            rest = grid.rows[n:]
            if not head:
                return grid, None, None
            return Grid(head + rest, grid.starts), Carry(bbox[0], grid.starts), carry.starts
        moved = _move(texts, grid.starts, carry.starts)
        if moved is None:
            return grid, None, None
        head.append((top, moved))
    return Grid(head, carry.starts), carry, carry.starts


def place_words(words: list[tuple[float, str]], starts: list[float]) -> tuple[str, ...]:
    """Words of a line printed outside the grid (x0, text) put into the columns they stand in."""
    out = [""] * len(starts)
    for x, text in words:
        k = _column(x, starts)
        if k is not None:
            out[k] = f"{out[k]} {text}".strip()
    return tuple(out)


def _column(x: float, starts: list[float]) -> int | None:
    """The column whose left edge is the last one at or before `x` (a double rule's gap allowed)."""
    return max((i for i, t in enumerate(starts) if t <= x + THIN), default=None)


def _is_title(texts: tuple[str, ...]) -> bool:
    return title_of(Row(texts, "text", {}))[0] is not None


def _move(texts: tuple[str, ...], starts: list[float], target: list[float]) -> tuple[str, ...] | None:
    """`texts` on the target columns, or None when two cells would share one column."""
    out = [""] * len(target)
    for text, x in zip(texts, starts, strict=False):
        if not text.strip():
            continue
        k = _column(x, target)
        if k is None or out[k]:
            return None
        out[k] = text
    return tuple(out)
