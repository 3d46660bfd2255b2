"""青岛 (/qd/): catalog tabs whose lists come only from a JSON POST; files behind a download servlet.

Layout under the site root:
  index.html                        shell: ``<div id="app">``, ``var QDYJS_SETTINGS = {service, catalogs…}``
  static/js/gk-app.js               the app (``fetch`` POST, tabs, 上一页/下一页)
  api/info/pageList                 POST ``{"pageIndex": 1, "pageSize": 5, "catalogId": "c0101"}`` (JSON body;
                                    a GET is 405, a form body 400) → ``{"success", "message", "result":
                                    {"rows": [{"infoId", "infoTitle", "publishDate", "orgName",
                                    "attachments": [{"attachId", "attachName", "attachPath"}]}],
                                    "totalRows", "pageIndex", "pageSize"}}``
  api/file/download?id=<n>          files; ``attachPath`` is this URL relative to the shell, the name
                                    only in ``Content-Disposition``
部门预算 (with the 绩效目标 tables) needs page 2 at the app's page size 5.
"""

from __future__ import annotations

import json

from govbudget.simulator.dynamic import Lookup, Reply, SimRequest
from govbudget.simulator.ids import stable_int
from govbudget.simulator.sites import RenderedSite, Resource, Site
from govbudget.simulator.unseen.common import JSON, day, file_resource, int_arg, script, shell, window
from govbudget.simulator.unseen.content import entries

FAMILY = "post_rows"
SETTINGS_VAR = "QDYJS_SETTINGS"
LIST_API = "api/info/pageList"
DOWNLOAD = "api/file/download"
APP = "static/js/gk-app.js"
PAGE_SIZE, MAX_PAGE_SIZE = 5, 10
# catalogId → (tab name, the categories it lists)
CATALOGS = {
    "c0101": ("部门预算", ("部门预算", "绩效目标")),
    "c0102": ("部门决算", ("部门决算",)),
    "c0103": ("三公经费", ("三公经费",)),
    "c0104": ("一图读懂", ("一图读懂",)),
    "c0105": ("工作动态", ("工作动态", "通知公告")),
}
MARKERS = (SETTINGS_VAR, "info/pageList", "gk-app.js")

SCRIPT = """(function () {
  "use strict";
  var S = window.%(var)s;
  var app = document.getElementById("app");
  var state = {catalogId: S.catalogs[0].catalogId, pageIndex: 1, pages: 1};
  app.innerHTML = '<ul class="gk-tabs"></ul><div class="gk-rows"></div>' +
    '<div class="gk-pager"><span class="prev">上一页</span><span class="info"></span>' +
    '<span class="next">下一页</span></div>';
  var tabs = app.querySelector(".gk-tabs"), rows = app.querySelector(".gk-rows");
  S.catalogs.forEach(function (c) {
    var li = document.createElement("li");
    li.textContent = c.catalogName; li.setAttribute("data-catalog", c.catalogId);
    tabs.appendChild(li);
  });
  function draw(result) {
    rows.innerHTML = "";
    state.pages = Math.max(1, Math.ceil(result.totalRows / S.pageSize));
    result.rows.forEach(function (row) {
      var div = document.createElement("div");
      div.className = "gk-row";
      var h = document.createElement("h4"); h.textContent = row.infoTitle; div.appendChild(h);
      var p = document.createElement("p");
      p.textContent = row.orgName + " " + row.publishDate;
      div.appendChild(p);
      row.attachments.forEach(function (f) {
        var a = document.createElement("a");
        a.href = f.attachPath; a.textContent = f.attachName;
        div.appendChild(a);
      });
      rows.appendChild(div);
    });
    app.querySelector(".info").textContent = state.pageIndex + " / " + state.pages;
    Array.prototype.forEach.call(tabs.children, function (li) {
      li.className = li.getAttribute("data-catalog") === state.catalogId ? "active" : "";
    });
    app.setAttribute("data-state", state.catalogId + ":" + state.pageIndex);
  }
  function query() {
    return fetch(S.service + "%(list)s", {
      method: "POST",
      headers: {"Content-Type": "application/json;charset=UTF-8"},
      body: JSON.stringify({pageIndex: state.pageIndex, pageSize: S.pageSize, catalogId: state.catalogId})
    }).then(function (r) { return r.json(); }).then(function (res) {
      if (!res.success) { throw new Error(res.message); }
      draw(res.result);
    });
  }
  tabs.addEventListener("click", function (e) {
    var li = e.target.closest("li");
    if (li) { state.catalogId = li.getAttribute("data-catalog"); state.pageIndex = 1; query(); }
  });
  app.querySelector(".next").addEventListener("click", function () {
    if (state.pageIndex < state.pages) { state.pageIndex += 1; query(); }
  });
  app.querySelector(".prev").addEventListener("click", function () {
    if (state.pageIndex > 1) { state.pageIndex -= 1; query(); }
  });
  query();
})();
"""


def render(site: Site) -> RenderedSite:
    out = RenderedSite(site)
    root = site.root
    files: dict[str, Resource] = {}
    rows: dict[str, list[dict[str, object]]] = {}
    for catalog, (_, categories) in CATALOGS.items():
        listed = entries(site, *categories)
        for _, art in listed:
            attachments = []
            for n, att in enumerate(art.attachments):
                file_id = str(100_000 + stable_int(f"{site.prefix}:{art.article_id}:{n}", 6))
                files[file_id] = file_resource(art, att, servlet=True)
                attachments.append({"attachId": file_id, "attachName": att.link_text,
                                    "attachPath": f"{DOWNLOAD}?id={file_id}"})
            rows.setdefault(catalog, []).append({
                "infoId": art.article_id, "infoTitle": art.title, "publishDate": day(art),
                "orgName": art.source, "attachments": attachments})
    for file_id, res in files.items():
        out.resources[f"{root}{DOWNLOAD}?id={file_id}"] = res  # listed for decoy_urls/disclosure_urls
    settings = json.dumps({"service": "api/", "pageSize": PAGE_SIZE, "catalogs": [
        {"catalogId": k, "catalogName": name} for k, (name, _) in CATALOGS.items()]}, ensure_ascii=False)
    out.resources[f"{root}index.html"] = shell(
        site, f'<div id="app"></div>\n<script>var {SETTINGS_VAR} = {settings};</script>\n'
              f'<script src="{APP}"></script>')
    source = SCRIPT % {"var": SETTINGS_VAR, "list": LIST_API.removeprefix("api/")}
    out.resources[f"{root}{APP}"] = script(source, site)

    def failure(status: int, message: str, *headers: tuple[str, str]) -> Reply:
        body = json.dumps({"success": False, "message": message, "result": None}, ensure_ascii=False)
        return Reply(status, body.encode("utf-8"), JSON, headers)

    def page_list(req: SimRequest) -> Reply:
        if req.method != "POST":
            return failure(405, f"Request method '{req.method}' not supported", ("Allow", "POST"))
        if "application/json" not in req.headers.get("content-type", ""):
            return failure(400, "请求参数格式错误：需要 application/json")
        try:
            body = json.loads(req.body.decode("utf-8") or "null")
        except (UnicodeDecodeError, json.JSONDecodeError):
            return failure(400, "请求参数格式错误")
        if not isinstance(body, dict):
            return failure(400, "请求参数格式错误")
        page = int_arg(body, "pageIndex", 1, 1, 10_000)
        size = int_arg(body, "pageSize", PAGE_SIZE, 1, MAX_PAGE_SIZE)
        if page is None or size is None:
            return failure(400, "分页参数错误")
        listed = rows.get(str(body.get("catalogId", "")), [])
        result = {"rows": window(listed, (page - 1) * size, size), "totalRows": len(listed),
                  "pageIndex": page, "pageSize": size}
        data = json.dumps({"success": True, "message": "", "result": result}, ensure_ascii=False)
        return Reply(200, data.encode("utf-8"), JSON)

    def handle(req: SimRequest, lookup: Lookup) -> Reply | None:
        if req.path == f"{root}{LIST_API}":
            return page_list(req)
        if req.path == f"{root}{DOWNLOAD}":
            res = files.get(req.arg("id"))
            return failure(404, "文件不存在") if res is None else Reply(resource=res)
        return None

    out.handler = handle
    return out

