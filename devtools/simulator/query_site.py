"""A county CMS whose budget list is a query form: nothing is listed until 查询 is pressed.

The 财政预决算 column's page holds a form (a year ``<select>``, a body's name, a ``<button>查询</button>``)
and an empty ``<tbody id="result">``. Only the button's click asks
``GET list/query?year=&keyword=&pageIndex=1&pageSize=2``, answered ``{"Total", "Rows": [{"Title",
"Attach", "Dept", "PubDate"}]}`` (rooted ``Attach`` paths of the column's files and articles), newest
first, two a page. A crawler sees the list only by pressing the form's button, and its later pages
only by paging the answer's request itself. Everything else is a plain CMS (``plain_site``).
"""

from __future__ import annotations

import json

from govbudget.simulator import plain_site
from govbudget.simulator.dynamic import Lookup, Reply, SimRequest
from govbudget.simulator.layout import BUDGET_SLUG
from govbudget.simulator.markup import escape
from govbudget.simulator.sites import Article, RenderedSite, Resource, Site

FAMILY = "js_query"
JSON = "application/json; charset=utf-8"

SCRIPT = """
(function () {
  function query(page) {
    var year = document.getElementById("year").value, kw = document.getElementById("kw").value;
    fetch("list/query?year=" + year + "&keyword=" + encodeURIComponent(kw) + "&pageIndex=" + page +
          "&pageSize=2").then(function (r) { return r.json(); }).then(function (res) {
      var body = document.getElementById("result");
      body.innerHTML = "";
      res.Rows.forEach(function (row) {
        var tr = document.createElement("tr"), td = document.createElement("td");
        var a = document.createElement("a");
        a.href = row.Attach; a.textContent = row.Title;
        td.appendChild(a); tr.appendChild(td); body.appendChild(tr);
      });
    });
  }
  document.getElementById("search").addEventListener("click", function () { query(1); });
})();
"""


def render(site: Site) -> RenderedSite:
    """The plain CMS, with the budget column's list replaced by the query form and its API."""
    out = plain_site.render(site)
    column = next(c for c in site.columns if c.slug == BUDGET_SLUG)
    root = site.root
    rows = []
    for item in column.sorted_items:
        if not isinstance(item, Article):
            continue
        attach = (plain_site.file_path(site, column, item.attachments[0].stored_name)
                  if item.attachments and item.is_disclosure else plain_site.article_path(site, column, item))
        rows.append({"Title": item.title, "Attach": attach, "Dept": item.source,
                     "PubDate": f"{item.pub_date:%Y-%m-%d}", "Year": item.pub_date.year})
    years = sorted({r["Year"] for r in rows}, reverse=True)
    options = "".join(f'<option value="{y}">{y}年</option>' for y in years)
    body = (f"<h2>{escape(column.name)}</h2><form onsubmit=\"return false\">"
            f'<select id="year"><option value="">全部年度</option>{options}</select>'
            '<input id="kw" placeholder="请输入部门名称"><button type="button" id="search">查询</button>'
            f'</form><table><tbody id="result"></tbody></table><script>{SCRIPT}</script>')
    newest = max((a.published_at for a in column.items if isinstance(a, Article)), default=site.epoch)
    out.resources[f"{root}{column.slug}/index.html"] = Resource(
        plain_site.page(site, column.name, body, ColumnName=column.name), plain_site.HTML, newest)
    api = f"{root}{column.slug}/list/query"

    def handle(req: SimRequest, lookup: Lookup) -> Reply | None:
        if req.path != api:
            return None
        year, keyword = req.arg("year"), req.arg("keyword")
        try:
            page, size = int(req.arg("pageIndex", "1")), int(req.arg("pageSize", "2"))
        except ValueError:
            return Reply(400, b'{"Total": 0, "Rows": []}', JSON)
        found = [r for r in rows if (not year or str(r["Year"]) == year) and keyword in str(r["Dept"])]
        chunk = found[(page - 1) * size:page * size] if page >= 1 and size >= 1 else []
        data = {"Total": len(found), "Rows": chunk}
        return Reply(body=json.dumps(data, ensure_ascii=False).encode(), content_type=JSON)

    out.handler = handle
    return out


__all__ = ["FAMILY", "render"]
