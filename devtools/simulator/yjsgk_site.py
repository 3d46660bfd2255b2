"""江苏 预决算公开统一平台 (yjsgk): a hash-routed app over form POSTs that answer JSON.

Layout under the site root:
  index.html                                     a city finance bureau's home, linking the platform's
                                                 route for its region: ``yjsgk/#/overView?code=<9 digits>``
  yjsgk/index.html                               the app's shell: ``<div id="app">`` and script tags
  yjsgk/front/department/getdepartmentname.do    POST code, departmentName, date, typeid
                                                 → ``[{"iid", "name", "pid", "dtype"}]``
  yjsgk/front/budgetfinal/itemsandpag.do         POST page_num, groupid (a department's iid), typeid, date
                                                 → ``{"budgetTemplates": [{"uuid"}]}``
  yjsgk/front/budgetfinal/getTemporaryFiles.do   POST ``uuid='<uuid>'``
                                                 → ``[{"iid", "t_oldname", "t_uploaddate"}]``
  yjsgk/front/budgetfinal/download.do?iid=<iid>  the file, ``Content-Disposition`` naming it
Endpoint and field names are those public crawler code used on the real platform (see
``govbudget.crawler.families.yjsgk``); ``typeid`` 1 is 部门预算, 2 部门决算. One department's file is
listed as ``附件1.pdf`` (only the department, year and type say what it is), and one template also
holds a notice on the disclosure work: a decoy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from govbudget.simulator.decoys import tender_pdf
from govbudget.simulator.dynamic import Lookup, Reply, SimRequest
from govbudget.simulator.family_docs import family_documents
from govbudget.simulator.ids import stable_int
from govbudget.simulator.markup import cms_meta, escape
from govbudget.simulator.sites import CONTENT_TYPES, Article, Attachment, Column, RenderedSite, Resource, Site

FAMILY = "yjsgk"
HTML = "text/html; charset=utf-8"
JSON = "application/json; charset=utf-8"
CITY = "苏州市"
TYPE_BUDGET = "1"
APP = """/* 江苏省预决算公开统一平台: #/overView?code= → getdepartmentname.do → itemsandpag.do →
   getTemporaryFiles.do → download.do?iid= (all form POSTs answering JSON) */"""


@dataclass(frozen=True)
class Template:
    """One department disclosure on the platform: its uuid and its files."""

    uuid: str
    department: str
    year: int
    typeid: str
    files: tuple[tuple[int, Attachment], ...]  # (file iid, file)


def site() -> Site:
    """苏州市: one article per department disclosure (its files as attachments), plus a decoy notice."""
    docs = {d.department: d for d in family_documents()["yjs"]}
    arts = []
    for n, doc in enumerate(sorted(docs.values(), key=lambda d: d.department)):
        name = "附件1.pdf" if doc.department == f"{CITY}交通运输局" else doc.filename
        published = date(doc.fiscal_year, 2, 5 + n)
        att = Attachment(name, f"{doc.slug}.{doc.fmt}", doc.data, doc.fmt, document=doc)
        extra: tuple[Attachment, ...] = ()
        if doc.department == f"{CITY}教育局":
            notice = f"{CITY}教育局关于做好{doc.fiscal_year}年部门预算公开工作的通知"
            extra = (Attachment(f"{notice}.pdf", "notice.pdf", tender_pdf(notice), "pdf"),)
        arts.append(Article(article_id=1_000_000 + stable_int(doc.slug, 6), title=doc.title,
                            pub_date=published, source=doc.department, attachments=(att, *extra)))
    return Site(prefix="yjs", name=f"{CITY}财政局", domain="czj.suzhou.gov.cn", site_id_code="3205000010",
                region_code="320500", family=FAMILY, needs_browser=False,
                columns=(Column("yjsgk", "部门预决算", tuple(arts)),))


def _departments(site: Site) -> list[str]:
    """The region's departments: those with disclosures, and 民政局, which has published nothing yet."""
    return [*sorted({a.source for a in site.articles()}), f"{CITY}民政局"]


def _uuid(key: str) -> str:
    h = f"{stable_int(key, 38):032x}"[-32:]
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def render(site: Site) -> RenderedSite:
    out = RenderedSite(site)
    root, app = site.root, f"{site.root}yjsgk/"
    code = site.region_code + "000"
    tags = cms_meta(SiteName=site.name, SiteDomain=site.domain, SiteIDCode=site.site_id_code)
    home = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
{tags}
<title>{escape(site.name)}</title></head><body><ul>
<li><a href="{root}">首页</a></li><li><a href="{root}xwzx/">新闻中心</a></li>
<li><a href="{app}#/overView?code={code}">{escape(CITY)}预决算公开</a></li></ul></body></html>"""
    out.resources[f"{root}index.html"] = Resource(home.encode(), HTML, site.epoch)
    shell = f"""<!DOCTYPE html><html><head><meta charset=utf-8><title>江苏省预决算公开统一平台</title>
<link href={app}static/css/app.css rel=stylesheet></head><body><div id=app></div>
<script src={app}static/js/app.js></script></body></html>"""
    out.resources[f"{app}index.html"] = Resource(shell.encode(), HTML, site.epoch)
    out.resources[f"{app}static/js/app.js"] = Resource(APP.encode(), "application/javascript", site.epoch)
    out.resources[f"{app}static/css/app.css"] = Resource(b"#app{min-height:100%}", "text/css", site.epoch)

    depts = _departments(site)
    dept_iid = {name: 3000 + stable_int(name, 3) for name in depts}
    templates: dict[tuple[str, int, str], Template] = {}
    downloads: dict[str, tuple[Resource, Article]] = {}
    for art in site.articles():
        files = []
        for n, att in enumerate(art.attachments):
            iid = 10_000 + stable_int(f"{art.article_id}:{n}", 5)
            files.append((iid, att))
            cd = f"attachment; filename*=UTF-8''{quote(att.link_text)}"
            res = Resource(att.data, CONTENT_TYPES.get(att.fmt, "application/octet-stream"),
                           art.published_at, document=att.document, decoy=att.document is None,
                           headers=(("Content-Disposition", cd),))
            downloads[str(iid)] = (res, art)
            out.resources[f"{app}front/budgetfinal/download.do?iid={iid}"] = res  # for disclosure/decoy URLs
        key = (art.source, art.pub_date.year, TYPE_BUDGET)
        templates[key] = Template(_uuid(repr(key)), art.source, art.pub_date.year, TYPE_BUDGET, tuple(files))
    by_uuid = {t.uuid: t for t in templates.values()}
    newest = max((a.published_at for a in site.articles()), default=site.epoch)

    def answer(data: object) -> Reply:
        return Reply(resource=Resource(json.dumps(data, ensure_ascii=False).encode(), JSON, newest))

    def handle(req: SimRequest, lookup: Lookup) -> Reply | None:
        if not req.path.startswith(f"{app}front/"):
            return None
        endpoint = req.path[len(app):]
        if endpoint == "front/budgetfinal/download.do":
            found = downloads.get(req.arg("iid"))
            return Reply(404, b"file not found", "text/plain") if found is None else Reply(resource=found[0])
        if req.method != "POST":
            return Reply(405, b"", "text/plain", (("Allow", "POST"),))
        if endpoint == "front/department/getdepartmentname.do":
            asked = (req.arg("code"), req.arg("typeid"))
            if asked not in {(code, "1"), (code, "2")} or not req.arg("date").isdigit():
                return answer([])
            return answer([{"iid": dept_iid[d], "name": d, "pid": 100 + stable_int(code, 2), "dtype": 1}
                           for d in depts])
        if endpoint == "front/budgetfinal/itemsandpag.do":
            names = {v: k for k, v in dept_iid.items()}
            try:
                group, year = int(req.arg("groupid", "0")), int(req.arg("date", "0"))
            except ValueError:
                return answer({"budgetTemplates": []})
            found = templates.get((names.get(group, ""), year, req.arg("typeid")))
            return answer({"budgetTemplates": [{"uuid": found.uuid}] if found else []})
        if endpoint == "front/budgetfinal/getTemporaryFiles.do":
            template = by_uuid.get(req.arg("uuid").strip("'\""))
            if template is None:
                return answer([])
            return answer([{"iid": iid, "t_oldname": att.link_text,
                            "t_uploaddate": f"{downloads[str(iid)][1].pub_date:%Y-%m-%d}"}
                           for iid, att in template.files])
        return Reply(404, b"not found", "text/plain")

    out.handler = handle
    return out


__all__ = ["FAMILY", "render", "site"]
