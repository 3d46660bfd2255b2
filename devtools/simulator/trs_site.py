"""TRS WCM static-publishing family: GBK pages, `createPageHTML` pagination, relative `./W0….pdf` files.

Layout under the site root (all links relative, as the CMS writes them):
  index.html                          home (navigation pages are `<slug>/index.html`)
  <column>/index.html, index_1.html   list pages; the page count is only in `createPageHTML(n, i, …)`
  <column>/YYYYMM/tYYYYMMDD_ID.html   article, body in `div.TRS_Editor`
  <column>/YYYYMM/W0<digits>.pdf      attachment, linked as `./W0….pdf` with the Chinese name as text
  images/common.js, images/style.css  shared assets (common.js defines createPageHTML)
"""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from posixpath import dirname

from govbudget.simulator.markup import cms_meta, escape, rel
from govbudget.simulator.sites import (
    Article,
    Column,
    Disclosure,
    ExternalLink,
    NavPage,
    RenderedSite,
    Resource,
    Site,
)

FAMILY = "trs_wcm"
CHARSET_META = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
# Nav pages declare the charset in the header; lists and articles send a bare `text/html`, as many
# real servers do, so a client must read the <meta> to decode them.
NAV_TYPE = "text/html; charset=GBK"
BARE_TYPE = "text/html"


def article_dir(column: Column, article: Article) -> str:
    return f"{column.slug}/{article.pub_date:%Y%m}"


def article_path(column: Column, article: Article) -> str:
    return f"{article_dir(column, article)}/t{article.pub_date:%Y%m%d}_{article.article_id}.html"


def list_page_name(index: int) -> str:
    return "index.html" if index == 0 else f"index_{index}.html"


def _encode(page: str) -> bytes:
    """GBK with numeric references for characters GBK lacks (what the CMS does on publish)."""
    return page.encode("gbk", errors="xmlcharrefreplace")


def _names(site: Site) -> dict[str, str]:
    names = {p.slug: p.name for p in site.nav_pages}
    names.update({c.slug: c.name for c in site.columns})
    return names


def _frame(site: Site, here: str, title: str, meta: dict[str, str], crumb_slug: str, body: str) -> str:
    """The page chrome every TRS template repeats: meta tags, header nav, breadcrumb, footer."""
    home = site.nav_pages[0] if site.nav_pages else NavPage("", site.name, ())
    nav = [("首页", ""), *home.links]
    names = _names(site)
    parts = crumb_slug.split("/") if crumb_slug else []
    crumb = [f'<a href="{rel(here, "")}">首页</a>']
    for n in range(1, len(parts) + 1):
        slug = "/".join(parts[:n])
        if slug in names:
            crumb.append(f'<a href="{rel(here, slug + "/")}" class="CurrChnlCls">{escape(names[slug])}</a>')
    nav_html = "".join(f'<li><a href="{rel(here, href)}">{escape(text)}</a></li>' for text, href in nav)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" \
"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
{CHARSET_META}
<meta http-equiv="X-UA-Compatible" content="IE=edge">
{cms_meta(SiteName=site.name, SiteDomain=site.domain, SiteIDCode=site.site_id_code, **meta)}
<title>{escape(title)}</title>
<link href="{rel(here, "images/style.css")}" rel="stylesheet" type="text/css">
<script type="text/javascript" src="{rel(here, "images/common.js")}"></script>
</head>
<body>
<div class="header"><div class="logo">{escape(site.name)}</div><ul class="mainnav">{nav_html}</ul></div>
<div class="crumb">当前位置：{"&nbsp;&gt;&nbsp;".join(crumb)}</div>
<div class="main">
{body}
</div>
<div class="footer"><p>主办：{escape(site.name)}办公室</p><p>网站标识码：{site.site_id_code}</p></div>
</body>
</html>
"""


def _nav_page(site: Site, page: NavPage) -> str:
    items = "\n".join(f'<li><a href="{rel(page.slug, href)}" target="_blank">{escape(text)}</a></li>'
                      for text, href in page.links)
    body = f'<div class="lanmu"><h2>{escape(page.name)}</h2><ul class="channels">\n{items}\n</ul></div>'
    title = site.name if not page.slug else f"{page.name}_{site.name}"
    return _frame(site, page.slug, title, {"ColumnName": page.name if page.slug else ""}, page.slug, body)


def _list_item(column: Column, item: Article | ExternalLink) -> list[str]:
    day = f'<span class="date">{item.pub_date:%Y-%m-%d}</span>'
    if isinstance(item, ExternalLink):
        return [f'<li><a href="{escape(item.url)}" target="_blank" title="{escape(item.title)}">'
                f"{escape(item.title)}</a>{day}</li>"]
    if item.link_direct:
        return [f'<li><a href="{rel(column.slug, article_dir(column, item) + "/" + a.stored_name)}" '
                f'target="_blank">{escape(a.link_text)}</a>{day}</li>' for a in item.attachments]
    return [f'<li><a href="{rel(column.slug, article_path(column, item))}" target="_blank" '
            f'title="{escape(item.title)}">{escape(item.title)}</a>{day}</li>']


def _siblings(site: Site, column: Column) -> str:
    parent = dirname(column.slug)
    links = [f'<li class="{"on" if c is column else ""}"><a href="{rel(column.slug, c.slug + "/")}">'
             f"{escape(c.name)}</a></li>" for c in site.columns if dirname(c.slug) == parent]
    return f'<div class="list_lf"><ul>{"".join(links)}</ul></div>'


def _list_page(site: Site, column: Column, index: int) -> str:
    items = column.sorted_items[index * column.page_size:(index + 1) * column.page_size]
    lines = "\n".join(line for item in items for line in _list_item(column, item))
    pager = f'createPageHTML({column.page_count}, {index}, "index", "html");'
    body = f"""{_siblings(site, column)}
<div class="list_rt"><div class="lanmu">{escape(column.name)}</div>
<ul class="list">
{lines}
</ul>
<div class="page"><script type="text/javascript">{pager}</script></div>
</div>"""
    meta = {"ColumnName": column.name, "ColumnDescription": column.name, "ColumnType": column.name}
    return _frame(site, column.slug, f"{column.name}_{site.name}", meta, column.slug, body)


def _article_page(site: Site, column: Column, article: Article) -> str:
    here = article_dir(column, article)
    paras = "\n".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)
    files = "\n".join(f'<p><a href="./{a.stored_name}" oldsrc="{a.stored_name}">{escape(a.link_text)}</a></p>'
                      for a in article.attachments)
    when = f"{article.published_at:%Y-%m-%d %H:%M}"
    body = f"""<div class="article">
<h1 class="title">{escape(article.title)}</h1>
<div class="info"><span>发布时间：{when}</span><span>来源：{escape(article.source or site.name)}</span></div>
<div class="TRS_Editor">
{paras}
{files}
</div>
</div>"""
    meta = {"ColumnName": column.name, "ArticleTitle": article.title, "PubDate": when,
            "ContentSource": article.source}
    return _frame(site, here, article.title, meta, column.slug, body)


def render(site: Site) -> RenderedSite:
    """Publish the whole site to resources keyed by absolute URL path."""
    out = RenderedSite(site)
    root = site.root

    def put(path: str, body: bytes, ctype: str, when: datetime, document: Disclosure | None = None,
            decoy: bool = False) -> None:
        out.resources[root + path] = Resource(body, ctype, when, document, decoy)

    assets = resources.files("govbudget.simulator") / "static"
    put("images/common.js", (assets / "trs_common.js").read_bytes(), "application/javascript", site.epoch)
    put("images/style.css", (assets / "trs_style.css").read_bytes(), "text/css", site.epoch)
    for page in site.nav_pages:
        put(f"{page.slug}/index.html".lstrip("/"), _encode(_nav_page(site, page)), NAV_TYPE, site.epoch)
    for column in site.columns:
        newest = max((a.published_at for a in column.items if isinstance(a, Article)), default=site.epoch)
        for index in range(column.page_count):
            put(f"{column.slug}/{list_page_name(index)}", _encode(_list_page(site, column, index)), BARE_TYPE,
                newest)
        for item in column.items:
            if isinstance(item, ExternalLink):
                out.external_decoys.append(item.url)
                continue
            if not item.link_direct:
                put(article_path(column, item), _encode(_article_page(site, column, item)), BARE_TYPE,
                    item.published_at, decoy=not item.is_disclosure)
            for a in item.attachments:
                put(f"{article_dir(column, item)}/{a.stored_name}", a.data, a.content_type, item.published_at,
                    document=a.document, decoy=a.document is None)
    return out
