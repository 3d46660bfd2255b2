"""A plain UTF-8 county CMS: absolute links, one list page per column, articles with attachments.

It is the base the gated families (412 / 521 challenges) and the edge-case site publish with, and,
with `frame_list`, the family whose list sits inside an ``<iframe>``.
Layout: ``<slug>/index.html`` for navigation and lists, ``<column>/art_<id>.html`` for articles,
``<column>/files/<stored name>`` for attachments (``<column>/list.html`` holds a framed list).
"""

from __future__ import annotations

from govbudget.simulator.markup import cms_meta, escape
from govbudget.simulator.sites import Article, Column, ExternalLink, RenderedSite, Resource, Site

HTML = "text/html; charset=utf-8"


def page(site: Site, title: str, body: str, **meta: str) -> bytes:
    tags = cms_meta(SiteName=site.name, SiteDomain=site.domain, SiteIDCode=site.site_id_code, **meta)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
{tags}
<title>{escape(title)}</title></head>
<body><div class="top"><a href="{site.root}">首页</a></div>
{body}
<div class="foot">主办：{escape(site.name)}办公室</div></body></html>
""".encode()


def article_path(site: Site, column: Column, art: Article) -> str:
    return f"{site.root}{column.slug}/art_{art.article_id}.html"


def file_path(site: Site, column: Column, stored: str) -> str:
    return f"{site.root}{column.slug}/files/{stored}"


def list_items(site: Site, column: Column) -> str:
    lines = []
    for item in column.sorted_items:
        if isinstance(item, ExternalLink):
            lines.append(f'<li><a href="{escape(item.url)}">{escape(item.title)}</a></li>')
            continue
        lines.append(
            f'<li><a href="{article_path(site, column, item)}" title="{escape(item.title)}">'
            f"{escape(item.title)}</a><span>{item.pub_date:%Y-%m-%d}</span></li>"
        )
    return '<ul class="list">' + "\n".join(lines) + "</ul>"


def article_page(site: Site, column: Column, art: Article, link_text: str | None = None) -> bytes:
    """An article; `link_text` replaces every attachment's text (sites that say only 下载)."""
    files = "".join(
        f'<p><a href="{file_path(site, column, a.stored_name)}">{escape(link_text or a.link_text)}</a></p>'
        for a in art.attachments
    )
    paras = "".join(f"<p>{escape(p)}</p>" for p in art.paragraphs)
    when = f"{art.published_at:%Y-%m-%d %H:%M}"
    return page(
        site,
        art.title,
        f'<h1>{escape(art.title)}</h1><div class="content">{paras}{files}</div>',
        ColumnName=column.name,
        ArticleTitle=art.title,
        PubDate=when,
        ContentSource=art.source,
    )


def render(site: Site, *, frame_list: bool = False, link_text: str | None = None) -> RenderedSite:
    """Publish `site`; the budget column's list goes into an iframe when `frame_list`."""
    out = RenderedSite(site)
    root = site.root
    for nav in site.nav_pages:
        links = "".join(f'<li><a href="{root}{href}">{escape(text)}</a></li>' for text, href in nav.links)
        path = f"{root}{nav.slug}/index.html" if nav.slug else f"{root}index.html"
        out.resources[path] = Resource(
            page(site, nav.name, f"<h2>{escape(nav.name)}</h2><ul>{links}</ul>", ColumnName=nav.name),
            HTML,
            site.epoch,
        )
    for column in site.columns:
        newest = max((a.published_at for a in column.items if isinstance(a, Article)), default=site.epoch)
        listing = list_items(site, column)
        if frame_list and column.name == "财政预决算":
            frame = f'<iframe src="{root}{column.slug}/list.html" width="100%" height="600"></iframe>'
            out.resources[f"{root}{column.slug}/index.html"] = Resource(
                page(site, column.name, f"<h2>{escape(column.name)}</h2>{frame}", ColumnName=column.name),
                HTML,
                newest,
            )
            out.resources[f"{root}{column.slug}/list.html"] = Resource(
                page(site, column.name, listing, ColumnName=column.name), HTML, newest
            )
        else:
            out.resources[f"{root}{column.slug}/index.html"] = Resource(
                page(site, column.name, f"<h2>{escape(column.name)}</h2>{listing}", ColumnName=column.name),
                HTML,
                newest,
            )
        for item in column.items:
            if isinstance(item, ExternalLink):
                out.external_decoys.append(item.url)
                continue
            out.resources[article_path(site, column, item)] = Resource(
                article_page(site, column, item, link_text),
                HTML,
                item.published_at,
                decoy=not item.is_disclosure,
            )
            for a in item.attachments:
                out.resources[file_path(site, column, a.stored_name)] = Resource(
                    a.data, a.content_type, item.published_at, document=a.document, decoy=a.document is None
                )
    return out
