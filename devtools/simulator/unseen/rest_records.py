"""宁波 (/nb/): a REST list of files in a ``{code, data: {records, total}}`` envelope, numbered pages.

Layout under the site root:
  index.html                                     shell: ``<div id="root">``, ``window.__NBCZ_GKPT_CONF__``
  assets/js/gkpt.portal.js                       the app (XMLHttpRequest, a table, page buttons)
  prod-api/gkpt/openinfo/records?pageNum=&pageSize=&columnCode=YJSGK
        {"code": 0, "msg", "data": {"records": [{"id", "wjmc", "fjdz", "fbrq", "dwmc", "lmmc"}],
                                    "total", "size", "current", "pages"}}
  upload/<yyyy>/<mm>/<32 hex>.<ext>              files (``fjdz``), one record per file
Page size 6 in the app, at most 10 from the server: the list needs page 2 and 3 whatever a client asks.
"""

from __future__ import annotations

import hashlib

from govbudget.simulator.dynamic import Lookup, Reply, SimRequest
from govbudget.simulator.sites import Article, Attachment, RenderedSite, Site
from govbudget.simulator.unseen.common import (
    day,
    file_resource,
    int_arg,
    json_reply,
    newest,
    script,
    shell,
    window,
)
from govbudget.simulator.unseen.content import entries

FAMILY = "rest_records"
CONFIG_VAR = "__NBCZ_GKPT_CONF__"
API = "prod-api/gkpt/openinfo/records"
APP = "assets/js/gkpt.portal.js"
COLUMN_CODE = "YJSGK"
PAGE_SIZE, MAX_PAGE_SIZE = 6, 10
MARKERS = (CONFIG_VAR, "gkpt/openinfo/records", "gkpt.portal.js")

SCRIPT = """(function () {
  "use strict";
  var cfg = window.%(var)s;
  var root = document.getElementById("root");
  function cell(tr, node) { var td = document.createElement("td"); td.appendChild(node); tr.appendChild(td); }
  function text(s) { return document.createTextNode(s == null ? "" : String(s)); }
  function button(label, page, off) {
    var b = document.createElement("button");
    b.type = "button"; b.className = "pg"; b.textContent = label;
    b.setAttribute("data-page", page); b.disabled = !!off;
    return b;
  }
  function draw(data) {
    root.innerHTML = "";
    var table = document.createElement("table");
    table.className = "gk-table";
    table.innerHTML = "<thead><tr><th>序号</th><th>文件名称</th>" +
      "<th>发布单位</th><th>发布日期</th></tr></thead>";
    var tbody = document.createElement("tbody");
    data.records.forEach(function (r, i) {
      var tr = document.createElement("tr");
      cell(tr, text((data.current - 1) * data.size + i + 1));
      var a = document.createElement("a");
      a.href = r.fjdz; a.target = "_blank"; a.textContent = r.wjmc; a.title = r.lmmc;
      cell(tr, a); cell(tr, text(r.dwmc)); cell(tr, text(r.fbrq));
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    root.appendChild(table);
    var pager = document.createElement("div");
    pager.className = "gk-pager";
    pager.appendChild(button("上一页", data.current - 1, data.current <= 1));
    for (var p = 1; p <= data.pages; p++) { pager.appendChild(button(String(p), p, p === data.current)); }
    pager.appendChild(button("下一页", data.current + 1, data.current >= data.pages));
    var total = document.createElement("span");
    total.textContent = "共 " + data.total + " 条";
    pager.appendChild(total);
    root.appendChild(pager);
    root.setAttribute("data-page", data.current);
  }
  function load(page) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", cfg.baseApi + "%(api)s?pageNum=" + page + "&pageSize=" + cfg.pageSize +
             "&columnCode=" + encodeURIComponent(cfg.columnCode));
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.onload = function () {
      var body = JSON.parse(xhr.responseText);
      if (body.code !== 0) { root.textContent = body.msg; return; }
      draw(body.data);
    };
    xhr.send();
  }
  root.addEventListener("click", function (e) {
    var b = e.target.closest("button.pg");
    if (b && !b.disabled) { load(parseInt(b.getAttribute("data-page"), 10)); }
  });
  load(1);
})();
"""


def file_path(site: Site, article: Article, n: int, att: Attachment) -> str:
    key = f"{site.prefix}:{article.article_id}:{n}".encode()
    digest = hashlib.md5(key, usedforsecurity=False).hexdigest()
    return f"{site.root}upload/{article.pub_date:%Y}/{article.pub_date:%m}/{digest}.{att.fmt}"


def render(site: Site) -> RenderedSite:
    out = RenderedSite(site)
    root = site.root
    listed = entries(site)
    articles = [art for _, art in listed]
    records: list[dict[str, object]] = []
    for category, art in listed:
        for n, att in enumerate(art.attachments):
            path = file_path(site, art, n, att)
            out.resources[path] = file_resource(art, att)
            records.append({"id": str(art.article_id * 10 + n), "wjmc": att.link_text, "fjdz": path,
                            "fbrq": day(art), "dwmc": art.source, "lmmc": category})
    config = (f'{{"baseApi": "{root}", "columnCode": "{COLUMN_CODE}", "pageSize": {PAGE_SIZE}, '
              f'"siteCode": "{site.region_code}"}}')
    out.resources[f"{root}index.html"] = shell(
        site, f'<div id="root"></div>\n<script>window.{CONFIG_VAR} = {config};</script>\n'
              f'<script src="{root}{APP}"></script>')
    out.resources[f"{root}{APP}"] = script(SCRIPT % {"var": CONFIG_VAR, "api": API}, site)
    modified = newest(articles, site)

    def handle(req: SimRequest, lookup: Lookup) -> Reply | None:
        if req.path != f"{root}{API}":
            return None
        page = int_arg(req, "pageNum", 1, 1, 10_000)
        size = int_arg(req, "pageSize", PAGE_SIZE, 1, MAX_PAGE_SIZE)
        if page is None or size is None:
            return json_reply({"code": 400, "msg": "参数格式错误", "data": None}, modified)
        rows = records if req.arg("columnCode") == COLUMN_CODE else []
        return json_reply({"code": 0, "msg": "查询成功", "data": {
            "records": window(rows, (page - 1) * size, size), "total": len(rows), "size": size,
            "current": page, "pages": max(1, -(-len(rows) // size))}}, modified)

    out.handler = handle
    return out
