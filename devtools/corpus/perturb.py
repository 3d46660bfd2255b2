"""New amounts for a variant, recomputed so that every printed sum still holds.

Leaf rows of 支出总表 (7-digit function codes, per measure) and of the 基本支出表 (5-digit economic codes)
get new values; everything else is derived from them: parent codes and 合计 rows as sums, 合计 columns as
the sum of their components, the summary tables' 类 rows by name, the 三公 items from the economic
rows of the same name. The 基本支出表's leaves absorb the rounding so its 合计 equals the 支出总表's
basic total to the cent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from .layouts import column_labels, layout_for, measure_of
from .seedtables import SeedDoc, SeedTable, norm

if TYPE_CHECKING:
    from .variants import Variant

CENT = Decimal("0.01")
_TOTALISH = {"total", "subtotal", "fiscal_appropriation", "general_public_budget"}
_TOTAL_NAMES = {"合计", "本年收入合计", "收入总计", "本年支出合计", "支出总计"}
_ORDINAL = re.compile(r"^[一二三四五六七八九十]+、|^其中[：:]")


def _fmt(value: Decimal) -> str:
    return f"{value.quantize(CENT)}"


def _bare(name: str) -> str:
    return _ORDINAL.sub("", norm(name))


class _Ledger:
    """New leaf values per function code and measure, and the sums a table cell asks for."""

    def __init__(self, table: SeedTable, variant: Variant) -> None:
        layout = layout_for(table)
        if layout is None:
            raise NotImplementedError(f"no layout for {table.title!r}")
        self.labels = column_labels(table, layout)
        rows = table.data_rows()
        codes = [r[1].strip() for r in rows if r[1].strip()]
        self.leaves: dict[str, dict[str, Decimal]] = {}
        for row in rows:
            code = row[1].strip()
            if not code or any(o != code and o.startswith(code) for o in codes):
                continue
            for col in range(3, len(row)):
                measure = measure_of(self.labels.get(col, ""))
                if row[col].strip() and measure not in _TOTALISH:
                    value = _draw(Decimal(row[col]), variant, code, measure)
                    self.leaves.setdefault(code, {})[measure] = value
        self.class_codes = {_bare(r[2]): r[1].strip() for r in rows if len(r[1].strip()) == 3}

    def amount(self, code: str | None, measure: str) -> Decimal | None:
        picked = [v for leaf, vals in self.leaves.items() if code is None or leaf.startswith(code)
                  for m, v in vals.items() if measure in _TOTALISH or m == measure]
        return sum(picked, Decimal(0)) if picked else None


def _draw(value: Decimal, variant: Variant, *key: object) -> Decimal:
    factor = Decimal(str(round(variant.rng(*key).uniform(0.8, 1.2), 4)))
    return (value * variant.scale * factor).quantize(CENT)


class _Rewriter:
    """Sets cells and remembers old -> new amounts, for carrying table figures into the narrative.

    A value kept only where the mapping is unambiguous, or where the 三公 table disambiguates it: the
    narrative states 三公 figures (`公务接待费1万元`) that other rows (`水费 1.00`) share by chance.
    """

    def __init__(self) -> None:
        self.seen: dict[Decimal, set[str]] = {}
        self.preferred: dict[Decimal, set[str]] = {}

    def set(self, row: list[str], col: int, value: Decimal | None, *, preferred: bool = False) -> None:
        if col >= len(row) or not row[col].strip() or value is None:
            return
        self.seen.setdefault(Decimal(row[col]), set()).add(_fmt(value))
        if preferred:
            self.preferred.setdefault(Decimal(row[col]), set()).add(_fmt(value))
        row[col] = _fmt(value)

    def mapping(self) -> dict[Decimal, str]:
        out = {old: next(iter(new)) for old, new in self.seen.items() if len(new) == 1}
        out |= {old: next(iter(new)) for old, new in self.preferred.items() if len(new) == 1}
        return out


def _raw_rows(table: SeedTable) -> Iterable[list[str]]:
    for seg in table.segments:
        yield from seg.rows


def _coded_table(table: SeedTable, ledger: _Ledger, out: _Rewriter) -> None:
    layout = layout_for(table)
    if layout is None:
        return
    labels = column_labels(table, layout)
    for row in _raw_rows(table):
        code = row[1].strip() if len(row) > 1 else ""
        if not code and (len(row) < 3 or norm(row[2]) != "合计"):
            continue
        for col in range(3, len(row)):
            out.set(row, col, ledger.amount(code or None, measure_of(labels.get(col, ""))))


def _summary_table(table: SeedTable, ledger: _Ledger, out: _Rewriter) -> None:
    layout = layout_for(table)
    if layout is None:
        return
    for row in _raw_rows(table):
        for col, (_side, name_col, _code) in layout.amounts.items():
            if col >= len(row) or name_col >= len(row):
                continue
            name = _bare(row[name_col])
            if name in _TOTAL_NAMES or name.startswith("一般公共预算拨款"):
                out.set(row, col, ledger.amount(None, "total"))
            elif name in ledger.class_codes:
                out.set(row, col, ledger.amount(ledger.class_codes[name], "total"))


def _basic_table(table: SeedTable, ledger: _Ledger, variant: Variant, out: _Rewriter) -> dict[str, Decimal]:
    """Rewrite the economic table; return new totals per economic leaf name (for the 三公 items)."""
    rows = table.data_rows()
    codes = [r[1].strip() for r in rows if r[1].strip()]
    leaves: dict[tuple[str, int], Decimal] = {}
    for row in rows:
        code = row[1].strip()
        if code and not any(o != code and o.startswith(code) for o in codes):
            for col in (4, 5):
                if row[col].strip():
                    leaves[(code, col)] = _draw(Decimal(row[col]), variant, "econ", code, col)
    target = ledger.amount(None, "basic")
    if leaves and target is not None:
        biggest = max(leaves, key=lambda k: leaves[k])
        leaves[biggest] += target - sum(leaves.values(), Decimal(0))

    def total(prefix: str | None, cols: tuple[int, ...]) -> Decimal | None:
        vals = [v for (c, col), v in leaves.items()
                if col in cols and (prefix is None or c.startswith(prefix))]
        return sum(vals, Decimal(0)) if vals else None

    names: dict[str, Decimal] = {}
    for row in _raw_rows(table):
        code = row[1].strip() if len(row) > 1 else ""
        if not code and (len(row) < 3 or norm(row[2]) != "合计"):
            continue
        prefix = code or None
        out.set(row, 3, total(prefix, (4, 5)))
        out.set(row, 4, total(prefix, (4,)))
        out.set(row, 5, total(prefix, (5,)))
        if code and len(row) > 2 and (value := total(code, (4, 5))) is not None:
            names[_bare(row[2])] = value
    return names


def _three_public(table: SeedTable, by_name: dict[str, Decimal], variant: Variant, out: _Rewriter) -> None:
    for row in _raw_rows(table):
        if len(row) < 3 or not row[2].strip():
            continue
        value = by_name.get(_bare(row[1]))
        if value is None:
            value = _draw(Decimal(row[2]), variant, "3p", _bare(row[1]))
        for col in range(2, len(row)):
            out.set(row, col, value, preferred=True)


def perturb_amounts(doc: SeedDoc, variant: Variant) -> dict[Decimal, str]:
    """Give `doc` (a private copy) new consistent amounts; return old -> new for the narrative."""
    exp = doc.table("expenditure_summary")
    if exp is None:
        raise NotImplementedError(f"seed {doc.seed_id} has no 支出总表 to draw amounts from")
    ledger = _Ledger(exp, variant)
    out = _Rewriter()
    by_name: dict[str, Decimal] = {}
    for table in doc.tables:
        if table.kind in {"income_summary", "expenditure_summary", "general_budget_expenditure"}:
            _coded_table(table, ledger, out)
        elif table.kind in {"income_expenditure_summary", "fiscal_appropriation_summary"}:
            _summary_table(table, ledger, out)
        elif table.kind == "general_budget_basic_expenditure":
            by_name = _basic_table(table, ledger, variant, out)
    for table in doc.tables:
        if table.kind == "three_public_costs":
            _three_public(table, by_name, variant, out)
    return out.mapping()
