"""The default simulated portals, built as data from the corpus disclosures.

Each site gets its own department/year groups so a crawler must visit every family to find every
file; one file is deliberately published on two sites (same bytes, two URLs: one sha256).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date

from govbudget.simulator import decoys, gkmlpt_site, layout, plain_site, tree_site, yjsgk_site
from govbudget.simulator import edge_site as edge_site_mod
from govbudget.simulator.family_docs import family_documents
from govbudget.simulator.ids import article_id, budget_pub_date, stored_name
from govbudget.simulator.sites import Article, Attachment, Column, Disclosure, ExternalLink, NavPage, Site

HD_CITY = "邯郸市"
# sites a browser must render
SCRIPT_FAMILIES = frozenset({"rs_412", "spa_platform", "js_fragment", "js_query", "js_select",
                             "js_select_encoded"})
PAGES_PER_LIST = 3


def articles_from(docs: Iterable[Disclosure], key: str) -> list[Article]:
    """One article per disclosure title (a PDF and its XLSX share a title), files as attachments.

    `key` salts ids so the same document on two sites gets two different article ids.
    """
    groups: dict[str, list[Disclosure]] = {}
    for doc in docs:
        groups.setdefault(doc.title, []).append(doc)
    articles = []
    for title, group in groups.items():
        first = group[0]
        published = budget_pub_date(first.fiscal_year, f"{key}:{title}")
        files = tuple(
            Attachment(link_text=d.filename, stored_name=stored_name(published, f"{key}:{d.slug}:{n}", d.fmt),
                       data=d.data, fmt=d.fmt, document=d)
            for n, d in enumerate(group))
        articles.append(Article(
            article_id=article_id(f"{key}:{title}"), title=title, pub_date=published, source=first.department,
            paragraphs=(f"根据《中华人民共和国预算法》和《地方预决算公开操作规程》，现将{title}有关情况公布如下。",
                        "附件："),
            attachments=files))
    return articles


def split_documents(docs: Sequence[Disclosure]) -> tuple[list[Disclosure], list[Disclosure]]:
    """(static site docs, JS site docs): 邯郸 groups stay home, other groups alternate between sites.

    The JS site also republishes the static site's first file, so one sha256 is reachable twice.
    """
    groups: dict[tuple[str, int], list[Disclosure]] = {}
    for doc in docs:
        groups.setdefault((doc.department, doc.fiscal_year), []).append(doc)
    others = [k for k in sorted(groups) if HD_CITY not in k[0]]
    away = set(others[1::2])
    static = [d for k in sorted(groups) if k not in away for d in groups[k]]
    dynamic = [d for k in sorted(groups) if k in away for d in groups[k]]
    if static:
        dynamic.append(static[0])
    return static, dynamic


def handan_site(docs: Sequence[Disclosure]) -> Site:
    """A TRS WCM city portal: 首页 → 信息公开 → 法定主动公开内容 → 财政预决算, with decoy columns."""
    year = max((d.fiscal_year for d in docs), default=2022)
    budget_items = [
        *articles_from(docs, "hd"),
        decoys.policy_explainer(HD_CITY, year),
        decoys.execution_news(HD_CITY, year),
        decoys.tender_notice(HD_CITY, year),
        decoys.external_budget_link(HD_CITY, year),
    ]
    base = "xxgk/fdzdgknr"
    columns = (
        Column("xwzx", "新闻中心", (decoys.execution_news(HD_CITY, year - 1),)),
        Column("xxgk/gkzn", "政府信息公开指南", (decoys.plain_article(
            f"{HD_CITY}人民政府信息公开指南", date(year - 1, 12, 1), f"{HD_CITY}人民政府办公室",
            "为保障公民、法人和其他组织依法获取政府信息，编制本指南。"),)),
        Column(f"{base}/zcjd", "政策解读", (decoys.policy_explainer(HD_CITY, year - 1),)),
        Column(f"{base}/rsxx", "人事信息", (decoys.personnel_notice(HD_CITY, year),)),
        Column(f"{base}/czyjs", "财政预决算", tuple(budget_items),
               page_size=-(-len(budget_items) // PAGES_PER_LIST)),
        Column(f"{base}/zbcg", "招标采购", (decoys.tender_notice(HD_CITY, year - 1),)),
    )
    nav = (
        NavPage("", f"{HD_CITY}人民政府", (("新闻中心", "xwzx/"), ("信息公开", "xxgk/"))),
        NavPage("xxgk", "信息公开", (("政府信息公开指南", "xxgk/gkzn/"), ("法定主动公开内容", f"{base}/"))),
        NavPage(base, "法定主动公开内容",
                tuple((c.name, c.slug + "/") for c in columns if c.slug.startswith(base))),
    )
    return Site(prefix="hd", name=f"{HD_CITY}人民政府", domain="www.hd.gov.cn", site_id_code="1304000001",
                region_code="130400", family="trs_wcm", needs_browser=False, nav_pages=nav, columns=columns)


def platform_site(docs: Sequence[Disclosure]) -> Site:
    """A provincial 预决算公开 platform whose list exists only after JavaScript runs."""
    year = max((d.fiscal_year for d in docs), default=2022)
    # Every second item links straight to its files, as mixed real lists do.
    items = [replace(art, link_direct=n % 2 == 1) for n, art in enumerate(articles_from(docs, "js"))]
    items.append(decoys.execution_news("河北省", year))
    return Site(prefix="js", name="河北省预决算公开平台", domain="yjsgk.hebcz.cn", site_id_code="1300000014",
                region_code="130000", family="js_list", needs_browser=True,
                columns=(Column("list", "部门预决算", tuple(items), page_size=len(items)),))


def _family(prefix: str, city: str, domain: str, code: str, family: str, page_size: int = 50,
            extra: Sequence[Article | ExternalLink] = ()) -> Site:
    docs = family_documents()[prefix]
    arts = [*articles_from(docs, prefix), *extra]
    return layout.family_site(prefix=prefix, city=city, domain=domain, code=code, family=family,
                              articles=arts,
                              page_size=page_size, needs_browser=family in SCRIPT_FAMILIES)


def edge_site() -> Site:
    """保定: the edge cases (see `edge_site`), on a plain CMS."""
    docs = {d.slug: d for d in family_documents()["edge"]}
    xls = docs["bd-yjj-2023-xls"]
    main = articles_from([xls, docs["bd-2023-zip"], docs["bd-kjj-2022"], docs["bd-sfj-2024"]], "edge")
    xls_article = next(a for a in main if a.attachments[0].document is xls)
    note = replace(xls_article, article_id=article_id("edge:note"), title=f"关于{xls.title}的补充说明",
                   pub_date=date(2023, 3, 20))
    oversize = Article(article_id=article_id("edge:big"), title="保定市住房和城乡建设局2023年部门预算公开",
                       pub_date=date(2023, 3, 1), source="保定市住房和城乡建设局",
                       attachments=(Attachment("保定市住房和城乡建设局2023年部门预算.pdf",
                                               "W020230301000000000001.pdf", b"%PDF-1.7\n", "pdf"),))
    site = Site(prefix="edge", name="", domain="", site_id_code="", region_code="", family="",
                needs_browser=False)
    redirects = [ExternalLink(f"保定市财政局2023年部门预算（镜像下载{n + 1}）",
                              edge_site_mod.redirect_path(site, t), date(2023, 2, 1))
                 for n, t in enumerate(edge_site_mod.PRIVATE_TARGETS)]
    # Robots-forbidden, and an ExternalLink so the server lists it among the decoys.
    preview = ExternalLink(edge_site_mod.PREVIEW_TITLE, edge_site_mod.preview_path(site), date(2024, 1, 2))
    return layout.family_site(prefix="edge", city="保定市", domain="www.bd.gov.cn", code="130600",
                              family="edge_cases", articles=[*main, note, oversize, *redirects, preview],
                              page_size=100)


def edge_flaky_path(site: Site) -> str:
    """The file that fails twice before it works (保定市科学技术局)."""
    for column in site.columns:
        for item in column.items:
            if isinstance(item, Article):
                for a in item.attachments:
                    if a.document is not None and getattr(a.document, "slug", "") == "bd-kjj-2022":
                        return plain_site.file_path(site, column, a.stored_name)
    return ""


def family_sites() -> list[Site]:
    """One site per CMS family and gate beyond the original two (see `families.RENDERERS`)."""
    return [
        _family("hw", "杭州市", "www.hangzhou.gov.cn", "330100", "hanweb", page_size=3),
        _family("spa", "南京市", "yjsgk.jsczt.cn", "320100", "spa_platform"),
        _family("asp", "茂名市电白区", "www.dianbai.gov.cn", "440904", "aspnet", page_size=3),
        _family("ifr", "石家庄市", "www.sjz.gov.cn", "130100", "iframe_list"),
        _family("rs", "武汉市", "www.wuhan.gov.cn", "420100", "rs_412"),
        _family("jsl", "长沙市", "www.changsha.gov.cn", "430100", "jsl_521"),
        gkmlpt_site.site(),
        yjsgk_site.site(),
        _family("frg", "温州市", "www.wenzhou.gov.cn", "330300", "js_fragment", page_size=2),
        tree_site.site(),
        _family("qry", "台州市", "www.zjtz.gov.cn", "331000", "js_query", page_size=2),
        _family("sel", "丽水市", "www.lishui.gov.cn", "331100", "js_select"),
        _family("enc", "衢州市", "www.qz.gov.cn", "330800", "js_select_encoded"),
        edge_site(),
    ]


# Script shells that exist to exercise one explorer behaviour each (fragment lists, a lazily loaded
# tree, a query form, a year select, twice-encoded JSON): scored by `eval-sim` and the discovery
# tests, left out of the `core` suite the pipeline tests crawl (each costs a browser render per crawl).
EXPLORER_VARIANT_FAMILIES = frozenset({"js_fragment", tree_site.FAMILY, "js_query", "js_select",
                                       "js_select_encoded"})


def default_sites(docs: Sequence[Disclosure], *, explorer_variants: bool = True) -> list[Site]:
    static, dynamic = split_documents(docs)
    families = [s for s in family_sites() if explorer_variants or s.family not in EXPLORER_VARIANT_FAMILIES]
    return [handan_site(static), platform_site(dynamic), *families]
