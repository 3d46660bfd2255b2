"""江苏 yjsgk: the route's division code, then departments → a uuid per department → files → download.do."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from scrapy import Request

from govbudget.crawler.families import Link, yjsgk
from govbudget.crawler.spiders.disclosures import DisclosureSpider
from tests.family_fixtures import FAMILY_DATA, answer, context, on_json, saved_page

ROOT = "https://yjsgk.jsczt.cn/"
ROUTE = ROOT + "#/overView?code=320100000"
FRONT = ROOT + "front/"


def _shell(url: str = ROUTE):  # type: ignore[no-untyped-def]
    return saved_page("yjsgk", "index.html", url)


def _form(request: Request) -> dict[str, str]:
    assert request.method == "POST"
    assert request.headers[b"Content-Type"].startswith(b"application/x-www-form-urlencoded")
    return dict(parse_qsl(request.body.decode(), keep_blank_values=True))


def _asked(step: str, **state: Any) -> Request:
    url = {"departments": "department/getdepartmentname.do", "templates": "budgetfinal/itemsandpag.do",
           "files": "budgetfinal/getTemporaryFiles.do"}[step]
    return Request(FRONT + url, method="POST",
                   meta={"family": "yjsgk", "family_state": {"step": step, "root": ROOT, **state}})


def _next(request: Request, saved: str, **ctx: Any) -> list[Any]:
    body = (FAMILY_DATA / "yjsgk" / saved).read_bytes()
    return list(yjsgk.FAMILY.requests(answer(request, body), context(**ctx)))


def test_the_shell_at_a_regions_overview_route_matches() -> None:
    assert yjsgk.FAMILY.matches(_shell())


def test_the_shell_without_a_route_or_with_no_division_code_does_not_match() -> None:
    assert not yjsgk.FAMILY.matches(_shell(ROOT))
    assert not yjsgk.FAMILY.matches(_shell(ROOT + "#/overView?code=320100"))
    assert not yjsgk.FAMILY.matches(saved_page("gkmlpt", "index.html", "http://www.zhuhai.gov.cn/gkmlpt/index"))


def test_a_fiscal_year_crawl_asks_the_regions_departments_for_that_year_budgets_and_final_accounts() -> None:
    requests = list(yjsgk.FAMILY.requests(_shell(), context(fiscal_year=2024)))
    assert [(r.url, r.callback, r.meta["family"]) for r in requests] == [
        (FRONT + "department/getdepartmentname.do", on_json, "yjsgk")] * 2
    assert [_form(r) for r in requests] == [
        {"code": "320100000", "departmentName": "", "date": "2024", "typeid": "1"},
        {"code": "320100000", "departmentName": "", "date": "2024", "typeid": "2"},
    ]
    assert requests[0].meta["family_state"] == {"step": "departments", "root": ROOT, "year": "2024",
                                                "typeid": "1"}


def test_otherwise_every_year_from_this_one_back_to_2016_is_asked() -> None:
    requests = list(yjsgk.FAMILY.requests(_shell(), context()))
    years = range(date.today().year, 2015, -1)
    assert [(_form(r)["date"], _form(r)["typeid"]) for r in requests] == [
        (str(y), t) for y in years for t in ("1", "2")]


def test_the_app_root_keeps_its_path_prefix() -> None:
    url = "http://www.jszwfw.gov.cn/yjsgk/#/overView?code=320200000"
    [first, _] = yjsgk.FAMILY.requests(_shell(url), context(fiscal_year=2023))
    assert first.url == "http://www.jszwfw.gov.cn/yjsgk/front/department/getdepartmentname.do"
    assert _form(first)["code"] == "320200000"


def test_each_department_is_asked_for_its_disclosures_uuids() -> None:
    out = _next(_asked("departments", year="2024", typeid="1"), "getdepartmentname.json")
    assert [r.url for r in out] == [FRONT + "budgetfinal/itemsandpag.do"] * 2
    assert [_form(r) for r in out] == [
        {"page_num": "1", "groupid": "2875", "typeid": "1", "date": "2024"},
        {"page_num": "1", "groupid": "2876", "typeid": "1", "date": "2024"},
    ]
    assert out[1].meta["family_state"] == {"step": "templates", "root": ROOT, "year": "2024", "typeid": "1",
                                           "department": "南京市交通运输局"}


def test_each_uuid_is_asked_for_its_files_quoted_as_the_app_sends_it() -> None:
    state = {"year": "2024", "typeid": "1", "department": "南京市教育局"}
    [files] = _next(_asked("templates", **state), "itemsandpag.json")
    assert files.url == FRONT + "budgetfinal/getTemporaryFiles.do"
    assert _form(files) == {"uuid": "'5f0c2a9e-7d4b-4c1e-9a3f-2b8d6e1c0a47'"}
    assert files.meta["family_state"] == {"step": "files", "root": ROOT, **state}


def test_the_files_are_download_links_read_with_department_year_and_type() -> None:
    budget = _asked("files", year="2024", typeid="1", department="南京市教育局")
    read_with = "南京市教育局2024年部门预算"
    assert _next(budget, "getTemporaryFiles.json") == [
        Link("南京市教育局2024年部门预算.pdf", FRONT + "budgetfinal/download.do?iid=40213", read_with),
        Link("附件1.xls", FRONT + "budgetfinal/download.do?iid=40214", read_with),
    ]
    final = _next(_asked("files", year="2023", typeid="2", department="南京市教育局"),
                  "getTemporaryFiles.json")
    assert {link.context for link in final} == {"南京市教育局2023年部门决算"}


def test_an_answer_of_another_shape_gives_nothing() -> None:
    assert _next(_asked("departments", year="2024", typeid="1"), "itemsandpag.json") == []
    assert _next(_asked("templates", year="2024", typeid="1", department="x"), "getdepartmentname.json") == []
    assert _next(_asked("files", year="2024", typeid="1", department="x"), "itemsandpag.json") == []


def test_the_spider_downloads_a_file_named_附件1_as_its_departments_budget() -> None:
    spider = DisclosureSpider(start_urls=[ROUTE])
    request = _asked("files", year="2024", typeid="1", department="南京市教育局")
    request.meta.update(referrer=ROUTE, link_text="")
    body = (FAMILY_DATA / "yjsgk" / "getTemporaryFiles.json").read_bytes()
    files = [r for r in spider.parse_json(answer(request, body))
             if isinstance(r, Request) and r.callback == spider.save_file]
    assert [(r.url, r.meta["context_title"]) for r in files] == [
        (FRONT + "budgetfinal/download.do?iid=40213", "南京市教育局2024年部门预算"),
        (FRONT + "budgetfinal/download.do?iid=40214", "南京市教育局2024年部门预算"),
    ]


# -- the simulator's yjsgk site, crawled ----------------------------------------------------------

@pytest.fixture(scope="module")
def crawl(simulator: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from govbudget.simulator.evaluate import archived_disclosures
    from govbudget.tasks.crawl import crawl_config, run_crawl
    from govbudget.tasks.runtime import configure
    from govbudget.tasks.settings import Settings

    [start] = [s.start_url for s in simulator.sites if s.family == "yjsgk"]
    data: Path = tmp_path_factory.mktemp("yjsgk")
    svc = configure(Settings.from_env(data_dir=data, allow_loopback=True))
    before = len(simulator.request_log.snapshot())
    summary = run_crawl(svc, crawl_config(svc.settings, [start]))
    log = [(m, p) for m, p, _ in simulator.request_log.snapshot()[before:] if p.startswith("/yjs/")]
    return {"start": start, "summary": summary, "log": log, "sim": simulator,
            "archived": archived_disclosures(list(svc.catalog.documents()))}


def test_a_crawl_of_the_yjsgk_site_archives_exactly_its_disclosures(crawl: Any) -> None:
    site = crawl["start"]
    expected = {sha for url, sha in crawl["sim"].disclosure_urls().items() if url.startswith(site)}
    assert len(expected) == 2
    assert set(crawl["archived"]) == expected
    assert crawl["summary"].browser_requests == 0


def test_the_crawl_never_downloaded_the_notice_listed_beside_a_budget(crawl: Any) -> None:
    decoys = [u for u in crawl["sim"].decoy_urls() if u.startswith(crawl["start"])]
    assert len(decoys) == 1
    downloads = {crawl["sim"].base_url + p for m, p in crawl["log"] if "download.do" in p}
    assert downloads == {u for u in crawl["sim"].disclosure_urls() if u.startswith(crawl["start"])}


def test_the_crawl_read_the_file_named_附件1_as_its_departments_budget(crawl: Any) -> None:
    [transport] = [d for d in crawl["archived"].values() if d["department"] == "苏州市交通运输局"]
    assert (transport["doc_kind"], transport["fiscal_year"]) == ("budget", 2023)


def test_the_crawl_walked_the_chain_with_form_posts(crawl: Any) -> None:
    posts = {p for m, p in crawl["log"] if m == "POST"}
    front = "/yjs/yjsgk/front/"
    assert posts == {front + "department/getdepartmentname.do", front + "budgetfinal/itemsandpag.do",
                     front + "budgetfinal/getTemporaryFiles.do"}
    years = date.today().year - 2016 + 1
    assert sum(p.endswith("getdepartmentname.do") for m, p in crawl["log"]) == years * 2
