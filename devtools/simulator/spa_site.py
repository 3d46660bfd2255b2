"""Unified provincial budget platform: a single-page app over a JSON chain, files by ``download.do``.

Layout under the site root:
  index.html                          shell: ``<div id="app">`` and ``window.__YJSGK__ = {api, code}``
  api/departments?code=<9 digits>     [{"id", "name"}]
  api/years                           [2024, 2023, …]
  api/files?dept=<id>&year=<y>        [{"iid", "fileName", "kind"}]
  download.do?iid=<iid>               bytes, ``Content-Disposition: attachment; filename*=UTF-8''…``
Nothing is a link until the app's script has called the endpoints, as on 江苏's yjsgk platform.
"""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import quote

from govbudget.simulator.dynamic import Lookup, Reply, SimRequest
from govbudget.simulator.family_docs import old_budget_pdf
from govbudget.simulator.ids import stable_int
from govbudget.simulator.sites import CONTENT_TYPES, Article, RenderedSite, Resource, Site

FAMILY = "spa_platform"
JSON = "application/json; charset=utf-8"

APP = """(function () {
  var cfg = window.__YJSGK__, app = document.getElementById("app");
  function get(u) { return fetch(cfg.api + u).then(function (r) { return r.json(); }); }
  get("departments?code=" + cfg.code).then(function (depts) {
    get("years").then(function (years) {
      depts.forEach(function (d) { years.forEach(function (y) {
        get("files?dept=" + d.id + "&year=" + y).then(function (files) {
          files.forEach(function (f) {
            var a = document.createElement("a");
            a.href = cfg.download + "?iid=" + f.iid; a.textContent = f.fileName;
            app.appendChild(a);
          });
        });
      }); });
    });
  });
})();"""


def render(site: Site) -> RenderedSite:
    """The platform's files: every article's attachments become (department, year) file entries."""
    out = RenderedSite(site)
    root = site.root
    code = site.region_code + "000"
    files: dict[tuple[str, int], list[dict[str, object]]] = {}
    downloads: dict[str, Resource] = {}
    depts: dict[str, str] = {}
    arts = [a for a in site.articles()]
    for art in arts:
        dept = art.source or site.name
        dept_id = f"{stable_int(dept, 8):08d}"
        depts[dept_id] = dept
        for n, att in enumerate(art.attachments):
            iid = f"{stable_int(f'{art.article_id}:{n}', 10):010d}"
            files.setdefault((dept_id, art.pub_date.year), []).append(
                {"iid": iid, "fileName": att.link_text, "kind": art.title}
            )
            cd = f"attachment; filename*=UTF-8''{quote(att.link_text)}"
            downloads[iid] = Resource(
                att.data,
                att.content_type,
                art.published_at,
                document=att.document,
                decoy=att.document is None,
                headers=(("Content-Disposition", cd),),
            )
    # A pre-2016 file of the first department: listed by the API, never a disclosure to keep.
    if depts:
        first_id, first = sorted(depts.items())[0]
        old = old_budget_pdf(first, 2015)
        files.setdefault((first_id, 2015), []).append(
            {"iid": "0000002015", "fileName": f"{first}2015年部门预算.pdf", "kind": "部门预算"}
        )
        downloads["0000002015"] = Resource(
            old,
            CONTENT_TYPES["pdf"],
            site.epoch,
            decoy=True,
            headers=(
                (
                    "Content-Disposition",
                    f"attachment; filename*=UTF-8''{quote(first + '2015年部门预算.pdf')}",
                ),
            ),
        )
    years = sorted({y for _, y in files} | {date.today().year}, reverse=True)
    config = f'{{"api": "{root}api/", "download": "{root}download.do", "code": "{code}"}}'
    shell = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{site.name}</title>
<meta name="SiteName" content="{site.name}"></head><body><div id="app"></div>
<script>window.__YJSGK__ = {config};</script>
<script src="{root}static/app.js"></script></body></html>"""
    out.resources[f"{root}index.html"] = Resource(shell.encode(), "text/html; charset=utf-8", site.epoch)
    out.resources[f"{root}static/app.js"] = Resource(APP.encode(), "application/javascript", site.epoch)
    for iid, res in downloads.items():
        out.resources[f"{root}download.do?iid={iid}"] = res  # listed for decoy_urls/disclosure_urls
    dept_list = [{"id": k, "name": v} for k, v in sorted(depts.items())]

    def handle(req: SimRequest, lookup: Lookup) -> Reply | None:
        path = req.path[len(root) :]
        if path == "api/departments":
            data: object = dept_list if req.arg("code") == code else []
        elif path == "api/years":
            data = years
        elif path == "api/files":
            try:
                data = files.get((req.arg("dept"), int(req.arg("year", "0"))), [])
            except ValueError:
                return Reply(400, b'{"error": "bad year"}', JSON)
        elif path == "download.do":
            res = downloads.get(req.arg("iid"))
            return Reply(404, b"no such file", "text/plain") if res is None else Reply(resource=res)
        else:
            return None
        newest = max((a.published_at for a in arts), default=site.epoch)
        return Reply(resource=Resource(json.dumps(data, ensure_ascii=False).encode(), JSON, newest))

    out.handler = handle
    return out


__all__ = ["FAMILY", "Article", "render"]
