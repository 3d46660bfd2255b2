"""大连 (/dl/): a hash-routed app whose category tree loads lazily; a list exists only for a clicked node.

Layout under the site root:
  index.html                             shell: ``<div id="portal-root">``, ``window.DLCZ_RUNTIME``
  static/js/portal.bundle.js             the app: tree, router on ``hashchange``
  rest/v3/catalog/roots                  {"status": "OK", "payload": [{"nid", "nodeName", "expandable"}]}
  rest/v3/catalog/children?parent=<nid>  the same, for one node (asked when the node is first opened)
  rest/v3/docs?nid=<nid>&page=<n>&rows=5 {"status": "OK", "payload": {"list": [{"docId", "xxbt", "fbdw",
                                         "fbsj", "fjxx": [{"fjmc", "ccdz"}]}], "page", "pageCount"}}
  oss/<ccdz>                             files; ``ccdz`` is an object key the app prefixes with ``oss``
Routes: ``#/`` (the tree), ``#/list/<nid>`` and ``#/list/<nid>/<page>``. 预决算公开 opens into 部门预算
(with 三公经费 and 绩效目标), 部门决算 and 一图读懂; 工作动态 is a root leaf. Five rows a page (at most ten).
"""

from __future__ import annotations

import hashlib

from govbudget.simulator.dynamic import Lookup, Reply, SimRequest
from govbudget.simulator.sites import RenderedSite, Site
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

FAMILY = "hash_tree"
RUNTIME_VAR = "DLCZ_RUNTIME"
REST = "rest/v3/"
APP = "static/js/portal.bundle.js"
ROWS, MAX_ROWS = 5, 10
ROOTS = (("r1", "预决算公开", True), ("r2", "工作动态", False))
CHILDREN = {"r1": (("n11", "部门预算"), ("n12", "部门决算"), ("n13", "一图读懂"))}
# node id → the categories its list shows
NODE_CATEGORIES = {"n11": ("部门预算", "三公经费", "绩效目标"), "n12": ("部门决算",), "n13": ("一图读懂",),
                   "r2": ("工作动态", "通知公告")}
MARKERS = (RUNTIME_VAR, "rest/v3/catalog", "rest/v3/docs", "portal.bundle.js")

SCRIPT = """(function () {
  "use strict";
  var rt = window.%(var)s, mount = document.getElementById("portal-root");
  mount.innerHTML = '<aside class="tree"><ul class="roots"></ul></aside>' +
    '<section class="docs"><h3 class="crumb">请选择左侧栏目</h3>' +
    '<ul class="doc-list"></ul><nav class="pages"></nav></section>';
  var roots = mount.querySelector(".roots"), list = mount.querySelector(".doc-list");
  var pages = mount.querySelector(".pages"), crumb = mount.querySelector(".crumb"), names = {};
  function get(path) {
    return fetch(rt.rest + path, {credentials: "same-origin"}).then(function (r) { return r.json(); })
      .then(function (b) { if (b.status !== "OK") { throw new Error(b.message); } return b.payload; });
  }
  function node(n) {
    names[n.nid] = n.nodeName;
    var li = document.createElement("li");
    li.className = "node " + (n.expandable ? "folder" : "leaf");
    li.setAttribute("data-nid", n.nid);
    var label = document.createElement("span");
    label.className = "label"; label.textContent = n.nodeName;
    li.appendChild(label);
    if (n.expandable) {
      var kids = document.createElement("ul");
      kids.className = "kids"; kids.hidden = true;
      li.appendChild(kids);
    }
    return li;
  }
  function expand(li) {
    var kids = li.querySelector(":scope > ul.kids");
    if (li.getAttribute("data-loaded")) { kids.hidden = !kids.hidden; return; }
    var nid = encodeURIComponent(li.getAttribute("data-nid"));
    get("catalog/children?parent=" + nid).then(function (children) {
      children.forEach(function (c) { kids.appendChild(node(c)); });
      li.setAttribute("data-loaded", "1");
      kids.hidden = false;
    });
  }
  mount.querySelector(".tree").addEventListener("click", function (e) {
    var label = e.target.closest(".label");
    if (!label) { return; }
    var li = label.parentNode;
    if (li.classList.contains("folder")) { expand(li); return; }
    location.hash = "#/list/" + li.getAttribute("data-nid");
  });
  function route() {
    var m = /^#\\/list\\/(\\w+)(?:\\/(\\d+))?$/.exec(location.hash);
    if (!m) { return; }
    var nid = m[1], page = parseInt(m[2] || "1", 10);
    get("docs?nid=" + nid + "&page=" + page + "&rows=" + rt.rows).then(function (p) {
      crumb.textContent = names[nid] || "";
      list.innerHTML = "";
      p.list.forEach(function (doc) {
        var li = document.createElement("li");
        var t = document.createElement("p");
        t.className = "xxbt"; t.textContent = doc.xxbt;
        li.appendChild(t);
        var d = document.createElement("span"); d.textContent = doc.fbdw + " " + doc.fbsj; li.appendChild(d);
        doc.fjxx.forEach(function (f) {
          var a = document.createElement("a");
          a.href = rt.oss + f.ccdz; a.textContent = f.fjmc; a.target = "_blank";
          li.appendChild(a);
        });
        list.appendChild(li);
      });
      pages.innerHTML = "";
      for (var i = 1; i <= p.pageCount; i++) {
        var a = document.createElement("a");
        a.href = "#/list/" + nid + "/" + i; a.textContent = String(i);
        if (i === page) { a.className = "current"; }
        pages.appendChild(a);
      }
      mount.setAttribute("data-route", nid + "/" + page);
    });
  }
  window.addEventListener("hashchange", route);
  get("catalog/roots").then(function (rs) {
    rs.forEach(function (n) { roots.appendChild(node(n)); });
    route();
  });
})();
"""


def object_key(site: Site, article_id: int, n: int, fmt: str, year: int) -> str:
    digest = hashlib.sha1(f"{site.prefix}:{article_id}:{n}".encode(), usedforsecurity=False).hexdigest()
    return f"yjsgk/{year}/{digest}.{fmt}"


def render(site: Site) -> RenderedSite:
    out = RenderedSite(site)
    root = site.root
    docs: dict[str, list[dict[str, object]]] = {}
    everything = []
    for nid, categories in NODE_CATEGORIES.items():
        for _, art in entries(site, *categories):
            everything.append(art)
            files = []
            for n, att in enumerate(art.attachments):
                key = object_key(site, art.article_id, n, att.fmt, art.pub_date.year)
                out.resources[f"{root}oss/{key}"] = file_resource(art, att)
                files.append({"fjmc": att.link_text, "ccdz": key})
            docs.setdefault(nid, []).append({"docId": str(art.article_id), "xxbt": art.title,
                                             "fbdw": art.source, "fbsj": day(art), "fjxx": files})
    runtime = f'{{"rest": "{root}{REST}", "oss": "{root}oss/", "rows": {ROWS}}}'
    out.resources[f"{root}index.html"] = shell(
        site, f'<div id="portal-root"></div>\n<script>window.{RUNTIME_VAR} = {runtime};</script>\n'
              f'<script src="{root}{APP}" defer></script>')
    out.resources[f"{root}{APP}"] = script(SCRIPT % {"var": RUNTIME_VAR}, site)
    modified = newest(everything, site)

    def nodes(items: tuple[tuple[str, str, bool], ...]) -> list[dict[str, object]]:
        return [{"nid": nid, "nodeName": name, "expandable": folder} for nid, name, folder in items]

    def handle(req: SimRequest, lookup: Lookup) -> Reply | None:
        path = req.path.removeprefix(f"{root}{REST}")
        if path == req.path:
            return None
        if path == "catalog/roots":
            payload: object = nodes(ROOTS)
        elif path == "catalog/children":
            payload = nodes(tuple((nid, name, False) for nid, name in CHILDREN.get(req.arg("parent"), ())))
        elif path == "docs":
            listed = docs.get(req.arg("nid"))
            page = int_arg(req, "page", 1, 1, 10_000)
            rows = int_arg(req, "rows", ROWS, 1, MAX_ROWS)
            if listed is None or page is None or rows is None:
                failed = {"status": "ERROR", "message": "栏目不存在或参数错误", "payload": None}
                return json_reply(failed, modified)
            payload = {"list": window(listed, (page - 1) * rows, rows), "page": page,
                       "pageCount": max(1, -(-len(listed) // rows))}
        else:
            missing = {"status": "ERROR", "message": "接口不存在", "payload": None}
            return json_reply(missing, modified, status=404)
        return json_reply({"status": "OK", "message": "", "payload": payload}, modified)

    out.handler = handle
    return out
