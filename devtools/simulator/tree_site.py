"""A 预决算公开 platform whose directory is a lazily loaded tree three levels deep.

The shell (``index.html``: an empty ``<div id="tree">``) asks ``api/node/children`` with a JSON body
``{"pid": "0"}`` for the categories (部门预算, 部门决算, 政策解读), and the same request with a node's
``nodeId`` for its children when the node is clicked: a category opens into groups (市级部门, 区县部门),
a group into bodies. A body's documents come from ``GET api/doc/page?nodeId=&pageNum=1&pageSize=10``
(``{"data": {"records": [...], "total": n}}``; ``fileUrl`` rooted). Nothing is a link until a body is
clicked, and a browser clicks only some: the documents of every other body, of every group, are
found only by asking the same requests, level by level, for each node the answers list.

Layout under the site root: ``index.html``, ``api/node/children`` (POST, JSON), ``api/doc/page``,
``upload/<stored name>`` the files.
"""

from __future__ import annotations

import json

from govbudget.simulator.dynamic import Lookup, Reply, SimRequest
from govbudget.simulator.family_docs import family_documents
from govbudget.simulator.ids import stable_int
from govbudget.simulator.sites import CONTENT_TYPES, RenderedSite, Resource, Site

FAMILY = "js_tree"
JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"

APP = """
(function () {
  function post(url, body, then) {
    var x = new XMLHttpRequest();
    x.open("POST", url);
    x.setRequestHeader("Content-Type", "application/json;charset=UTF-8");
    x.onload = function () { then(JSON.parse(x.responseText)); };
    x.send(JSON.stringify(body));
  }
  function get(url, then) {
    var x = new XMLHttpRequest();
    x.open("GET", url);
    x.onload = function () { then(JSON.parse(x.responseText)); };
    x.send();
  }
  function docs(li, id) {
    get("api/doc/page?nodeId=" + id + "&pageNum=1&pageSize=10", function (res) {
      var ul = document.createElement("ul");
      res.data.records.forEach(function (d) {
        var a = document.createElement("a");
        a.href = d.fileUrl; a.textContent = d.docTitle;
        var item = document.createElement("li"); item.appendChild(a); ul.appendChild(item);
      });
      li.appendChild(ul);
    });
  }
  function children(li, id) {
    post("api/node/children", {pid: id}, function (res) {
      var ul = document.createElement("ul");
      res.rows.forEach(function (n) {
        var item = document.createElement("li");
        var span = document.createElement("span");
        span.className = "tree-node"; span.textContent = n.nodeName;
        span.addEventListener("click", function () {
          if (item.getAttribute("data-open")) { return; }
          item.setAttribute("data-open", "1");
          if (n.leaf) { docs(item, n.nodeId); } else { children(item, n.nodeId); }
        });
        item.appendChild(span); ul.appendChild(item);
      });
      li.appendChild(ul);
    });
  }
  children(document.getElementById("tree"), "0");
})();
"""


def site() -> Site:
    """宁波: the tree platform (its content is built in `render`, from the family's documents)."""
    return Site(prefix="tre", name="宁波市预决算公开平台", domain="yjsgk.ningbo.gov.cn",
                site_id_code="3302000007", region_code="330200", family=FAMILY, needs_browser=True)


def render(site_: Site) -> RenderedSite:
    """The tree: categories → groups → bodies → documents; the files sit in both groups of 部门预算."""
    out = RenderedSite(site_)
    root = site_.root
    docs = family_documents()["tre"]
    # (category, group, body, document or None): the files sit in different groups and categories
    layout = [
        ("部门预算", "市级部门", docs[0].department, docs[0]),
        ("部门预算", "市级部门", "宁波市统计局", None),
        ("部门预算", "区县部门", "宁波市海曙区民政局", None),
        ("部门预算", "区县部门", docs[1].department, docs[1]),  # a group no click opens
        ("部门决算", "市级部门", "宁波市审计局", None),
        ("部门决算", "区县部门", "宁波市江北区财政局", None),
    ]
    nodes: dict[str, list[dict[str, object]]] = {"0": []}
    records: dict[str, list[dict[str, object]]] = {}

    def node(pid: str, name: str, leaf: bool) -> str:
        ident = f"n{stable_int(f'{pid}/{name}', 6):06d}"
        siblings = nodes.setdefault(pid, [])
        if not any(n["nodeId"] == ident for n in siblings):
            siblings.append({"nodeId": ident, "nodeName": name, "leaf": leaf, "pid": pid})
        return ident

    node("0", "政策解读", True)
    for category, group, body, doc in layout:
        cat = node("0", category, False)
        grp = node(cat, group, False)
        leaf = node(grp, body, True)
        records.setdefault(leaf, [])
        if doc is not None:
            path = f"{root}upload/{doc.slug}.{doc.fmt}"
            records[leaf].append({"docId": doc.slug, "docTitle": doc.filename.rsplit(".", 1)[0],
                                  "fileUrl": path, "publishTime": f"{doc.fiscal_year}-02-15"})
            out.resources[path] = Resource(doc.data, CONTENT_TYPES[doc.fmt], site_.epoch, document=doc)
    shell = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{site_.name}</title></head>'
             f'<body><h1>{site_.name}</h1><div id="tree"></div><script src="{root}static/tree.js"></script>'
             "</body></html>")
    out.resources[f"{root}index.html"] = Resource(shell.encode(), HTML, site_.epoch)
    out.resources[f"{root}static/tree.js"] = Resource(APP.encode(), "application/javascript", site_.epoch)

    def handle(req: SimRequest, lookup: Lookup) -> Reply | None:
        path = req.path[len(root):]
        if path == "api/node/children" and req.method == "POST":
            try:
                pid = str(json.loads(req.body or b"{}").get("pid", ""))
            except (ValueError, AttributeError):
                return Reply(400, b'{"code": 400}', JSON)
            data: object = {"code": 200, "rows": nodes.get(pid, [])}
        elif path == "api/doc/page":
            found = records.get(req.arg("nodeId"), [])
            data = {"code": 200, "data": {"records": found, "total": len(found)}}
        else:
            return None
        return Reply(body=json.dumps(data, ensure_ascii=False).encode(), content_type=JSON)

    out.handler = handle
    return out


__all__ = ["FAMILY", "render", "site"]
