"""A county CMS whose budget list is an HTML fragment a script fetches, behind a script-set cookie.

The 财政预决算 column's page is a shell: an empty ``<ul id="list">``. Its script first sets a
session cookie (``document.cookie``: no ``Set-Cookie`` header ever carries it), then POSTs a form
``pageIndex=1&rows=2&colId=czyjs`` (with ``X-Requested-With``) to ``list.do``, which answers an HTML
snippet of ``<li><a href>`` rows, newest first, two a page; a page past the last is empty. Without
the cookie ``list.do`` answers 403. Everything else (navigation, articles, files) is a plain CMS
(``plain_site``). A crawler finds pages 2… only by paging the fragment API itself, over plain HTTP,
with the cookie the browser was given.

Layout under the site root: ``xxgk/fdzdgknr/czyjs/index.html`` the shell, ``xxgk/fdzdgknr/czyjs/list.do``
the fragment API, ``<column>/art_<id>.html`` articles, ``<column>/files/<name>`` their files.
"""

from __future__ import annotations

import hashlib

from govbudget.simulator import plain_site
from govbudget.simulator.dynamic import Lookup, Reply, SimRequest
from govbudget.simulator.layout import BUDGET_SLUG
from govbudget.simulator.markup import escape
from govbudget.simulator.sites import Article, ExternalLink, RenderedSite, Resource, Site

FAMILY = "js_fragment"
ROWS = 2
COOKIE = "jsessionid_list"

SCRIPT = """
(function () {
  var seed = %(seed)d, token = "";
  for (var i = 0; i < 6; i++) { token += ((seed >> (i * 4)) & 15).toString(16); }
  document.cookie = "%(cookie)s=" + token + "; path=/";
  function load(page) {
    var x = new XMLHttpRequest();
    x.open("POST", "list.do");
    x.setRequestHeader("Content-Type", "application/x-www-form-urlencoded");
    x.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    x.onload = function () { document.getElementById("list").innerHTML = x.responseText; };
    x.send("pageIndex=" + page + "&rows=%(rows)d&colId=czyjs");
  }
  document.getElementById("next").onclick = function () { load(2); };
  load(1);
})();
"""


def token(site: Site) -> str:
    """The cookie's value, as the shell's script computes it from its seed."""
    seed = _seed(site)
    return "".join(format((seed >> (i * 4)) & 15, "x") for i in range(6))


def _seed(site: Site) -> int:
    return int(hashlib.sha256(site.prefix.encode()).hexdigest()[:6], 16)


def render(site: Site) -> RenderedSite:
    """The plain CMS, with the budget column's list replaced by the shell and its fragment API."""
    out = plain_site.render(site)
    column = next(c for c in site.columns if c.slug == BUDGET_SLUG)
    root = site.root
    items = [i for i in column.sorted_items if not isinstance(i, ExternalLink)]
    rows = [f'<li><a href="{plain_site.article_path(site, column, a)}" title="{escape(a.title)}">'
            f'{escape(a.title)}</a><span>{a.pub_date:%Y-%m-%d}</span></li>' for a in items
            if isinstance(a, Article)]
    script = SCRIPT % {"seed": _seed(site), "cookie": COOKIE, "rows": ROWS}
    body = (f"<h2>{escape(column.name)}</h2><ul id=\"list\"></ul>"
            f'<div class="pager"><span id="next">下一页</span></div><script>{script}</script>')
    newest = max((a.published_at for a in items if isinstance(a, Article)), default=site.epoch)
    shell = f"{root}{column.slug}/index.html"
    out.resources[shell] = Resource(plain_site.page(site, column.name, body, ColumnName=column.name),
                                    plain_site.HTML, newest)
    api = f"{root}{column.slug}/list.do"

    def handle(req: SimRequest, lookup: Lookup) -> Reply | None:
        if req.path != api:
            return None
        if req.cookies.get(COOKIE) != token(site):
            return Reply(403, "<p>非法访问</p>".encode(), plain_site.HTML)
        try:
            page, size = int(req.arg("pageIndex", "1")), int(req.arg("rows", str(ROWS)))
        except ValueError:
            return Reply(400, b"bad page", "text/plain")
        chunk = rows[(page - 1) * size:page * size] if page >= 1 and size >= 1 else []
        return Reply(body="\n".join(chunk).encode(), content_type=plain_site.HTML)

    out.handler = handle
    return out


__all__ = ["FAMILY", "render", "token"]
