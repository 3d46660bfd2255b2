"""Which divisions the simulated country holds and how each one is published, as plain data.

Codes and names come from GB/T 2260 (`govbudget.regions`); nothing here types a division's name.
The plan only chooses, per province, how its divisions are reached (the way real provinces differ):

* 河北 (`directory`): the finance department's 预决算公开 page lists the cities, each city's
  县区预决算公开 page lists its counties (by full name, short name or a name from before 撤县设区).
* 山西 (`platform`): one shared 预决算公开 platform serves every city and county by division code in
  the query; the directory links one child only, the rest follow from the pattern.
* 河南 (`navigation`): no directory; the province and city home pages list the local government sites,
  and several counties are linked from nowhere: only a host candidate finds them.

The traps are listed here too, by code, so the answer key and the tests read one definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from govbudget.regions import Division, all_divisions, division

FAMILIES = ("trs_wcm", "hanweb", "plain_cms", "iframe_list")
PLATFORM_FAMILY = "shared_platform"


@dataclass(frozen=True)
class ProvincePlan:
    """A province of the country: its code, how its children are reached, and which cities it keeps."""

    code: str
    style: str  # directory | platform | navigation
    cities: tuple[str, ...]


PROVINCES = (
    ProvincePlan("130000", "directory", ("130400", "130900")),
    ProvincePlan("140000", "platform", ("140300", "140500")),
    ProvincePlan("410000", "navigation", ("410400", "410600")),
)

# 撤县设区 in 2016: these districts were counties; a directory may still link them by the old name.
FORMER_COUNTIES = ("130407", "130408")
# Directory links by short name (临漳 for 临漳县).
SHORT_LINKS = ("130423", "130433", "130930")
# Divisions no page links to: a host candidate is the only way in.
HOST_ONLY = ("130481", "130982", "410402", "410425", "410481", "410482", "410602", "410603", "410622")
# Host built from the initials (www.rqs.gov.cn) or the full name's pinyin (www.xinhuaqu.gov.cn)
# instead of the short name's pinyin.
INITIALS_HOSTS = ("130400", "130982", "410400", "410602")
FULL_PINYIN_HOSTS = ("410402",)
# Host led by the city's initials (www.hdct.gov.cn for 邯郸市丛台区): no usual candidate finds these, so
# only the directory or navigation reaches them.
CITY_PREFIXED_HOSTS = ("130403", "130903", "410403", "410611")
# Sites that publish no SiteIDCode: only their <title> and SiteName name them.
NO_SITE_ID = ("410425", "410603")
# Linked from their city's home page of local government sites (河南), reached by navigation.
NAV_LINKED = ("410403", "410404", "410411", "410421", "410422", "410423", "410611", "410621")


@dataclass(frozen=True)
class Trap:
    """A misleading page or link: `kind`, the division it seems to name and the one it really is."""

    kind: str
    named: str  # the code the link text or host seems to name
    actual: str | None  # the code the target really belongs to (None: nobody's, e.g. a 404)
    note: str


TRAPS = (
    Trap("wrong_name", "130434", "130425", "城市目录中“魏县”链接到邻县大名县的预决算栏目"),
    Trap("dead_link", "130424", None, "城市目录中“成安县”的链接已失效（404）"),
    Trap("redirect_to_city", "130426", "130400", "城市目录中“涉县”的链接跳转到邯郸市本级的预决算栏目"),
    Trap("same_short_name", "410402", "130902", "沧州市新华区与平顶山市新华区同名；沧州的链接不属于平顶山"),
    Trap("foreign_host", "410402", "130902", "主机候选 www.xinhua.gov.cn 能打开，却是沧州市新华区的网站"),
    Trap("platform_unknown_code", "140700", None, "共享平台对不存在的区划代码也返回 200（暂无数据）"),
)


@cache
def divisions() -> tuple[Division, ...]:
    """Every division of the country: each province, its kept cities and all their county-level children."""
    table = all_divisions()
    out: list[Division] = []
    for prov in PROVINCES:
        out.append(division(prov.code))
        for city in prov.cities:
            out.append(division(city))
            out.extend(d for d in table.values() if d.parent == city)
    return tuple(out)


def province_of(code: str) -> ProvincePlan:
    return next(p for p in PROVINCES if p.code[:2] == code[:2])


def family_of(div: Division) -> str:
    """Platform province children live on the platform; every other division gets a family in turn."""
    if province_of(div.code).style == "platform" and div.level != "province":
        return PLATFORM_FAMILY
    own = [d for d in divisions() if province_of(d.code).style != "platform" or d.level == "province"]
    return FAMILIES[own.index(div) % len(FAMILIES)]


def display_name(div: Division) -> str:
    """How pages name a division: a district with its city (邯郸市邯山区), others as GB/T 2260 names them."""
    if div.level == "county" and div.name.endswith("区") and div.parent:
        return division(div.parent).name + div.name
    return div.name
