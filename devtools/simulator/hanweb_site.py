"""Hanweb 大汉 JCMS family: ``/col/colN/index.html`` lists, ``<datastore>`` records, POST-only paging.

Layout under the site root:
  index.html                                      home
  col/col<N>/index.html                           navigation and list columns
  module/web/jpage/dataproxy.jsp (POST)           later list records: ?startrecord=&endrecord=&perpage=
  art/<Y>/<M>/<D>/art_<N>_<id>.html               article
  module/download/downfile.jsp?…&showname=…       302 → attach/0/<hex>.<fmt>
The first list page embeds only its first `perpage` records inside ``<script type="text/xml">``, so a
crawler that reads only ``<a href>`` finds nothing, and one that does not POST finds only page one.
"""

from __future__ import annotations

import hashlib
from urllib.parse import quote

from govbudget.simulator.dynamic import Handler, Lookup, Reply, SimRequest
from govbudget.simulator.markup import cms_meta, escape
from govbudget.simulator.sites import Article, Attachment, Column, ExternalLink, RenderedSite, Resource, Site

FAMILY = "hanweb"
HTML = "text/html; charset=utf-8"
FIRST_COL = 1001
WEBID, UNITID = 7, 5001


def col_ids(site: Site) -> dict[str, int]:
    """Column number per nav page / column slug, in definition order."""
    slugs = [p.slug for p in site.nav_pages if p.slug] + [c.slug for c in site.columns]
    return {slug: FIRST_COL + n for n, slug in enumerate(slugs)}


def col_path(site: Site, n: int) -> str:
    return f"{site.root}col/col{n}/index.html"


def art_path(site: Site, col: int, art: Article) -> str:
    d = art.pub_date
    return f"{site.root}art/{d.year}/{d.month}/{d.day}/art_{col}_{art.article_id}.html"


def _hex(att: Attachment) -> str:
    return hashlib.sha256(att.stored_name.encode()).hexdigest()[:32]


def attach_path(site: Site, att: Attachment) -> str:
    return f"{site.root}attach/0/{_hex(att)}.{att.fmt}"


def downfile_url(site: Site, att: Attachment) -> str:
    return (
        f"{site.root}module/download/downfile.jsp?classid=0&showname={quote(att.link_text)}"
        f"&filename={_hex(att)}.{att.fmt}"
    )


def _page(site: Site, title: str, body: str, **meta: str) -> bytes:
    tags = cms_meta(SiteName=site.name, SiteDomain=site.domain, SiteIDCode=site.site_id_code, **meta)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8">\n{tags}\n<title>{escape(title)}</title>'
        f'<script src="{site.root}module/jslib/jquery/jquery.js"></script></head><body>\n{body}\n'
        f"</body></html>"
    ).encode()


def record(site: Site, col: int, item: Article | ExternalLink) -> str:
    if isinstance(item, ExternalLink):
        return f'<li><a href="{escape(item.url)}" target="_blank">{escape(item.title)}</a></li>'
    return (
        f'<li><a href="{art_path(site, col, item)}" title="{escape(item.title)}" target="_blank">'
        f"{escape(item.title)}</a><span>{item.pub_date:%Y-%m-%d}</span></li>"
    )


def _datastore(records: list[str], total: int, perpage: int, col: int, site: Site) -> str:
    pages = max(1, -(-total // perpage))
    rows = "\n".join(f"<record><![CDATA[\n{r}\n]]></record>" for r in records)
    nextgroup = (
        f'<a href="{site.root}module/web/jpage/dataproxy.jsp?page=1&webid={WEBID}&path=/&columnid={col}'
        f'&unitid={UNITID}&webname={quote(site.name)}&permissiontype=0"></a>'
    )
    return (
        f"<datastore>\n<nextgroup><![CDATA[{nextgroup}]]></nextgroup>\n<recordset>\n{rows}\n</recordset>\n"
        f"<totalrecord>{total}</totalrecord><totalpage>{pages}</totalpage></datastore>"
    )


def _list_page(site: Site, column: Column, col: int) -> bytes:
    items = column.sorted_items
    first = [record(site, col, i) for i in items[: column.page_size]]
    body = f"""<h2>{escape(column.name)}</h2>
<div id="{UNITID}"><script type="text/xml">
{_datastore(first, len(items), column.page_size, col, site)}
</script><script language="javascript">
var mynum = {column.page_size};
$(document).ready(function(){{ $('#{UNITID}').jpage({{
  dataStore: dataStore, proxyUrl: '{site.root}module/web/jpage/dataproxy.jsp', perPage: mynum,
  ajaxParam: {{ col: 1, appid: 1, webid: {WEBID}, path: '/', columnid: {col}, sourceContentType: 1,
               unitid: '{UNITID}', webname: '{escape(site.name)}', permissiontype: 0 }} }}); }});
</script></div>"""
    return _page(site, f"{column.name}_{site.name}", body, ColumnName=column.name)


def _dataproxy(site: Site, columns: dict[int, Column]) -> Handler:
    proxy = f"{site.root}module/web/jpage/dataproxy.jsp"

    def handle(req: SimRequest, lookup: Lookup) -> Reply | None:
        if req.path != proxy:
            return None
        if req.method != "POST":
            return Reply(405, b"method not allowed", "text/plain")
        try:
            col = int(req.arg("columnid"))
            start, end = int(req.arg("startrecord", "1")), int(req.arg("endrecord", "1"))
            perpage = int(req.arg("perpage", "15"))
        except ValueError:
            return Reply(400, b"bad parameters", "text/plain")
        column = columns.get(col)
        if column is None or start < 1 or end < start or perpage < 1:
            return Reply(
                200,
                b"<datastore><recordset></recordset><totalrecord>0</totalrecord></datastore>",
                "text/xml; charset=utf-8",
            )
        items = column.sorted_items[start - 1 : end]
        xml = _datastore([record(site, col, i) for i in items], len(column.items), perpage, col, site)
        return Reply(
            200, ('<?xml version="1.0" encoding="UTF-8"?>' + xml).encode(), "text/xml; charset=utf-8"
        )

    return handle


def _downfile(site: Site, targets: dict[str, str]) -> Handler:
    servlet = f"{site.root}module/download/downfile.jsp"

    def handle(req: SimRequest, lookup: Lookup) -> Reply | None:
        if req.path != servlet:
            return None
        target = targets.get(req.arg("filename"))
        if target is None:
            return Reply(404, b"file not found", "text/plain")
        return Reply(302, b"", None, (("Location", target),))

    return handle


def render(site: Site) -> RenderedSite:
    out = RenderedSite(site)
    ids = col_ids(site)
    names = {p.slug: p.name for p in site.nav_pages} | {c.slug: c.name for c in site.columns}

    def href(slug_path: str) -> str:
        slug = slug_path.rstrip("/")
        return col_path(site, ids[slug]) if slug in ids else f"{site.root}{slug_path}"

    for nav in site.nav_pages:
        links = "".join(f'<li><a href="{href(h)}">{escape(t)}</a></li>' for t, h in nav.links)
        path = col_path(site, ids[nav.slug]) if nav.slug else f"{site.root}index.html"
        out.resources[path] = Resource(
            _page(
                site,
                nav.name,
                f"<h2>{escape(nav.name)}</h2><ul>{links}</ul>",
                ColumnName=names.get(nav.slug, ""),
            ),
            HTML,
            site.epoch,
        )
    by_col: dict[int, Column] = {}
    targets: dict[str, str] = {}
    for column in site.columns:
        col = ids[column.slug]
        by_col[col] = column
        newest = max((a.published_at for a in column.items if isinstance(a, Article)), default=site.epoch)
        out.resources[col_path(site, col)] = Resource(_list_page(site, column, col), HTML, newest)
        for item in column.items:
            if isinstance(item, ExternalLink):
                out.external_decoys.append(item.url)
                continue
            files = "".join(
                f'<p><a href="{downfile_url(site, a)}">{escape(a.link_text)}</a></p>'
                for a in item.attachments
            )
            when = f"{item.published_at:%Y-%m-%d %H:%M}"
            body = (
                f"<h1>{escape(item.title)}</h1>"
                + "".join(f"<p>{escape(p)}</p>" for p in item.paragraphs)
                + files
            )
            out.resources[art_path(site, col, item)] = Resource(
                _page(site, item.title, body, ColumnName=column.name, ArticleTitle=item.title, PubDate=when),
                HTML,
                item.published_at,
                decoy=not item.is_disclosure,
            )
            for a in item.attachments:
                targets[f"{_hex(a)}.{a.fmt}"] = attach_path(site, a)
                out.resources[attach_path(site, a)] = Resource(
                    a.data, a.content_type, item.published_at, document=a.document, decoy=a.document is None
                )
    from govbudget.simulator.dynamic import chain

    out.handler = chain(_dataproxy(site, by_col), _downfile(site, targets))
    return out
