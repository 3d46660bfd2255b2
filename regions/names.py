"""Which GB/T 2260 division a printed text names: ``秦皇岛市北戴河区医疗保障局`` → 130304.

A text is read left to right for division names, longest first: full names (``临漳县``, ``北戴河区``),
and short names without the level word (``临漳``, ``大厂`` for 大厂回族自治县, ``门源县`` for
门源回族自治县). Names that follow one another form a chain: each must lie under the one before, so a
city or province prefix picks one of several 同名 counties (``北京市朝阳区`` against 长春's 朝阳区). The
deepest division of the first chain is what the text names.

A short name is weak evidence: it counts only at the start of the text or right after its own city or
province, never right before an office word (``公安局`` is no mention of 公安县), and only when it names
one division; two-character names that are generic words (城区, 矿区, 郊区) count only after their city.
A name that several divisions share is narrowed by ``context`` (the codes other evidence gives, such as
the portal's or the crawl's region), and dropped when that leaves more or fewer than one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from govbudget.regions.divisions import Division, all_divisions

_LEVEL_WORDS = (
    "特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "自治旗",
    "地区", "省", "市", "区", "县", "旗", "盟",
)  # fmt: skip
# The peoples GB/T 2260 names in autonomous divisions (满族蒙古族自治县: several in a row).
_PEOPLES = (
    "达斡尔", "鄂温克", "鄂伦春", "哈萨克", "塔吉克", "维吾尔", "柯尔克孜", "蒙古", "土家", "布依", "哈尼",
    "纳西", "撒拉", "保安", "东乡", "仡佬", "仫佬", "毛南", "拉祜", "傈僳", "景颇", "独龙", "普米", "锡伯",
    "朝鲜", "裕固", "各族", "回", "满", "藏", "彝", "苗", "壮", "瑶", "侗", "傣", "黎", "白", "羌", "土",
    "水", "畲", "佤", "怒",
)  # fmt: skip
_ETHNIC_AUTONOMY = re.compile("(?:(?:" + "|".join(_PEOPLES) + ")族)+自治(?:县|旗|州)$")
_LEVEL_SUFFIX = re.compile("(?:" + "|".join(_LEVEL_WORDS) + ")$")
# What may stand before a mention that opens a text: years, numbering, brackets, 关于.
_OPENING = re.compile(r"^(?:[\d\s年度第（()）【】\[\]《》<>\-_.、:：，,\"“”]|关于)*$")
# Office words: a short name right before one of these is part of an office's name (公安局, 民政厅).
_OFFICE_AFTER = "局厅委部办处科室站所院队会"
_DIVISION_TAIL = "省市区县旗盟州"


def short_name(name: str) -> str:
    """``大厂回族自治县`` → ``大厂``, ``临漳县`` → ``临漳``, ``广西壮族自治区`` → ``广西``."""
    short = _ETHNIC_AUTONOMY.sub("", name)
    if short == name:
        short = _LEVEL_SUFFIX.sub("", name)
    return short or name


@dataclass(frozen=True)
class Mention:
    """A division name found in a text at ``[start, end)``: the divisions it may be, and how it was named."""

    start: int
    end: int
    codes: tuple[str, ...]
    short: bool


@cache
def _aliases() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], int]:
    """(full name → codes, short name → codes, longest name length)."""
    full: dict[str, list[str]] = {}
    short: dict[str, list[str]] = {}
    for d in all_divisions().values():
        full.setdefault(d.name, []).append(d.code)
        s = short_name(d.name)
        if s != d.name and len(s) >= 2:
            short.setdefault(s, []).append(d.code)
    longest = max(len(n) for n in full)
    return ({k: tuple(v) for k, v in full.items()}, {k: tuple(v) for k, v in short.items()}, longest)


def mentions(text: str) -> list[Mention]:
    """Division names in ``text`` (spaces removed), left to right, longest match first."""
    text = re.sub(r"\s+", "", text or "")
    full, short, longest = _aliases()
    out: list[Mention] = []
    i = 0
    while i < len(text):
        for size in range(min(longest, len(text) - i), 1, -1):
            word = text[i:i + size]
            if word in full:
                # 城区, 矿区, 郊区: generic words unless a city names them
                out.append(Mention(i, i + size, full[word], short=size == 2 and word.endswith("区")))
                i += size
                break
            if word in short:
                end = i + size
                tail = end < len(text) and text[end] in _DIVISION_TAIL
                out.append(Mention(i, end + (1 if tail else 0), short[word], short=not tail))
                i = end + (1 if tail else 0)
                break
        else:
            i += 1
    return out


def is_under(code: str, ancestor: str) -> bool:
    """``code`` is ``ancestor`` or lies under it (130304 under 130300 and 130000)."""
    divisions = all_divisions()
    current: str | None = code
    while current is not None:
        if current == ancestor:
            return True
        div = divisions.get(current)
        current = div.parent if div else None
    return False


def _narrow(codes: Sequence[str], context: Sequence[str]) -> list[str]:
    """The candidates that agree with the context codes (under one, or above one), when any do."""
    for ctx in context:
        agreeing = [c for c in codes if is_under(c, ctx) or is_under(ctx, c)]
        if agreeing:
            return agreeing
    return list(codes)


def named_in(text: str, context: Sequence[str] = ()) -> Division | None:
    """The deepest division of the first chain of names in ``text``, or None when it names none surely."""
    clean = re.sub(r"\s+", "", text or "")
    current: str | None = None
    last_end = 0
    for m in mentions(clean):
        codes = [c for c in m.codes if current is None or (is_under(c, current) and c != current)]
        if current is not None and not codes:
            if set(m.codes) == {current}:
                last_end = m.end  # the same name again
                continue
            break  # a name outside the chain: another place the text speaks of
        follows = current is not None and m.start == last_end
        if m.short:
            opening = current is None and _OPENING.match(clean[:m.start]) is not None
            office = m.end < len(clean) and clean[m.end] in _OFFICE_AFTER
            if office or not (opening or follows):
                continue
        if len(codes) > 1:
            codes = _narrow(codes, context)
        if len(codes) != 1:
            continue  # 朝阳区 alone: a later name or other evidence may tell which
        current, last_end = codes[0], m.end
    return all_divisions()[current] if current else None


def first_named(texts: Iterable[str | None], context: Sequence[str] = ()) -> Division | None:
    """The division the first of ``texts`` that names one surely names (e.g. department, then title)."""
    for text in texts:
        if text:
            found = named_in(text, context)
            if found is not None:
                return found
    return None
