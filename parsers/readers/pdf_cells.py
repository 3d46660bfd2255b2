"""A pdfplumber table as a grid of logical cells, with the thin strips of double-ruled tables removed.

Some real disclosures (Jiangsu 2019, 公开01表…) draw every cell as a box inside a box: the inner and
outer rules stand 5–8 pt apart, and pdfplumber turns each gap into a column or row of its own. A parent
row's amount then lands one column right of its children's (`301 … | | 16,324.07` under `2,827.41 |`)
and its name one row above its amount. No text fits in a strip narrower than a line of text, so those
strips are not columns: each text cell moves to the first full-size column and row it covers, and the
strips are dropped. A table without thin strips comes out exactly as `Table.extract()` gives it.
"""

from __future__ import annotations

from typing import Any

from govbudget.parsers.grid import join_wrapped

THIN = 9.0  # points: narrower than one line of 9-pt text, so no cell of its own can start there


def logical_rows(table: Any) -> list[tuple[float, tuple[str, ...]]]:
    """(top, cell texts) of each row of a pdfplumber `Table`, thin rows and columns folded away."""
    texts = table.extract()
    rows = table.rows
    _, _, x1, bottom = table.bbox
    xs = _strips(sorted({c[0] for c in table.cells}), x1)
    ys = _strips(sorted({c[1] for c in table.cells}), bottom)
    thin_col = [b - a < THIN for a, b in xs]
    thin_row = [b - a < THIN for a, b in ys]
    if not any(thin_col) and not any(thin_row):
        return [(r.bbox[1], tuple(join_wrapped(c) for c in cells))
                for cells, r in zip(texts, rows, strict=False)]
    placed: dict[tuple[int, int], list[str]] = {}
    for r, (cells, row) in enumerate(zip(texts, rows, strict=False)):
        for j, (text, box) in enumerate(zip(cells, row.cells, strict=False)):
            if box is None or not (text or "").strip():
                continue
            col = _first_full(j, box[2], xs, thin_col)
            at = _first_full(r, box[3], ys, thin_row)
            placed.setdefault((at, col), []).append(text)
    keep_cols = [j for j in range(len(xs)) if not thin_col[j] or any(c == j for _, c in placed)]
    keep_rows = [r for r in range(len(ys)) if not thin_row[r] or any(a == r for a, _ in placed)]
    return [
        (ys[r][0], tuple(join_wrapped("\n".join(placed.get((r, j), []))) for j in keep_cols))
        for r in keep_rows
    ]


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
