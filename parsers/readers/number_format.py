"""Print a spreadsheet number the way the sheet shows it.

Spreadsheet readers hand back floats (`3200.0`, `903.22`); the record contract wants the printed text
(`3200.00`), which lives in the cell's number format (`0.00`, `#,##0.00`). Without a format, integers
print as integers (`1`) and other values as their shortest decimal (`311.2`).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')


def decimals_of(number_format: str | None) -> tuple[int, int] | None:
    """(min, max) decimals a number format prints, or None for General / unknown / non-numeric."""
    if not number_format or number_format.lower() == "general" or "@" in number_format:
        return None
    section = _QUOTED.sub("", number_format.split(";")[0])
    if "%" in section or not re.search(r"[0#?]", section):
        return None
    if re.search(r"[ymdhs]", section, re.IGNORECASE):
        return None
    m = re.search(r"\.([0#?]+)", section)
    if not m:
        return 0, 0
    frac = m.group(1)
    return frac.count("0"), len(frac)


def format_number(value: float | int, number_format: str | None = None) -> str:
    """The printed text of a numeric cell, via Decimal(str(v)) so no binary noise leaks in."""
    d = Decimal(str(value))
    dec = decimals_of(number_format)
    if dec is None:
        if d == d.to_integral_value():
            return str(d.to_integral_value())
        return format(d.normalize(), "f")
    lo, hi = dec
    d = d.quantize(Decimal(1).scaleb(-hi), rounding=ROUND_HALF_UP)
    text = format(d, "f")
    if hi > lo and "." in text:
        whole, frac = text.split(".")
        frac = frac.rstrip("0")
        frac = frac + "0" * max(0, lo - len(frac))
        text = f"{whole}.{frac}" if frac else whole
    return text
