"""广东 政府信息公开目录 (gkmlpt): a Vue shell whose lists exist only in a JSON API.

Layout under the site root, as every Guangdong government site publishes it under its own prefix:
  index.html                                  the portal's home: 政府信息公开 → gkmlpt/index
  gkmlpt/index                                the shell: ``window._CONFIG = {SID, TREE: [...]}``, no links
  gkmlpt/api/all/<catid>?page=N&sid=SID       ``{"classify": {…, "post_count"}, "articles": [...], "total"}``:
                                              the category's and its sub-categories' articles, newest first
  gkmlpt/content/<a>/<b>/post_<id>.html       an article (``window._CONFIG = {DETAIL, SID, TREE}``), its
                                              attachments linked in the page too
  attachment/<a>/<b>/<attachment id>/<post id>.<ext>
The API answers absolute URLs (built from the request's Host, as the real one names its own host).
Categories are `Column`s whose slug is their path in the tree (``3/31/311``); each pages by its
``page_size``. Two quirks of real sites: a category answering only page 1 and 404 after though its
``total`` is larger (`SINGLE_PAGE`), and one whose ``total`` still counts a withdrawn article, so the
page after the last is empty (`OVERCOUNT`).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any
from urllib.parse import quote

from govbudget.simulator import decoys, layout
from govbudget.simulator.dynamic import Lookup, Reply, SimRequest
from govbudget.simulator.family_docs import family_documents
from govbudget.simulator.ids import stable_int
from govbudget.simulator.markup import cms_meta, escape
from govbudget.simulator.sites import Article, Attachment, Column, RenderedSite, Resource, Site

FAMILY = "gkmlpt"
HTML = "text/html; charset=utf-8"
JSON = "application/json; charset=utf-8"
CITY = "珠海市"
SID = "756001"
BUDGET = "3/31/311"  # 部门预算, pages of 2
SINGLE_PAGE = frozenset({"3/31/312"})  # 部门预决算公开: page 1 only, 404 after
OVERCOUNT = {"3/33": 1}  # 预算执行: ``total`` one more than it lists
# A picked category that lives on another host: a crawler must never fetch it.
JUMPS = {"3/32": "http://example.invalid/zhczj/zwgk/czzj/index.html"}


def site() -> Site:
    """珠海市's portal on gkmlpt: budgets under 财政信息 (years, bodies), decoys in and out of it."""
    docs = {d.department: d for d in family_documents()["gk"]}
    finance, education, civil = (docs[f"{CITY}{name}"] for name in ("财政局", "教育局", "民政局"))
    articles = {d.department: layout.disclosure_articles([d], "gk")[0] for d in docs.values()}
    # The API lists this one's file as 附件.pdf: only the article's title says whose budget it is.
    edu = articles[education.department]
    edu = replace(edu, attachments=(replace(edu.attachments[0], link_text="附件.pdf"),))
    old = layout.old_budget_article(CITY, f"{CITY}交通运输局", 2015)
    year = 2024

    def col(slug: str, name: str, *items: Article, page_size: int = 20) -> Column:
        return Column(slug, name, tuple(items), page_size=page_size)

    columns = (
        col("1", "机构职能", decoys.plain_article(f"{CITY}人民政府机构职能", date(2023, 1, 5),
                                                  f"{CITY}人民政府办公室", "负责本行政区域的行政工作。")),
        col("2", "政策文件"),
        col("2/21", "规范性文件", decoys.personnel_notice(CITY, year)),
        col("2/22", "政策解读", decoys.policy_explainer(CITY, year)),
        col("3", "财政信息", page_size=3),
        col("3/31", "财政预决算", page_size=4),
        col(BUDGET, "部门预算", page_size=2),
        col(f"{BUDGET}/3111", f"{year}年", articles[finance.department]),
        col(f"{BUDGET}/3112", f"{year - 1}年", edu, decoys.execution_news(CITY, year - 1)),
        col("3/31/312", "部门预决算公开", page_size=2),
        col("3/31/312/3121", f"{CITY}民政局", articles[civil.department]),
        col("3/31/312/3122", f"{CITY}交通运输局", old, decoys.tender_notice(CITY, year)),
        col("3/32", "财政资金"),
        col("3/33", "预算执行", decoys.execution_news(CITY, year), page_size=2),
        col("4", "人事信息", decoys.personnel_notice(CITY, year - 1)),
        col("5", "招标采购", decoys.tender_notice(CITY, year - 1)),
    )
    return Site(prefix="gk", name=f"{CITY}人民政府", domain="www.zhuhai.gov.cn", site_id_code="4404000001",
                region_code="440400", family=FAMILY, needs_browser=False, columns=columns)


def _cat_id(slug: str) -> str:
    return slug.rsplit("/", 1)[-1]


def _tree(site: Site) -> list[dict[str, Any]]:
    """TREE as the shell embeds it: ``{"id", "name", "parent", "post_count", "jump_url", "children"}``."""
    nodes: dict[str, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for column in site.columns:
        parent = column.slug.rsplit("/", 1)[0] if "/" in column.slug else ""
        node = {"id": int(_cat_id(column.slug)), "name": column.name,
                "parent": int(_cat_id(parent)) if parent else 0,
                "post_count": len(_articles_under(site, column.slug)),
                "jump_url": JUMPS.get(column.slug, ""), "children": []}
        nodes[column.slug] = node
        (nodes[parent]["children"] if parent else roots).append(node)
    return roots


def _articles_under(site: Site, slug: str) -> list[Article]:
    """A category's and its sub-categories' articles, newest first (``api/all`` lists them so)."""
    items = [i for c in site.columns if not slug or c.slug == slug or c.slug.startswith(slug + "/")
             for i in c.items if isinstance(i, Article)]
    return sorted(items, key=lambda a: (a.published_at, a.article_id), reverse=True)


def content_path(site: Site, art: Article) -> str:
    n = art.article_id
    return f"{site.root}gkmlpt/content/{n // 1_000_000}/{n // 1000}/post_{n}.html"


def attachment_path(site: Site, art: Article, att: Attachment) -> str:
    aid = 1_000_000 + stable_int(f"{art.article_id}:{att.stored_name}", 7) % 9_000_000
    return f"{site.root}attachment/{aid // 1_000_000}/{aid // 1000}/{aid}/{art.article_id}.{att.fmt}"


def _article_json(site: Site, art: Article, host: str, category: Column) -> dict[str, Any]:
    url = f"http://{host}{content_path(site, art)}"
    return {
        "id": art.article_id, "title": art.title, "document_number": "", "publisher": art.source,
        "keywords": "", "identifier": f"{site.site_id_code}/{art.pub_date.year}-{art.article_id % 10**5:05d}",
        "date": int(art.published_at.timestamp()), "created_at": f"{art.published_at:%Y-%m-%d %H:%M:%S}",
        "display_publish_time": int(art.published_at.timestamp()), "abstract": "", "relation": "[]",
        "classify_main_name": category.name, "classify_genre_name": "", "classify_theme_name": "",
        "url": url, "post_url": url, "is_expired": 0, "is_abolished": 0,
        "attachment": [{"id": n + 1, "name": a.link_text, "type": a.fmt, "mime": a.content_type,
                        "size": str(len(a.data)), "url": f"http://{host}{attachment_path(site, art, a)}"}
                       for n, a in enumerate(art.attachments)],
    }


def _config(site: Site, tree: list[dict[str, Any]], detail: dict[str, Any] | None = None) -> str:
    """``window._CONFIG``: a JavaScript object (unquoted keys) holding JSON values, as the shell writes it."""
    head = f"DETAIL: {json.dumps(detail, ensure_ascii=False)}, " if detail is not None else ""
    return (f"window._CONFIG = {{{head}SID: '{SID}', SITE_NAME: '{site.name}', "
            f"TREE: {json.dumps(tree, ensure_ascii=False)}, SERVICE_AREA_ID: 0}};")


def _page(site: Site, title: str, body: str, script: str, **meta: str) -> bytes:
    tags = cms_meta(SiteName=site.name, SiteDomain=site.domain, SiteIDCode=site.site_id_code, **meta)
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
{tags}
<title>{escape(title)}</title>
<script>{script}</script></head>
<body>{body}<script src="{site.root}gkmlpt/gkml/pc/js/app.js"></script></body></html>
""".encode()


def render(site: Site) -> RenderedSite:
    out = RenderedSite(site)
    root = site.root
    tree = _tree(site)
    home = (f'<ul><li><a href="{root}">首页</a></li><li><a href="{root}xwzx/">新闻中心</a></li>'
            f'<li><a href="{root}gkmlpt/index">政府信息公开</a></li></ul>')
    out.resources[f"{root}index.html"] = Resource(
        _page(site, site.name, home, ""), HTML, site.epoch)
    shell = _page(site, f"{site.name}政府信息公开目录", '<div id="app"></div>', _config(site, tree))
    out.resources[f"{root}gkmlpt/index"] = Resource(shell, HTML, site.epoch)
    app = b"/* fetchPostList: GET /gkmlpt/api/all/{catid}?page=N&sid=SID */"
    out.resources[f"{root}gkmlpt/gkml/pc/js/app.js"] = Resource(app, "application/javascript", site.epoch)
    out.external_decoys.extend(JUMPS.values())
    for column in site.columns:
        for art in (i for i in column.items if isinstance(i, Article)):
            detail = {"id": art.article_id, "title": art.title, "publisher": art.source}
            files = "".join(f'<p><a class="nfw-cms-attachment" href="{attachment_path(site, art, a)}">'
                            f"{escape(a.link_text)}</a></p>" for a in art.attachments)
            paras = "".join(f"<p>{escape(p)}</p>" for p in art.paragraphs)
            body = (f'<div class="article"><h1>{escape(art.title)}</h1>'
                    f'<div class="article-content">{paras}{files}</div></div>')
            html = _page(site, art.title, body, _config(site, tree, detail), ColumnName=column.name,
                         ArticleTitle=art.title, PubDate=f"{art.published_at:%Y-%m-%d %H:%M}",
                         ContentSource=art.source)
            out.resources[content_path(site, art)] = Resource(html, HTML, art.published_at,
                                                              decoy=not art.is_disclosure)
            for a in art.attachments:
                out.resources[attachment_path(site, art, a)] = Resource(
                    a.data, a.content_type, art.published_at, document=a.document, decoy=a.document is None,
                    headers=(("Content-Disposition", f"attachment; filename*=UTF-8''{quote(a.link_text)}"),))
    by_id = {_cat_id(c.slug): c for c in site.columns}
    home_of = {a.article_id: c for c in site.columns for a in c.items if isinstance(a, Article)}
    api = f"{root}gkmlpt/api/all/"

    def handle(req: SimRequest, lookup: Lookup) -> Reply | None:
        if not req.path.startswith(api):
            return None
        cat = req.path[len(api):]
        column = by_id.get(cat)
        if (column is None and cat != "0") or req.arg("sid", SID) != SID:
            return Reply(404, b"<html><body>404</body></html>")
        try:
            page = max(1, int(req.arg("page", "1")))  # page 0 is page 1, as on the real API
        except ValueError:
            return Reply(400, b'{"error": "page"}', JSON)
        slug = column.slug if column is not None else ""
        listed = _articles_under(site, slug)
        size = column.page_size if column is not None else 100
        if slug in SINGLE_PAGE and page > 1:
            return Reply(404, b"<html><body>404</body></html>")
        chunk = listed[(page - 1) * size: page * size]
        total = len(listed) + OVERCOUNT.get(slug, 0)
        host = req.headers.get("host", "localhost")
        data = {
            "classify": {"id": int(cat), "name": column.name if column else "全部", "post_count": total},
            "articles": [_article_json(site, a, host, home_of[a.article_id]) for a in chunk],
            "total": total, "page": page, "per_page": size,
        }
        newest = max((a.published_at for a in chunk), default=site.epoch)
        return Reply(resource=Resource(json.dumps(data, ensure_ascii=False).encode(), JSON, newest))

    out.handler = handle
    return out


__all__ = ["FAMILY", "render", "site"]
