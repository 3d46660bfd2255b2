"""厦门 (/xm/): a JSONP list: the app injects ``<script>`` tags naming a jQuery-style callback.

Layout under the site root:
  index.html                       shell: ``<ul id="infoList">``, ``<div id="pageBar">`` and the script tag
                                   whose ``data-api``/``data-chnl``/``data-limit`` configure the app
  js/xmgk.list.js                  the app (reads ``document.currentScript``, JSONP, 首页/上一页/下一页/尾页)
  was/interface/yjsInfoList.jsp?callback=jQuery1830…_…&chnlid=4182&start=0&limit=6&_=…
                                   ``jQuery1830…_…({"totalCount", "start", "limit", "datas":
                                   [{"DOCID", "DOCTITLE", "DOCRELTIME", "FBJG",
                                     "APPENDIX": [{"APPDESC", "APPFILE"}]}]});``
                                   (bare JSON without a callback, 400 for a callback that is no name)
  attach/<yyyymm>/W0<…>.<ext>      files (``APPFILE``)
Six a page in the app, at most ten from the server.
"""

from __future__ import annotations

import json
import re

from govbudget.simulator.dynamic import Lookup, Reply, SimRequest
from govbudget.simulator.sites import Article, Attachment, RenderedSite, Resource, Site
from govbudget.simulator.unseen.common import JSON, file_resource, int_arg, newest, script, shell, window
from govbudget.simulator.unseen.content import entries

FAMILY = "jsonp_list"
API = "was/interface/yjsInfoList.jsp"
APP = "js/xmgk.list.js"
CHANNEL = "4182"
LIMIT, MAX_LIMIT = 6, 10
CALLBACK = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")
MARKERS = ("yjsInfoList.jsp", "xmgk.list.js")

SCRIPT = """(function () {
  var me = document.currentScript;
  var api = me.getAttribute("data-api"), chnl = me.getAttribute("data-chnl");
  var limit = parseInt(me.getAttribute("data-limit"), 10);
  var list = document.getElementById("infoList"), bar = document.getElementById("pageBar");
  var seq = 0, stamp = new Date().getTime();
  function jsonp(url, done) {
    seq += 1;
    var name = "jQuery1830" + String(stamp).slice(-8) + "_" + (stamp + seq);
    var tag = document.createElement("script");
    window[name] = function (data) {
      window[name] = undefined;
      tag.parentNode.removeChild(tag);
      done(data);
    };
    tag.src = url + "&callback=" + name + "&_=" + (stamp + seq);
    document.getElementsByTagName("head")[0].appendChild(tag);
  }
  function link(label, start) {
    var a = document.createElement("a");
    a.href = "javascript:;"; a.textContent = label; a.setAttribute("data-start", start);
    bar.appendChild(a);
  }
  function draw(d, start) {
    list.innerHTML = "";
    for (var i = 0; i < d.datas.length; i++) {
      var doc = d.datas[i], li = document.createElement("li");
      var t = document.createElement("span");
      t.className = "bt"; t.textContent = doc.DOCTITLE;
      li.appendChild(t);
      var s = document.createElement("span");
      s.className = "rq"; s.textContent = doc.DOCRELTIME.substring(0, 10);
      li.appendChild(s);
      var files = doc.APPENDIX || [];
      for (var j = 0; j < files.length; j++) {
        var a = document.createElement("a");
        a.href = files[j].APPFILE; a.textContent = files[j].APPDESC; a.target = "_blank";
        li.appendChild(a);
      }
      list.appendChild(li);
    }
    var pages = Math.max(1, Math.ceil(d.totalCount / limit)), cur = Math.floor(start / limit) + 1;
    bar.innerHTML = "";
    if (cur > 1) { link("首页", 0); link("上一页", (cur - 2) * limit); }
    var info = document.createElement("span");
    info.textContent = "第" + cur + "/" + pages + "页 共" + d.totalCount + "条";
    bar.appendChild(info);
    if (cur < pages) { link("下一页", cur * limit); link("尾页", (pages - 1) * limit); }
    list.setAttribute("data-start", start);
  }
  function load(start) {
    jsonp(api + "?chnlid=" + chnl + "&start=" + start + "&limit=" + limit, function (d) { draw(d, start); });
  }
  bar.addEventListener("click", function (e) {
    var a = e.target.closest("a[data-start]");
    if (a) { e.preventDefault(); load(parseInt(a.getAttribute("data-start"), 10)); }
  });
  load(0);
})();
"""


def file_path(site: Site, article: Article, att: Attachment) -> str:
    return f"{site.root}attach/{article.pub_date:%Y%m}/{att.stored_name}"


def render(site: Site) -> RenderedSite:
    out = RenderedSite(site)
    root = site.root
    articles = [art for _, art in entries(site)]
    docs: list[dict[str, object]] = []
    for art in articles:
        appendix = []
        for att in art.attachments:
            path = file_path(site, art, att)
            out.resources[path] = file_resource(art, att)
            appendix.append({"APPDESC": att.link_text, "APPFILE": path})
        docs.append({"DOCID": art.article_id, "DOCTITLE": art.title,
                     "DOCRELTIME": f"{art.published_at:%Y-%m-%d %H:%M:%S}", "FBJG": art.source,
                     "APPENDIX": appendix})
    out.resources[f"{root}index.html"] = shell(
        site, '<div class="xxgk-main"><h2>财政预决算公开</h2><ul id="infoList"></ul><div id="pageBar"></div>'
              f'</div>\n<script src="{root}{APP}" data-api="{root}{API}" data-chnl="{CHANNEL}" '
              f'data-limit="{LIMIT}"></script>')
    out.resources[f"{root}{APP}"] = script(SCRIPT, site)
    modified = newest(articles, site)

    def handle(req: SimRequest, lookup: Lookup) -> Reply | None:
        if req.path != f"{root}{API}":
            return None
        start = int_arg(req, "start", 0, 0, 100_000)
        limit = int_arg(req, "limit", LIMIT, 1, MAX_LIMIT)
        callback = req.arg("callback")
        if start is None or limit is None or (callback and not CALLBACK.fullmatch(callback)):
            return Reply(400, "参数错误".encode(), "text/plain; charset=utf-8")
        listed = docs if req.arg("chnlid") == CHANNEL else []
        data = json.dumps({"totalCount": len(listed), "start": start, "limit": limit,
                           "datas": window(listed, start, limit)}, ensure_ascii=False)
        if not callback:
            return Reply(resource=Resource(data.encode("utf-8"), JSON, modified))
        body = f"{callback}({data});".encode()
        return Reply(resource=Resource(body, "application/javascript;charset=UTF-8", modified))

    out.handler = handle
    return out
