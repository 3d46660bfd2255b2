"""Host names of the simulated country, built the way real county sites are named: from pinyin.

Real government hosts are the pinyin of the short name (www.linzhang.gov.cn for 临漳县), of the full
name (www.xinhuaqu.gov.cn) or its initials (www.lzx.gov.cn, www.hd.gov.cn for 邯郸市). `candidates`
gives all of them for a division, the set a discovery would try; `site_host` picks the one the
simulated division really uses (see `plan.INITIALS_HOSTS`, `plan.FULL_PINYIN_HOSTS`), or one no
candidate finds (`plan.CITY_PREFIXED_HOSTS`: www.hdct.gov.cn).
"""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

from govbudget.regions import Division, division
from govbudget.regions.names import short_name
from govbudget.simulator.country import plan


def _spell(text: str) -> str:
    return "".join(lazy_pinyin(text)).lower()


def _initials(text: str) -> str:
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).lower()


def labels(div: Division) -> dict[str, str]:
    """The usual host labels by kind: short pinyin, full pinyin, full initials, short initials."""
    short = short_name(div.name)
    # A one-character short name is never a host on its own: 涉县 is www.shexian.gov.cn.
    spoken = short if len(short) >= 2 else div.name
    return {"pinyin": _spell(spoken), "full_pinyin": _spell(div.name), "initials": _initials(div.name),
            "short_initials": _initials(short)}


def candidates(div: Division) -> list[str]:
    """www.<label>.gov.cn for every usual label, without repeats, in the order above."""
    seen: dict[str, None] = {}
    for label in labels(div).values():
        seen.setdefault(f"www.{label}.gov.cn", None)
    return list(seen)


def site_host(div: Division) -> str:
    """The host the simulated division's own site answers on."""
    kinds = labels(div)
    if div.code in plan.INITIALS_HOSTS:
        return f"www.{kinds['initials' if div.level == 'county' else 'short_initials']}.gov.cn"
    if div.code in plan.CITY_PREFIXED_HOSTS and div.parent:
        return f"www.{_initials(short_name(division(div.parent).name))}{kinds['short_initials']}.gov.cn"
    if div.code in plan.FULL_PINYIN_HOSTS:
        return f"www.{kinds['full_pinyin']}.gov.cn"
    return f"www.{kinds['pinyin']}.gov.cn"
