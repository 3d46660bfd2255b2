"""A county CMS whose budget list shows one year at a time, the year chosen in a ``<select>``.

The 财政预决算 column's page holds ``<select id="nd">`` (the years, the newest selected) and an
empty ``<ul id="items">``; its script asks ``GET api/list?nd=<year>&page=1&rows=10`` on load and
again on each change of the select, answered ``{"result": {"total", "items": [{"wjmc", "xzdz",
"fbrq"}]}}`` (pinyin keys; ``xzdz`` a rooted path to the file or article). The other years' files are
listed only for the other options: a crawler finds them by asking the same request with each
option's value. Everything else is a plain CMS (``plain_site``). With ``encoded`` (an ASP.NET
service's way) the answer is ``{"d": "<the same JSON, as a string>"}`` and the script parses it twice.
"""

from __future__ import annotations

import json

from govbudget.simulator import plain_site
from govbudget.simulator.dynamic import Lookup, Reply, SimRequest
from govbudget.simulator.layout import BUDGET_SLUG
from govbudget.simulator.markup import escape
from govbudget.simulator.sites import Article, RenderedSite, Resource, Site

FAMILY = "js_select"
ENCODED_FAMILY = "js_select_encoded"  # the same list, its answer a JSON string inside JSON
JSON = "application/json; charset=utf-8"

SCRIPT = """
(function () {
  var nd = document.getElementById("nd");
  function load() {
    var x = new XMLHttpRequest();
    x.open("GET", "api/list?nd=" + nd.value + "&page=1&rows=10");
    x.onload = function () {
      var ul = document.getElementById("items"), res = JSON.parse(x.responseText);
      if (typeof res.d === "string") { res = JSON.parse(res.d); }
      ul.innerHTML = "";
      res.result.items.forEach(function (it) {
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = it.xzdz; a.textContent = it.wjmc; li.appendChild(a); ul.appendChild(li);
      });
    };
    x.send();
  }
  nd.addEventListener("change", load);
  load();
})();
"""


def render_encoded(site: Site) -> RenderedSite:
    """The same site, its API's answer a JSON string inside JSON (``{"d": "…"}``)."""
    return render(site, encoded=True)


def render(site: Site, *, encoded: bool = False) -> RenderedSite:
    """The plain CMS, with the budget column's list replaced by the year select and its API."""
    out = plain_site.render(site)
    column = next(c for c in site.columns if c.slug == BUDGET_SLUG)
    root = site.root
    by_year: dict[int, list[dict[str, str]]] = {}
    for item in column.sorted_items:
        if not isinstance(item, Article):
            continue
        link = (plain_site.file_path(site, column, item.attachments[0].stored_name)
                if item.attachments and item.is_disclosure else plain_site.article_path(site, column, item))
        by_year.setdefault(item.pub_date.year, []).append(
            {"wjmc": item.title, "xzdz": link, "fbrq": f"{item.pub_date:%Y-%m-%d}"})
    years = sorted((y for y in by_year if y >= 2016), reverse=True)
    options = "".join(f'<option value="{y}"{" selected" if n == 0 else ""}>{y}年</option>'
                      for n, y in enumerate(years))
    body = (f'<h2>{escape(column.name)}</h2><p>年度：<select id="nd">{options}</select></p>'
            f'<ul id="items"></ul><script>{SCRIPT}</script>')
    newest = max((a.published_at for a in column.items if isinstance(a, Article)), default=site.epoch)
    out.resources[f"{root}{column.slug}/index.html"] = Resource(
        plain_site.page(site, column.name, body, ColumnName=column.name), plain_site.HTML, newest)
    api = f"{root}{column.slug}/api/list"

    def handle(req: SimRequest, lookup: Lookup) -> Reply | None:
        if req.path != api:
            return None
        try:
            year, page, rows = int(req.arg("nd", "0")), int(req.arg("page", "1")), int(req.arg("rows", "10"))
        except ValueError:
            return Reply(400, b'{"result": {"total": 0, "items": []}}', JSON)
        found = by_year.get(year, [])
        chunk = found[(page - 1) * rows:page * rows] if page >= 1 and rows >= 1 else []
        data: object = {"result": {"total": len(found), "items": chunk}}
        if encoded:
            data = {"d": json.dumps(data, ensure_ascii=False)}
        return Reply(body=json.dumps(data, ensure_ascii=False).encode(), content_type=JSON)

    out.handler = handle
    return out


__all__ = ["ENCODED_FAMILY", "FAMILY", "render", "render_encoded"]
