"""A pdfplumber table as a grid of logical cells, with the thin strips of double-ruled tables removed.

Some real disclosures (Jiangsu 2019, 公开01表…) draw every cell as a box inside a box: the inner and
outer rules stand 5–8 pt apart, and pdfplumber turns each gap into a column or row of its own. A parent
row's amount then lands one column right of its children's (`301 … | | 16,324.07` under `2,827.41 |`)
and its name one row above its amount. No text fits in a strip narrower than a line of text, so those
strips are not columns: each text cell moves to the first full-size column and row it covers, and the
strips are dropped. A table without thin strips comes out exactly as `Table.extract()` gives it.

Some tables are drawn inside a frame: one rectangle around the title, the header block and the whole
grid (js_2017_swbgt_tables pp.3-4). pdfplumber reads the frame as the table's first cell, holding a copy
of every word of the table; only the words above the first inner cell belong to it (the title and
`部门：… 单位：万元`), so the frame cell keeps those and the grid's own cells keep the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from govbudget.parsers.grid import join_wrapped

THIN = 9.0  # points: narrower than one line of 9-pt text, so no cell of its own can start there
EDGE = 0.5  # points: how far a rule may stand off another and still be the same rule


@dataclass(frozen=True)
class Grid:
    """A table's logical rows (top, cell texts) and the left edge of each of its columns."""

    rows: list[tuple[float, tuple[str, ...]]]
    starts: list[float]


def logical_rows(table: Any) -> list[tuple[float, tuple[str, ...]]]:
    """(top, cell texts) of each row of a pdfplumber `Table`, thin rows and columns folded away."""
    return table_grid(table).rows


def table_grid(table: Any) -> Grid:
    """The table's logical rows with its columns' left edges (a continuation is aligned by them)."""
    texts = _framed(table, table.extract())
    rows = table.rows
    _, _, x1, bottom = table.bbox
    xs = _strips(sorted({c[0] for c in table.cells}), x1)
    ys = _strips(sorted({c[1] for c in table.cells}), bottom)
    thin_col = [b - a < THIN for a, b in xs]
    thin_row = [b - a < THIN for a, b in ys]
    if not any(thin_col) and not any(thin_row):
        return Grid([(r.bbox[1], tuple(join_wrapped(c) for c in cells))
                     for cells, r in zip(texts, rows, strict=False)], [a for a, _ in xs])
    placed: dict[tuple[int, int], list[str]] = {}
    for r, (cells, row) in enumerate(zip(texts, rows, strict=False)):
        for j, (text, box) in enumerate(zip(cells, row.cells, strict=False)):
            if box is None or not (text or "").strip():
                continue
            col = _first_full(j, box[2], xs, thin_col)
            top, low = _outer_rows(box, table.cells)
            start = next((k for k, (a, _) in enumerate(ys) if abs(a - top) <= EDGE), r)
            at = _first_full(min(start, r), low, ys, thin_row)
            placed.setdefault((at, col), []).append(text)
    keep_cols = [j for j in range(len(xs)) if not thin_col[j] or any(c == j for _, c in placed)]
    keep_rows = [r for r in range(len(ys)) if not thin_row[r] or any(a == r for a, _ in placed)]
    return Grid([
        (ys[r][0], tuple(join_wrapped("\n".join(placed.get((r, j), []))) for j in keep_cols))
        for r in keep_rows
    ], [xs[j][0] for j in keep_cols])


def _outer_rows(box: tuple[float, ...], cells: list[tuple[float, ...]]) -> tuple[float, float]:
    """The rows a text cell really spans: those of the outer box when it is an inner box of a double rule.

    js_2019_gy p.16 rules its header cell `采购品目大类` twice and a stray inner rule cuts the inner box
    in two (`采购品目大` / `类`); the thin strip of the outer box at its left runs the full height, so
    both halves belong to the rows that strip covers.
    """
    top, low = box[1], box[3]
    for c in cells:
        if (abs(c[2] - box[0]) <= EDGE and c[2] - c[0] < THIN and c[1] <= top + EDGE and c[3] >= low - EDGE
                and c[3] - c[1] > low - top + EDGE):
            top, low = min(top, c[1]), max(low, c[3])
    return top, low


def _framed(table: Any, texts: list[list[str | None]]) -> list[list[str | None]]:
    """`texts` with each frame cell (a cell drawn around other cells) cut to the words above them."""
    page = getattr(table, "page", None)
    if page is None:
        return texts
    out = [list(r) for r in texts]
    boxes = [c for c in table.cells if c]
    for r, row in enumerate(table.rows):
        for j, box in enumerate(row.cells):
            inner = [b for b in boxes if b != box and _inside(b, box)] if box else []
            if not inner:
                continue
            first_top = min(b[1] for b in inner)
            if first_top - box[1] <= EDGE:
                out[r][j] = ""
                continue
            out[r][j] = page.crop((box[0], box[1], box[2], first_top)).extract_text() or ""
    return out


def _inside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    """True when `inner` lies within `outer` (edges may coincide)."""
    return (inner[0] >= outer[0] - EDGE and inner[1] >= outer[1] - EDGE
            and inner[2] <= outer[2] + EDGE and inner[3] <= outer[3] + EDGE)


def _strips(starts: list[float], end: float) -> list[tuple[float, float]]:
    """The grid's strips along one axis: from each cell start to the next (the last to the table edge)."""
    return list(zip(starts, [*starts[1:], end], strict=True))


def _first_full(start: int, hi: float, strips: list[tuple[float, float]], thin: list[bool]) -> int:
    """The first full-size strip from `start` that ends inside the cell (which ends at `hi`)."""
    for k in range(start, len(strips)):
        a, b = strips[k]
        if a >= hi - 0.5:
            break
        if not thin[k] and b <= hi + 0.5:
            return k
    return start


def visible(page: Any) -> Any:
    """The page without what is drawn off it: only objects whose centre lies on the page.

    js_2017_rdbgt p.11 prints 财政拨款支出预算表 and then draws two more tables below the bottom edge
    (tops 841–2670 on an 842-pt page); a viewer never shows them, and the same tables are printed on
    pp.12–15, so reading them would find each table twice.
    """
    x0, top, x1, bottom = page.bbox

    def on_page(obj: dict[str, Any]) -> bool:
        mid_x = (obj["x0"] + obj["x1"]) / 2
        mid_y = (obj["top"] + obj["bottom"]) / 2
        return x0 <= mid_x <= x1 and top <= mid_y <= bottom

    return page.filter(on_page)
