"""Each division's own small site: a family site at its host's root, with one budget disclosure.

A division site is an ordinary simulator `Site` rendered by its family's renderer (`families.RENDERERS`),
except that it lives at ``/`` of its own virtual host (`HostSite`), as real county portals do. The
navigation path differs between sites the way real ones do (政府信息公开 or 信息公开, then 法定主动公开内容
or 财政信息, then 财政预决算, 部门预算 or 预决算公开), so a discovery must read link text, not paths.
Every disclosure has bytes of its own (one of a few rendered PDFs plus a trailing comment naming the
division, which PDF readers ignore), so each sha256 belongs to exactly one division.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from govbudget.regions import Division
from govbudget.simulator import decoys, hanweb_site
from govbudget.simulator.country import plan
from govbudget.simulator.country.hosts import site_host
from govbudget.simulator.family_docs import FamilyDocument, budget_pdf
from govbudget.simulator.portals import articles_from
from govbudget.simulator.sites import Column, NavPage, Site

YEAR = 2024
VARIANTS = 3
# (政府信息公开 page, its 主动公开 page, the budget column): link text and slug, one style per site in turn.
NAV_STYLES = (
    (("政府信息公开", "zfxxgk"), ("法定主动公开内容", "zfxxgk/fdzdgknr"),
     ("财政预决算", "zfxxgk/fdzdgknr/czyjs")),
    (("信息公开", "xxgk"), ("财政信息", "xxgk/czxx"), ("部门预算", "xxgk/czxx/bmys")),
    (("政府信息公开", "gk"), ("财政信息", "gk/czxx"), ("预决算公开", "gk/czxx/yjsgk")),
)


@dataclass(frozen=True)
class HostSite(Site):
    """A site at the root of its own host (``/``) instead of under a path prefix of the shared one."""

    @property
    def root(self) -> str:
        return "/"


@cache
def _pdfs() -> tuple[FamilyDocument, ...]:
    return tuple(budget_pdf(f"country-v{n}", f"某县财政局{n}", YEAR, 60 + n) for n in range(VARIANTS))


def documents(div: Division) -> list[FamilyDocument]:
    """The division's disclosure: its 财政局's budget, bytes no other division's file has."""
    from govbudget.simulator.country.plan import display_name

    base = _pdfs()[int(div.code) % VARIANTS]
    department = f"{display_name(div)}财政局"
    title = f"{department}{YEAR}年部门预算"
    return [replace(base, slug=f"country-{div.code}", filename=f"{title}.pdf", title=f"{title}公开",
                    department=department, fiscal_year=YEAR,
                    data=base.data + f"\n% country {div.code}\n".encode())]


def nav_style(div: Division) -> tuple[tuple[str, str], ...]:
    return NAV_STYLES[int(div.code) // 100 % len(NAV_STYLES)]


def site_name(div: Division) -> str:
    return f"{div.name}人民政府"


def division_site(div: Division, extra_links: tuple[tuple[str, str], ...] = ()) -> HostSite:
    """The division's portal; `extra_links` (text, path) go on its home page (e.g. a county list)."""
    (gk_text, gk), (mid_text, mid), (col_text, col) = nav_style(div)
    label = plan.display_name(div)
    budget = (*articles_from(documents(div), f"country:{div.code}"), decoys.policy_explainer(label, YEAR))
    columns = (
        Column("xwzx", "新闻中心", (decoys.execution_news(label, YEAR - 1),)),
        Column(f"{mid}/zcjd", "政策解读", (decoys.policy_explainer(label, YEAR - 1),)),
        Column(col, col_text, budget),
    )
    nav = (
        NavPage("", site_name(div), (("新闻中心", "xwzx/"), (gk_text, gk + "/"), *extra_links)),
        NavPage(gk, gk_text, ((mid_text, mid + "/"),)),
        NavPage(mid, mid_text, (("政策解读", f"{mid}/zcjd/"), (col_text, col + "/"))),
    )
    site_id = "" if div.code in plan.NO_SITE_ID else f"{div.code}0001"
    return HostSite(prefix="", name=site_name(div), domain=site_host(div), site_id_code=site_id,
                    region_code=div.code, family=plan.family_of(div), needs_browser=False, nav_pages=nav,
                    columns=columns)


def column_path(site: Site) -> str:
    """Path of the budget column's first list page (the entry point a crawl of the division starts at)."""
    col = site.columns[-1]
    if site.family == hanweb_site.FAMILY:
        return hanweb_site.col_path(site, hanweb_site.col_ids(site)[col.slug])
    return f"{site.root}{col.slug}/"
