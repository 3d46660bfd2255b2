"""江苏 预决算公开统一平台 (``yjsgk.jsczt.cn``): a hash-routed app over a chain of form POSTs answering JSON.

A region's page is ``https://yjsgk.jsczt.cn/#/overView?code=320100000`` (a 9-digit division code:
GB/T 2260 + ``000``); the shell itself is an empty app (about 540 bytes) that builds everything from
the chain below. The endpoint names, form fields and answer fields are those public crawler code
sent and read (a 2021 Wuxi budget-review crawler, ``yjsgk.jsczt.cn/front/…``, formerly
``www.jszwfw.gov.cn/yjsgk/front/…``), all relative to the app's root and kept in ``API``:

1. ``POST front/department/getdepartmentname.do`` ``departmentName=&date=<year>&typeid=<t>`` and the
   region → ``[{"iid", "name", "pid", "dtype"}]``, the region's departments.
2. ``POST front/budgetfinal/itemsandpag.do`` ``page_num=1&groupid=<department iid>&typeid=&date=``
   → ``{"budgetTemplates": [{"uuid"}, …]}``, a uuid per department disclosure.
3. ``POST front/budgetfinal/getTemporaryFiles.do`` ``uuid='<uuid>'`` (quotes included, as the app
   sends it) → ``[{"iid", "t_oldname", "t_uploaddate"}]``, the files.
4. ``GET front/budgetfinal/download.do?iid=<iid>``: the file.

Not found in public code, and so chosen here: the 2021 crawler named the region by the platform's own
``pid`` (``pid=122`` for 无锡市), which no public page maps to division codes; the hash route carries
the 9-digit code, so the family sends it as ``code`` (``REGION_FIELD``). ``typeid`` 1 and 2 are read
as 部门预算 and 部门决算 (the crawler that asked ``typeid=2`` was its final-accounts crawler); no
public code pages ``itemsandpag.do`` past ``page_num=1``, nor lists the years, so the family asks
the crawl's fiscal year, else every year from ``MIN_FISCAL_YEAR`` to this one.

Each file is a ``Link`` named by its original file name and read with ``<department><year>年<type>``
(a file called ``附件1.pdf`` is still that department's budget); the link policy judges it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urldefrag, urlencode, urljoin

import scrapy
from scrapy.http import Response

from govbudget.crawler.families.base import Context, Link, asked_for, json_body
from govbudget.crawler.families.gkmlpt import requested_url
from govbudget.crawler.link_policy import MIN_FISCAL_YEAR

API = {
    "departments": "front/department/getdepartmentname.do",
    "templates": "front/budgetfinal/itemsandpag.do",
    "files": "front/budgetfinal/getTemporaryFiles.do",
    "download": "front/budgetfinal/download.do",
}
REGION_FIELD = "code"
TYPES = {"1": "部门预算", "2": "部门决算"}
_ROUTE = re.compile(r"^/overview\?(?P<query>.*)$", re.I)
_CODE = re.compile(r"^\d{9}$")


class Yjsgk:
    """The route's division code, then departments → uuid per department → files → ``download.do``."""

    name = "yjsgk"

    def matches(self, response: Response) -> bool:
        return route_code(requested_url(response)) is not None

    def requests(self, response: Response, ctx: Context) -> Iterator[scrapy.Request | Link]:
        state = asked_for(response)
        if state is None:
            yield from self._departments(response, ctx)
            return
        data, root = json_body(response), state["root"]
        step, year, typeid = state["step"], state["year"], state["typeid"]
        if step == "departments" and isinstance(data, list):
            for dept in data:
                if isinstance(dept, dict) and dept.get("iid") is not None:
                    form = {"page_num": "1", "groupid": str(dept["iid"]), "typeid": typeid, "date": year}
                    yield self._step(ctx, response, "templates", form, root=root, year=year, typeid=typeid,
                                     department=str(dept.get("name") or ""))
        elif step == "templates" and isinstance(data, dict):
            for template in data.get("budgetTemplates") or []:
                if isinstance(template, dict) and template.get("uuid"):
                    form = {"uuid": f"'{template['uuid']}'"}
                    yield self._step(ctx, response, "files", form, root=root, year=year, typeid=typeid,
                                     department=state["department"])
        elif step == "files" and isinstance(data, list):
            context = f"{state['department']}{year}年{TYPES.get(typeid, '')}"
            for item in data:
                if isinstance(item, dict) and item.get("iid") is not None:
                    url = f"{root}{API['download']}?{urlencode({'iid': item['iid']})}"
                    yield Link(str(item.get("t_oldname") or ""), url, context)

    def _departments(self, response: Response, ctx: Context) -> Iterator[scrapy.Request]:
        page_url = requested_url(response)
        code = route_code(page_url)
        if code is None:
            return
        root = urljoin(urldefrag(page_url)[0], "./")
        for year in years_to_ask(ctx.fiscal_year):
            for typeid in TYPES:
                form = {REGION_FIELD: code, "departmentName": "", "date": str(year), "typeid": typeid}
                yield self._step(ctx, response, "departments", form, root=root, year=str(year), typeid=typeid)

    def _step(self, ctx: Context, response: Response, step: str, form: dict[str, str],
              **state: Any) -> scrapy.Request:
        return ctx.json(f"{state['root']}{API[step]}", family=self.name, referrer=response.url,
                        state={"step": step, **state}, form=form)


def route_code(url: str) -> str | None:
    """The division code of an ``#/overView?code=<9 digits>`` route, else None."""
    route = _ROUTE.match(urldefrag(url)[1])
    if route is None:
        return None
    code = (parse_qs(route.group("query")).get("code") or [""])[0]
    return code if _CODE.match(code) else None


def years_to_ask(fiscal_year: int | None, today: date | None = None) -> list[int]:
    """The crawl's fiscal year, else every year from ``MIN_FISCAL_YEAR`` to this one, newest first."""
    if fiscal_year is not None:
        return [fiscal_year]
    return list(range((today or date.today()).year, MIN_FISCAL_YEAR - 1, -1))


FAMILY = Yjsgk()
