"""Perturbed copies of a seed: another department, year and amounts, with every sum still adding up.

Parsers and checks must not be tunable to the seed's numbers, so the corpus also serves documents whose
amounts are new but internally consistent: leaf rows are scaled, then parents, 合计 rows, the summary
tables and the 三公 items are recomputed from them in Decimal, the way a budget system would print them.
"""

from __future__ import annotations

import copy
import random
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from .perturb import perturb_amounts
from .seeds import SEEDS
from .seedtables import Paragraph, SeedDoc, parse_seed


@dataclass(frozen=True)
class Variant:
    """What changes: the disclosing body, the budget year, and how amounts are drawn."""

    department: str
    unit_code: str | None
    fiscal_year: int
    scale: Decimal = Decimal("1.0")
    seed: int = 0

    def rng(self, *key: object) -> random.Random:
        """A generator per (variant, key): the same leaf gets the same factor in every table."""
        return random.Random(f"{self.seed}:{self.scale}:" + ":".join(map(str, key)))


_YEAR = re.compile(r"(?<![\d.])(20\d\d)(?![\d.])")


def _retext(text: str, old_dept: str, new_dept: str, delta: int) -> str:
    text = text.replace(old_dept, new_dept)
    return _YEAR.sub(lambda m: str(int(m.group(1)) + delta), text) if delta else text


@cache
def load_document(seed_id: str, variant: Variant | None = None) -> SeedDoc:
    """The seed's document, perturbed by `variant` when given (cached; treat as read-only)."""
    if variant is None:
        return parse_seed(seed_id)
    info = SEEDS[seed_id]
    doc = copy.deepcopy(parse_seed(seed_id))
    # Seeds with no 支出总表 (performance tables and narrative only) change department and years only.
    amount_map = perturb_amounts(doc, variant) if doc.table("expenditure_summary") else {}
    delta = variant.fiscal_year - info.fiscal_year
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            text = _reamount(block.text, amount_map)
            block.text = _retext(text, info.department, variant.department, delta)
            continue
        if block.title:
            block.title = _retext(block.title, info.department, variant.department, delta)
        block.notes = [_retext(n, info.department, variant.department, delta) for n in block.notes]
        for seg in block.segments:
            seg.header_block = [_rehead(line, info, variant, delta) for line in seg.header_block]
            for rows in (seg.header_rows, seg.rows):
                for row in rows:
                    row[:] = [_retext(c, info.department, variant.department, delta) for c in row]
            _recode(seg.header_rows + seg.rows, info.unit_code, variant.unit_code)
    return doc


def _recode(rows: list[list[str]], code: str | None, new: str | None) -> None:
    """The variant's code in a `单位编码` column too (seed 001 lists `481` and `481001`), not only headers."""
    if not code or not new:
        return
    col = None
    for row in rows:
        if col is None:
            col = next((i for i, c in enumerate(row) if "".join(c.split()) in ("单位编码", "单位代码")), None)
        elif col < len(row) and re.fullmatch(rf"{code}\d*", row[col].strip()):
            row[col] = new + row[col].strip()[len(code):]


def _rehead(line: str, info: object, variant: Variant, delta: int) -> str:
    code = getattr(info, "unit_code", None)
    if code and variant.unit_code and re.match(rf"^{code}(?!\d)", line):
        line = variant.unit_code + line[len(code) :]
    return _retext(line, getattr(info, "department", ""), variant.department, delta)


_NARRATIVE_AMOUNT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(?=\s*万元)")


def _reamount(text: str, amount_map: dict[Decimal, str]) -> str:
    """Carry the new totals into the narrative where a sentence states a table figure (`5873.35万元`)."""

    def swap(m: re.Match[str]) -> str:
        return amount_map.get(Decimal(m.group(1)), m.group(1))

    return _NARRATIVE_AMOUNT.sub(swap, text)
