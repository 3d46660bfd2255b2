"""A unified budget platform: its shell's config, then departments → years → files over JSON."""

from __future__ import annotations

from typing import Any

from scrapy import Request

from govbudget.crawler.families import Link, spa_platform
from tests.family_fixtures import FAMILY_DATA, answer, context, on_json, saved_page

SPA = "http://czt.jiangsu.gov.cn/spa/"
CFG = {"api": SPA + "api/", "download": SPA + "download.do", "code": "320100000"}
DEPTS = ["18786311", "23843267", "39451370", "61744339", "69281316"]


def _shell():  # type: ignore[no-untyped-def]
    return saved_page("spa_platform", "index.html", SPA + "index.html")


def _next(request: Request, saved: str, **ctx: Any) -> list[Any]:
    body = (FAMILY_DATA / "spa_platform" / saved).read_bytes()
    return list(spa_platform.FAMILY.requests(answer(request, body), context(**ctx)))


def test_the_shell_with_a_platform_config_matches() -> None:
    assert spa_platform.FAMILY.matches(_shell())


def test_the_shell_asks_for_the_departments_of_its_division() -> None:
    [request] = spa_platform.FAMILY.requests(_shell(), context())
    assert (request.url, request.callback) == (SPA + "api/departments?code=320100000", on_json)
    assert request.meta["family"] == "spa_platform"
    assert request.meta["family_state"] == {"step": "departments", "cfg": CFG}


def test_the_departments_lead_to_the_years_then_one_file_list_per_department_and_year() -> None:
    [departments] = spa_platform.FAMILY.requests(_shell(), context())
    [years] = _next(departments, "departments.json")
    assert years.url == SPA + "api/years"
    assert years.meta["family_state"] == {"step": "years", "cfg": CFG, "depts": DEPTS}
    files = _next(years, "years.json")  # 2026, 2023, 2022 and 2015: 2015 is before MIN_FISCAL_YEAR
    assert [r.url for r in files] == [
        SPA + f"api/files?dept={d}&year={y}" for d in DEPTS for y in (2026, 2023, 2022)]
    assert {r.callback for r in files} == {on_json}


def test_a_fiscal_year_crawl_asks_only_for_that_year() -> None:
    [departments] = spa_platform.FAMILY.requests(_shell(), context())
    [years] = _next(departments, "departments.json")
    files = _next(years, "years.json", fiscal_year=2022)
    assert [r.url for r in files] == [SPA + f"api/files?dept={d}&year=2022" for d in DEPTS]


def test_a_file_list_gives_download_links_by_file_name() -> None:
    request = Request(SPA + "api/files?dept=23843267&year=2022",
                      meta={"family": "spa_platform", "family_state": {"step": "files", "cfg": CFG}})
    assert _next(request, "files.json") == [
        Link("南京市交通运输局2022年部门预算.pdf", SPA + "download.do?iid=7443345701")]


def test_a_page_without_the_config_does_not_match() -> None:
    assert not spa_platform.FAMILY.matches(saved_page("json_directory", "index.html", "http://yjsgk.hebcz.cn/"))
