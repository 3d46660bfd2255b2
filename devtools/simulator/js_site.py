"""JS-rendered list family: an HTML shell whose list is built by `fetch()` of a JSON API.

Without a browser (or knowledge of the API) a crawler sees no links at all. Layout under the root:
  index.html                                  shell: empty `<ul id="list">` plus an inline script
  api/list.json                               {"total", "items": [{title, url, pubDate, type, …}]}
  content/post_<id>.html                      article page with plain `<a href>` to its files
  attachment/0/<id // 1000>/<id>_<n>.<fmt>    files (some list items link here directly)
"""

from __future__ import annotations

import json

from govbudget.simulator.markup import cms_meta, escape
from govbudget.simulator.sites import Article, Attachment, Column, RenderedSite, Resource, Site

FAMILY = "js_list"
HTML = "text/html; charset=utf-8"

SHELL_SCRIPT = """
(function () {
  fetch("%(api)s", {headers: {"Accept": "application/json"}})
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var ul = document.getElementById("list");
      data.items.forEach(function (it) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = it.url;
        a.title = it.title;
        a.textContent = it.title;
        li.appendChild(a);
        var day = document.createElement("span");
        day.textContent = it.pubDate;
        li.appendChild(day);
        ul.appendChild(li);
      });
      document.getElementById("total").textContent = data.total;
      document.body.setAttribute("data-loaded", "1");
    });
})();
"""


def article_path(site: Site, article: Article) -> str:
    return f"{site.root}content/post_{article.article_id}.html"


def file_path(site: Site, article: Article, n: int, attachment: Attachment) -> str:
    return f"{site.root}attachment/0/{article.article_id // 1000}/{article.article_id}_{n}.{attachment.fmt}"


def api_path(site: Site) -> str:
    return f"{site.root}api/list.json"


def _shell(site: Site, column: Column) -> str:
    script = SHELL_SCRIPT % {"api": api_path(site)}
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
{cms_meta(SiteName=site.name, SiteDomain=site.domain, SiteIDCode=site.site_id_code, ColumnName=column.name)}
<title>{escape(column.name)} - {escape(site.name)}</title>
</head>
<body>
<div id="app">
<h1>{escape(site.name)}</h1>
<h2>{escape(column.name)}（共<span id="total">0</span>条）</h2>
<ul id="list"></ul>
<noscript>请启用JavaScript以浏览本平台。</noscript>
</div>
<script>{script}</script>
</body>
</html>
"""


def _article(site: Site, column: Column, article: Article) -> str:
    when = f"{article.published_at:%Y-%m-%d %H:%M}"
    paras = "\n".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)
    files = "\n".join(f'<li><a href="{file_path(site, article, n, a)}">{escape(a.link_text)}</a></li>'
                      for n, a in enumerate(article.attachments))
    meta = cms_meta(SiteName=site.name, SiteDomain=site.domain, SiteIDCode=site.site_id_code,
                    ColumnName=column.name, ArticleTitle=article.title, PubDate=when,
                    ContentSource=article.source)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
{meta}
<title>{escape(article.title)}</title>
</head>
<body>
<div class="article"><h1>{escape(article.title)}</h1><div class="info">发布时间：{when}</div>
<div class="content">
{paras}
<ul class="attachments">
{files}
</ul>
</div></div>
</body>
</html>
"""


def _items(site: Site, column: Column) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for art in column.sorted_items:
        if not isinstance(art, Article):
            continue
        base = {"id": art.article_id, "pubDate": f"{art.pub_date:%Y-%m-%d}", "source": art.source}
        if not art.link_direct:
            items.append({**base, "title": art.title, "url": article_path(site, art), "type": "article"})
            continue
        for n, a in enumerate(art.attachments):
            items.append({**base, "title": a.link_text, "url": file_path(site, art, n, a), "type": a.fmt})
    return items


def render(site: Site) -> RenderedSite:
    """Publish the shell, its JSON list, article pages and files; the first column is the list."""
    out = RenderedSite(site)
    column = site.columns[0]
    newest = max((a.published_at for a in site.articles()), default=site.epoch)
    out.resources[f"{site.root}index.html"] = Resource(_shell(site, column).encode(), HTML, site.epoch)
    items = _items(site, column)
    payload = json.dumps({"code": 0, "total": len(items), "items": items}, ensure_ascii=False, indent=1)
    out.resources[api_path(site)] = Resource(payload.encode(), "application/json; charset=utf-8", newest)
    for art in site.articles():
        if not art.link_direct:
            out.resources[article_path(site, art)] = Resource(
                _article(site, column, art).encode(), HTML, art.published_at, decoy=not art.is_disclosure)
        for n, a in enumerate(art.attachments):
            out.resources[file_path(site, art, n, a)] = Resource(
                a.data, a.content_type, art.published_at, document=a.document, decoy=a.document is None)
    return out
