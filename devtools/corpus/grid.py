"""A seed table as one logical grid (header with merged cells, 栏次, data rows) for flowing formats.

DOCX and HTML exports hold a table once, not page by page: the header block is printed once above it,
the two-row header keeps its merged cells, and wrapped names are whole. The PDF renderer works per page
segment instead; this is the shared view for the formats that do not paginate.
"""

from __future__ import annotations

from dataclasses import dataclass

from .layouts import header_cells, layout_for
from .render_pdf import clean_text
from .seedtables import SeedTable, norm, pad


@dataclass(frozen=True)
class Span:
    row: int
    col: int
    rowspan: int
    colspan: int


@dataclass
class Grid:
    width: int
    header: list[list[str]]
    spans: list[Span]
    rows: list[list[str]]


def table_grid(table: SeedTable) -> Grid:
    """Header rows (template cells with the seed's spelling where a layout applies) and logical rows."""
    width = max(table.width, 1)
    layout = layout_for(table)
    spans: list[Span] = []
    if layout is None:
        header = [pad(r, width)[:width] for r in table.header_rows]
    else:
        cells = header_cells(table, layout)
        header = [[""] * width for _ in range(max(c.row + c.rowspan for c in cells))]
        for c in cells:
            header[c.row][c.col] = c.label
            if c.rowspan > 1 or c.colspan > 1:
                spans.append(Span(c.row, c.col, c.rowspan, c.colspan))
        header += [pad(r, width)[:width] for r in table.header_rows if r and norm(r[0]) == "栏次"]
    header = [[clean_text(c) for c in row] for row in header]
    rows = [[clean_text(c) for c in pad(r, width)[:width]] for r in table.data_rows()]
    return Grid(width, header, spans, rows)


def covered(spans: list[Span]) -> set[tuple[int, int]]:
    """Header positions hidden under a merged cell (every position of a span except its top-left)."""
    out = set()
    for s in spans:
        for r in range(s.row, s.row + s.rowspan):
            for c in range(s.col, s.col + s.colspan):
                if (r, c) != (s.row, s.col):
                    out.add((r, c))
    return out
