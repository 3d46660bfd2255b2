"""ASP.NET WebForms county site: ``List.aspx`` paged only by ``__doPostBack`` with ``__VIEWSTATE``.

Pager links are ``javascript:__doPostBack('AspNetPager1','N')``: page N exists only as the answer to
a POST of the page's form (``__VIEWSTATE``, ``__EVENTVALIDATION``, ``__EVENTTARGET``,
``__EVENTARGUMENT``); a POST without the view state of the list is refused. Articles are
``Show.aspx?id=N``; their files come from ``DownLoad.aspx?fid=N`` with the name only in a
``Content-Disposition`` header holding raw GBK bytes, and the link itself says just 点击下载.
"""

from __future__ import annotations

import base64
import hashlib

from govbudget.simulator.dynamic import Lookup, Reply, SimRequest
from govbudget.simulator.markup import cms_meta, escape
from govbudget.simulator.sites import Article, Column, ExternalLink, RenderedSite, Resource, Site

FAMILY = "aspnet"
HTML = "text/html; charset=utf-8"



def _href(root: str, item: ExternalLink | Article) -> str:
    """An off-site item keeps its own URL; an article opens through Show.aspx."""
    return escape(item.url) if isinstance(item, ExternalLink) else f"{root}Show.aspx?id={item.article_id}"

def _viewstate(column_slug: str, page: int) -> str:
    return base64.b64encode(f"/wEPDwUK|{column_slug}|{page}".encode()).decode()


def _page(site: Site, title: str, body: str, **meta: str) -> bytes:
    tags = cms_meta(SiteName=site.name, SiteDomain=site.domain, SiteIDCode=site.site_id_code, **meta)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8">\n{tags}\n<title>{escape(title)}</title></head>'
        f'<body><div><a href="{site.root}Default.aspx">首页</a></div>{body}</body></html>'
    ).encode()


def render(site: Site) -> RenderedSite:
    out = RenderedSite(site)
    root = site.root
    col_of = {c.slug: n + 1 for n, c in enumerate(site.columns)}
    nav_of = {p.slug: n + 1 for n, p in enumerate(site.nav_pages)}

    def href(slug_path: str) -> str:
        slug = slug_path.rstrip("/")
        if slug in col_of:
            return f"{root}List.aspx?cid={col_of[slug]}"
        return f"{root}Nav.aspx?nid={nav_of.get(slug, 1)}"

    pages: dict[str, bytes] = {}
    for nav in site.nav_pages:
        links = "".join(f'<li><a href="{href(h)}">{escape(t)}</a></li>' for t, h in nav.links)
        key = "Default.aspx" if not nav.slug else f"Nav.aspx?nid={nav_of[nav.slug]}"
        pages[key] = _page(site, nav.name, f"<h2>{escape(nav.name)}</h2><ul>{links}</ul>")
    files: dict[str, Resource] = {}
    articles: dict[str, tuple[Column, Article]] = {}
    fid = 0
    for column in site.columns:
        for item in column.items:
            if isinstance(item, ExternalLink):
                out.external_decoys.append(item.url)
                continue
            articles[str(item.article_id)] = (column, item)
            for att in item.attachments:
                fid += 1
                name = att.link_text.encode("gbk").decode("latin-1")
                files[str(fid)] = Resource(
                    att.data,
                    att.content_type,
                    item.published_at,
                    document=att.document,
                    decoy=att.document is None,
                    headers=(("Content-Disposition", f'attachment; filename="{name}"'),),
                )
                out.resources[f"{root}DownLoad.aspx?fid={fid}"] = files[str(fid)]
    fids = {}
    n = 0
    for _, (_column, art) in articles.items():
        for _att in art.attachments:
            n += 1
            fids.setdefault(art.article_id, []).append(n)
    for key, (_column, art) in articles.items():
        links = "".join(
            f'<p>附件：<a href="{root}DownLoad.aspx?fid={f}">点击下载</a></p>'
            for f in fids.get(art.article_id, [])
        )
        body = (
            f"<h1>{escape(art.title)}</h1>" + "".join(f"<p>{escape(p)}</p>" for p in art.paragraphs) + links
        )
        pages[f"Show.aspx?id={key}"] = _page(site, art.title, body, ArticleTitle=art.title)
        out.resources[f"{root}Show.aspx?id={key}"] = Resource(
            b"", HTML, art.published_at, decoy=not art.is_disclosure
        )

    def list_page(column: Column, page: int) -> bytes:
        items = column.sorted_items[(page - 1) * column.page_size : page * column.page_size]
        rows = "".join(
            f'<tr><td><a href="{_href(root, i)}">'
            f"{escape(i.title)}</a></td><td>{i.pub_date:%Y-%m-%d}</td></tr>"
            for i in items
        )
        pager = " ".join(
            f"<span>{p}</span>"
            if p == page
            else f"<a href=\"javascript:__doPostBack('AspNetPager1','{p}')\">{p}</a>"
            for p in range(1, column.page_count + 1)
        )
        if page < column.page_count:
            pager += f" <a href=\"javascript:__doPostBack('AspNetPager1','{page + 1}')\">下一页</a>"
        validation = hashlib.sha256(column.slug.encode()).hexdigest()[:16]
        body = f"""<form method="post" action="./List.aspx?cid={col_of[column.slug]}" id="form1">
<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />
<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="" />
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{_viewstate(column.slug, page)}" />
<input type="hidden" name="__EVENTVALIDATION" id="__EVENTVALIDATION" value="{validation}" />
<script type="text/javascript">function __doPostBack(t, a) {{ var f = document.forms['form1'];
f.__EVENTTARGET.value = t; f.__EVENTARGUMENT.value = a; f.submit(); }}</script>
<h2>{escape(column.name)}</h2><table class="list">{rows}</table>
<div id="AspNetPager1">{pager}</div></form>"""
        return _page(site, f"{column.name}_{site.name}", body, ColumnName=column.name)

    by_cid = {str(col_of[c.slug]): c for c in site.columns}

    def handle(req: SimRequest, lookup: Lookup) -> Reply | None:
        name = req.path[len(root) :]
        if name == "List.aspx":
            column = by_cid.get(req.arg("cid"))
            if column is None:
                return Reply(404, b"not found")
            page = 1
            if req.method == "POST":
                form = req.form
                state = (form.get("__VIEWSTATE") or [""])[0]
                if not any(state == _viewstate(column.slug, p) for p in range(1, column.page_count + 1)):
                    return Reply(500, "状态信息无效 (Invalid viewstate)".encode(), "text/html; charset=utf-8")
                if (form.get("__EVENTTARGET") or [""])[0] == "AspNetPager1":
                    try:
                        page = int((form.get("__EVENTARGUMENT") or ["1"])[0])
                    except ValueError:
                        return Reply(500, b"bad argument")
                page = min(max(page, 1), column.page_count)
            return Reply(200, list_page(column, page), HTML)
        if name == "DownLoad.aspx":
            res = files.get(req.arg("fid"))
            return Reply(404, b"not found") if res is None else Reply(resource=res)
        key = name if name == "Default.aspx" else f"{name}?{req.query and next(iter(req.query))}="
        if name in {"Nav.aspx", "Show.aspx"}:
            arg = "nid" if name == "Nav.aspx" else "id"
            key = f"{name}?{arg}={req.arg(arg)}"
        if name in {"", "index.html"}:
            key = "Default.aspx"
        body = pages.get(key)
        return None if body is None else Reply(200, body, HTML)

    out.resources[f"{root}index.html"] = Resource(pages["Default.aspx"], HTML, site.epoch)
    out.handler = handle
    return out
