"""JSON directories: a shell that fetches ``….json`` is read through the JSON, not a browser."""

from __future__ import annotations

from govbudget.crawler.families import Link, json_directory
from tests.family_fixtures import FAMILY_DATA, answer, context, on_json, saved_page

JS = "http://yjsgk.hebcz.cn/js/"


def _shell():  # type: ignore[no-untyped-def]
    return saved_page("json_directory", "index.html", JS + "index.html")


def test_a_shell_that_fetches_a_json_list_matches() -> None:
    assert json_directory.FAMILY.matches(_shell())


def test_the_shell_asks_for_its_json_list_once() -> None:
    [request] = json_directory.FAMILY.requests(_shell(), context())
    assert (request.url, request.callback) == (JS + "api/list.json", on_json)
    assert request.meta["family"] == "json_directory"
    assert request.meta["referrer"] == JS + "index.html"
    assert "playwright" not in request.meta


def test_the_json_list_gives_every_titled_url_as_a_link() -> None:
    [request] = json_directory.FAMILY.requests(_shell(), context())
    listing = answer(request, (FAMILY_DATA / "json_directory" / "list.json").read_bytes())
    assert list(json_directory.FAMILY.requests(listing, context())) == [
        Link("河北省2024年上半年预算执行情况", JS + "content/post_6221083.html"),
        Link("门源县医疗保障局2024年部门预算项目支出绩效目标公开表.pdf",
             JS + "attachment/0/1900/1900867_0.pdf"),
        Link("安阳市社会医疗保险中心2021年整体绩效目标表", JS + "content/post_5451415.html"),
        Link("大厂回族自治县医疗保障局2021年部门预算信息公开情况说明", JS + "content/post_7340434.html"),
    ]


def test_an_answer_that_is_not_json_gives_nothing() -> None:
    [request] = json_directory.FAMILY.requests(_shell(), context())
    assert list(json_directory.FAMILY.requests(answer(request, b"<html>busy</html>"), context())) == []


def test_a_page_without_a_json_fetch_does_not_match() -> None:
    assert not json_directory.FAMILY.matches(saved_page("iframe", "czyjs_index.html", "http://www.sjz.gov.cn/"))
