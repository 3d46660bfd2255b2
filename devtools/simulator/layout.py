"""The site shape every family shares: 首页 → 信息公开 → 法定主动公开内容 → 财政预决算, plus decoy columns.

Families differ in how they publish (URLs, pagination, gates), not in what a county publishes, so
the content of a family site is built here once and each renderer lays it out its own way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from govbudget.simulator import decoys
from govbudget.simulator.family_docs import old_budget_pdf
from govbudget.simulator.ids import article_id, stored_name
from govbudget.simulator.sites import Article, Attachment, Column, Disclosure, ListItem, NavPage, Site

BASE = "xxgk/fdzdgknr"
BUDGET_SLUG = f"{BASE}/czyjs"


def old_budget_article(city: str, department: str, year: int) -> Article:
    """A budget disclosure from before 2016: real lists keep them; the crawl must leave them."""
    title = f"{department}{year}年部门预算公开"
    published = date(year, 2, 10)
    return Article(
        article_id=article_id(f"old:{title}"),
        title=title,
        pub_date=published,
        source=department,
        paragraphs=(f"现将{title}有关情况公布如下。",),
        attachments=(
            Attachment(
                link_text=f"{department}{year}年部门预算.pdf",
                stored_name=stored_name(published, f"old:{title}", "pdf"),
                data=old_budget_pdf(department, year),
                fmt="pdf",
            ),
        ),
    )


def budget_column_items(city: str, articles: Sequence[Article], year: int) -> tuple[ListItem, ...]:
    """Disclosure articles mixed with the decoys real 财政预决算 lists carry."""
    return (
        *articles,
        decoys.policy_explainer(city, year),
        decoys.execution_news(city, year),
        decoys.tender_notice(city, year),
        old_budget_article(city, f"{city}财政局", 2015),
    )


def family_site(
    *,
    prefix: str,
    city: str,
    domain: str,
    code: str,
    family: str,
    articles: Sequence[Article],
    needs_browser: bool = False,
    page_size: int = 50,
) -> Site:
    """A county/city portal of `family` with the standard path and decoy columns."""
    year = max((a.pub_date.year for a in articles), default=2023)
    columns = (
        Column(f"{BASE}/zcjd", "政策解读", (decoys.policy_explainer(city, year - 1),)),
        Column(f"{BASE}/rsrm", "人事任免", (decoys.personnel_notice(city, year),)),
        Column(BUDGET_SLUG, "财政预决算", budget_column_items(city, articles, year), page_size=page_size),
        Column(f"{BASE}/zbgg", "招标公告", (decoys.tender_notice(city, year - 1),)),
    )
    nav = (
        NavPage("", f"{city}人民政府", (("新闻中心", "xwzx/"), ("信息公开", "xxgk/"))),
        NavPage("xxgk", "信息公开", (("法定主动公开内容", f"{BASE}/"),)),
        NavPage(BASE, "法定主动公开内容", tuple((c.name, c.slug + "/") for c in columns)),
    )
    return Site(
        prefix=prefix,
        name=f"{city}人民政府",
        domain=domain,
        site_id_code=f"{code}0001",
        region_code=code,
        family=family,
        needs_browser=needs_browser,
        nav_pages=nav,
        columns=(Column("xwzx", "新闻中心", (decoys.execution_news(city, year - 1),)), *columns),
    )


def disclosure_articles(docs: Sequence[Disclosure], key: str) -> list[Article]:
    """One article per document (see `portals.articles_from`), imported lazily to avoid a cycle."""
    from govbudget.simulator.portals import articles_from

    return articles_from(docs, key)
