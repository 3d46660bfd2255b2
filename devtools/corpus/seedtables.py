"""Read a seed's text into its tables (with their page segments) and narrative paragraphs.

The renderers reproduce a seed's layout, so this keeps what a parser has to cope with: the title printed
once, the header block (`207 邯郸市医疗保障局` / `预算年度：2022` / `单位：万元`) and header rows repeated
on every page segment, a wrapped name continuing on the next page, declared-empty notes. Nothing here
interprets amounts; `truth.py` does that on the logical rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from .seeds import SEEDS, load_text

_LEADERS = re.compile(r"\.{4,}")
_HEADER_BLOCK = re.compile(
    r"^(\d{3,6}\s*[^\s，。：:、.]+|(预算年度|单位|截止时间)[：:].*|[（(]?\d{4}[）)]?年度)$"
)
_KIND_PATTERNS: list[tuple[str, str]] = [
    ("fiscal_appropriation_summary", r"财政拨款收支总表"),
    ("income_expenditure_summary", r"收支总表"),
    ("income_summary", r"收入总表"),
    ("expenditure_summary", r"支出总表"),
    ("general_budget_basic_expenditure", r"一般公共预算.*基本支出表"),
    ("general_budget_expenditure", r"一般公共预算.*支出表"),
    ("government_fund_expenditure", r"政府性?基金预算.*支出表"),
    ("state_capital_expenditure", r"国有资本经营预算.*支出表"),
    ("three_public_costs", r"三公"),
    ("overall_performance_targets", r"整体.*绩效"),
    ("performance_targets", r"绩效目标"),
    ("project_expenditure", r"项目支出表"),
    ("government_procurement", r"政府采购预算"),
    ("state_assets", r"固定资产|国有资产"),
]
PERFORMANCE_KINDS = {"performance_targets", "overall_performance_targets"}


def norm(text: str) -> str:
    """Whitespace-free form of a cell, for matching printed labels such as `项  目`."""
    return re.sub(r"\s+", "", text)


def table_kind(title: str | None) -> str | None:
    """Map a printed table title to the SCHEMA.md `table_kind` vocabulary."""
    if not title:
        return None
    flat = norm(title)
    for kind, pattern in _KIND_PATTERNS:
        if re.search(pattern, flat):
            return kind
    return None


def is_header_block_line(text: str) -> bool:
    """True for the lines above a table's header rows: unit code + name, 预算年度, 单位, 截止时间."""
    return bool(_HEADER_BLOCK.match(text.strip()))


@dataclass
class Segment:
    """One page's piece of a table, exactly as the seed splits it."""

    header_block: list[str] = field(default_factory=list)
    header_rows: list[list[str]] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class SeedTable:
    """A table of the seed. Treat as read-only: parsed seeds are cached and shared."""

    title: str | None
    kind: str | None
    segments: list[Segment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def header_block(self) -> list[str]:
        return self.segments[0].header_block if self.segments else []

    @property
    def header_rows(self) -> list[list[str]]:
        return self.segments[0].header_rows if self.segments else []

    @property
    def width(self) -> int:
        """Column count: the `栏次` row's when printed (the reliable key), else the widest row."""
        for row in self.header_rows:
            if row and norm(row[0]) == "栏次":
                return len(row)
        rows = [r for s in self.segments for r in s.header_rows + s.rows]
        return max((len(r) for r in rows), default=0)

    @property
    def declared_empty(self) -> bool:
        return any("空表列示" in n for n in self.notes) and not self.data_rows()

    def data_rows(self) -> list[list[str]]:
        """Logical data rows: segments stitched, wrapped-name fragments glued, blank rows dropped.

        A fragment is a row with no 序号, no code and no amount, only a name piece (`事务` after a page
        break): it belongs to the last row of the previous segment. In performance tables the fragment
        is the tail of the last column (指标值确定依据).
        """
        perf = self.kind in PERFORMANCE_KINDS
        out: list[list[str]] = []
        for seg in self.segments:
            for row in seg.rows:
                cells = pad(row, self.width)
                if not any(c.strip() for c in cells):
                    continue
                filled = [i for i, c in enumerate(cells) if c.strip()]
                glue = self.width - 1 if perf else 2
                if out and filled == [glue] and glue > 0 and (perf or not cells[0].strip()):
                    out[-1] = list(out[-1])
                    out[-1][glue] = out[-1][glue] + cells[glue].strip()
                    continue
                out.append(cells)
        return out


@dataclass
class Paragraph:
    text: str


Block = Paragraph | SeedTable


@dataclass
class SeedDoc:
    """A parsed seed: narrative paragraphs and tables in reading order."""

    seed_id: str
    blocks: list[Block]

    @property
    def tables(self) -> list[SeedTable]:
        return [b for b in self.blocks if isinstance(b, SeedTable)]

    def table(self, kind: str) -> SeedTable | None:
        return next((t for t in self.tables if t.kind == kind), None)


def pad(row: list[str], width: int) -> list[str]:
    return list(row) + [""] * (width - len(row))


# ---- tokenising: both layouts become a list of items ------------------------------------------------

_BLANK = None
Item = str | list[str] | None  # text line, table row, blank


def _items_tsv(text: str) -> list[Item]:
    items: list[Item] = []
    for line in text.splitlines():
        if not line.strip():
            items.append(_BLANK)
        elif "\t" in line and not _LEADERS.search(line):
            cells = [c.strip() for c in line.split("\t")]
            if all(re.fullmatch(r"-*", c) for c in cells):  # markdown rule row (seed 001)
                continue
            items.append(cells)
        else:
            items.append(line.replace("\t", " ").strip())
    return items


def _items_cells(text: str) -> list[Item]:
    items: list[Item] = []
    row: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("\t"):
            row = row if row is not None else []
            row.append(line[1:].strip())
        elif not line.strip():
            if row is not None:
                items.append(row)
                row = None
            items.append(_BLANK)
        elif row is not None:  # a cell wrapped onto the next line
            row[-1] = f"{row[-1]}\n{line.strip()}"
        else:
            items.append(line.strip())
    if row is not None:
        items.append(row)
    return items


# ---- assembling tables ------------------------------------------------------------------------------


def _header_like(item: Item) -> bool:
    if isinstance(item, str):
        return is_header_block_line(item)
    if isinstance(item, list):
        cells = [c for c in item if c.strip()]
        return bool(cells) and all(is_header_block_line(c) for c in cells)
    return False


def _block_lines(item: Item) -> list[str]:
    if isinstance(item, str):
        return [item]
    return [c for c in item or [] if c.strip()] if isinstance(item, list) else []


def _starts_table(items: list[Item], i: int) -> bool:
    """A text line is a table title when only header-block lines stand between it and a row."""
    j = i + 1
    while j < len(items):
        it = items[j]
        if it is _BLANK or _header_like(it):
            j += 1
            continue
        return isinstance(it, list)
    return False


def _split_header(seg: Segment, kind: str | None) -> None:
    rows = seg.rows
    idx = next((k for k, r in enumerate(rows) if r and norm(r[0]) == "栏次"), None)
    if idx is None and kind in PERFORMANCE_KINDS:
        idx = next((k for k, r in enumerate(rows[:3]) if any(norm(c) == "一级指标" for c in r)), None)
    if idx is None and kind == "government_procurement":
        amounts = [k for k, r in enumerate(rows) if any(re.fullmatch(r"[\d,.]+", c.strip()) for c in r)]
        idx = (amounts[0] if amounts else len(rows)) - 1
    if idx is None and kind not in PERFORMANCE_KINDS and rows:
        idx = 0
    if idx is not None:
        seg.header_rows, seg.rows = rows[: idx + 1], rows[idx + 1 :]


def _merge_broken_rows(table: SeedTable) -> None:
    """Glue a row the text split at a blank line (seed 003's `15` / `2101399 …`) when widths add up."""
    width = table.width
    for seg in table.segments:
        merged: list[list[str]] = []
        k = 0
        while k < len(seg.rows):
            row = seg.rows[k]
            nxt = seg.rows[k + 1] if k + 1 < len(seg.rows) else None
            if nxt is not None and len(row) < width and len(row) + len(nxt) == width:
                merged.append(row + nxt)
                k += 2
                continue
            merged.append(row)
            k += 1
        seg.rows = merged


def _finish(table: SeedTable) -> SeedTable:
    if table.kind is None and any(norm(c) == "一级指标" for s in table.segments for r in s.rows for c in r):
        table.kind = "performance_targets"
    for seg in table.segments:
        _split_header(seg, table.kind)
    _merge_broken_rows(table)
    return table


def _read_table(items: list[Item], i: int, title: str | None) -> tuple[SeedTable, int]:
    table = SeedTable(title=title, kind=table_kind(title))
    seg = Segment()
    table.segments.append(seg)
    seen_rows: list[list[str]] = []
    while i < len(items):
        it = items[i]
        if it is _BLANK:
            i += 1
        elif _header_like(it):
            if seg.rows:
                seg = Segment()
                table.segments.append(seg)
            seg.header_block.extend(_block_lines(it))
            i += 1
        elif isinstance(it, list):
            head = seen_rows[:3]
            if seg.rows and it in head and seg.rows[-1] not in head and norm("".join(it)):
                seg = Segment()  # a header row repeated after a page break, without a header block
                table.segments.append(seg)
            seg.rows.append(it)
            seen_rows.append(it)
            i += 1
        elif it.startswith("注："):
            table.notes.append(it)
            i += 1
        else:
            break
    return _finish(table), i


def parse_text(seed_id: str, text: str) -> SeedDoc:
    """Parse seed text laid out as `SEEDS[seed_id].layout` says."""
    layout = SEEDS[seed_id].layout if seed_id in SEEDS else "tsv"
    items = _items_cells(text) if layout == "cells" else _items_tsv(text)
    blocks: list[Block] = []
    i = 0
    while i < len(items):
        it = items[i]
        if it is _BLANK:
            i += 1
        elif isinstance(it, list):
            table, i = _read_table(items, i, None)
            blocks.append(table)
        elif _starts_table(items, i):
            table, i = _read_table(items, i + 1, _clean_title(it))
            blocks.append(table)
        else:
            blocks.append(Paragraph(it))
            i += 1
    return SeedDoc(seed_id, blocks)


def _clean_title(text: str) -> str:
    text = re.sub(r"^\[bookmark:[^\]]*\]", "", text)
    return re.sub(r"^#+\s*", "", text).strip()


@cache
def parse_seed(seed_id: str) -> SeedDoc:
    """The seed's tables and paragraphs (cached; do not mutate, `variants` works on copies)."""
    return parse_text(seed_id, load_text(seed_id))
