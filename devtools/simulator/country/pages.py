"""The pages between division sites: directories, local-government site lists and the shared platform.

These are what a discovery reads: a finance department's 预决算公开 directory, a city's
县（市、区）预决算公开 page, a home page's 市县政府网站 list, and one province's shared platform that
serves every division by code in the query (``list.html?code=140302000``). Plain UTF-8 HTML with the
CMS meta tags real sites carry (SiteName, SiteIDCode), so a page names whose it is.
"""

from __future__ import annotations

from collections.abc import Sequence

from govbudget.simulator.markup import cms_meta, escape

HTML = "text/html; charset=utf-8"

Link = tuple[str, str]  # (text, absolute URL)


def page(title: str, site_name: str, site_id: str, sections: Sequence[tuple[str, Sequence[Link]]],
         intro: str = "") -> bytes:
    """A directory-like page: a heading per section, each a list of links."""
    meta = cms_meta(SiteName=site_name, SiteIDCode=site_id, ColumnName=title)
    body = "".join(
        f"<h3>{escape(head)}</h3><ul>"
        + "".join(f'<li><a href="{escape(url)}" target="_blank">{escape(text)}</a></li>'
                  for text, url in links)
        + "</ul>"
        for head, links in sections
    )
    lead = f"<p>{escape(intro)}</p>" if intro else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
{meta}
<title>{escape(title)}_{escape(site_name)}</title></head>
<body><div class="head">{escape(site_name)}</div><h2>{escape(title)}</h2>{lead}{body}
<div class="foot">主办：{escape(site_name)}</div></body></html>
""".encode()


def platform_list(site_name: str, full_name: str, code: str, items: Sequence[Link]) -> bytes:
    """The shared platform's page for one division: its name in the title, its disclosures listed."""
    meta = cms_meta(SiteName=site_name, ColumnName="预决算公开", AdmDivCode=code)
    lis = "".join(f'<li><a href="{escape(url)}">{escape(text)}</a></li>' for text, url in items)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
{meta}
<title>{escape(full_name)}预决算公开_{escape(site_name)}</title></head>
<body><div class="head">{escape(site_name)}</div><h2>{escape(full_name)}预决算公开</h2>
<ul class="list">{lis}</ul></body></html>
""".encode()


def platform_empty(site_name: str) -> bytes:
    """What the platform answers, with 200, for a code it has nothing for: no division named."""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
{cms_meta(SiteName=site_name)}
<title>预决算公开_{escape(site_name)}</title></head>
<body><div class="head">{escape(site_name)}</div><p class="empty">暂无数据</p></body></html>
""".encode()


def platform_article(site_name: str, full_name: str, title: str, files: Sequence[Link]) -> bytes:
    links = "".join(f'<p><a href="{escape(url)}">{escape(text)}</a></p>' for text, url in files)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
{cms_meta(SiteName=site_name, ArticleTitle=title)}
<title>{escape(title)}_{escape(site_name)}</title></head>
<body><div class="head">{escape(site_name)} · {escape(full_name)}</div><h1>{escape(title)}</h1>
<div class="content">{links}</div></body></html>
""".encode()
