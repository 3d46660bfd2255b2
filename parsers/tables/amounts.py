"""Printed numbers → decimal strings and yuan.

Amounts stay as printed (`3200.00` keeps its zeros, `1` stays `1`) so a record can be compared with the
source; only noise is removed (thousands separators, full-width digits, a dash printed for zero).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－", "0123456789.,-")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_ZERO_DASHES = {"-", "—", "–", "--", "——"}
_FACTORS = {"万元": Decimal(10000), "元": Decimal(1), "千元": Decimal(1000), "亿元": Decimal(100000000)}
_CENT = Decimal("0.01")


def parse_amount(text: str) -> str | None:
    """The amount as a decimal string, or None when the cell holds no number (blank or words)."""
    s = (text or "").translate(_FULLWIDTH).strip()
    if not s:
        return None
    if s in _ZERO_DASHES:
        return "0"
    s = s.replace(",", "").replace(" ", "").lstrip("+")
    if s.startswith("(") and s.endswith(")"):
        s = "-" + s[1:-1]
    return s if _NUMBER.match(s) else None


def to_yuan(amount: str, unit: str | None) -> str | None:
    """The amount in yuan, to the cent (`903.22` 万元 → `9032200.00`); None when the unit is unknown."""
    factor = _FACTORS.get(unit or "")
    if factor is None:
        return None
    try:
        return str((Decimal(amount) * factor).quantize(_CENT))
    except InvalidOperation:
        return None
