"""The family registry and its one protocol, as the spider uses them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response

from govbudget.crawler.families import BY_NAME, FAMILIES, Context, Family, Link
from govbudget.crawler.families.base import asked_for
from govbudget.crawler.spiders import disclosures
from govbudget.storage.fetch import Fetch
from tests.family_fixtures import answer

TESTS = Path(__file__).parent
PAGE = "http://www.example.gov.cn/yjsgk/index.html"


def test_every_family_implements_the_protocol_under_its_own_name() -> None:
    assert all(isinstance(f, Family) for f in FAMILIES)
    assert len(BY_NAME) == len(FAMILIES)


@pytest.mark.parametrize("family", [f.name for f in FAMILIES])
def test_every_family_has_a_saved_page_and_a_test_beside_it(family: str) -> None:
    assert (TESTS / f"test_family_{family}.py").is_file()
    assert any((TESTS / "data" / "families" / family).iterdir())


class Shell:
    """A family that answers from JSON it asked for, and wants the page rendered too."""

    name = "shell"

    def matches(self, response: Response) -> bool:
        return b'id="app"' in response.body

    def requests(self, response: Response, ctx: Context) -> Iterator[Request | Link]:
        if asked_for(response) is None:
            yield ctx.json(urljoin(response.url, "api/list"), family=self.name, referrer=response.url,
                           state={"step": "list"})
            yield ctx.page(response.url, referrer=response.url, browser=True)
        elif asked_for(response) == {"step": "list"}:
            yield Link("某县财政局2024年部门预算.pdf", urljoin(response.url, "/files/1.pdf"))


class Fallback:
    """Acts only when nothing before it found anything."""

    name = "fallback"

    def matches(self, response: Response) -> bool:
        return True

    def requests(self, response: Response, ctx: Context) -> Iterator[Request]:
        if ctx.followed == 0:
            yield ctx.page(response.url, referrer=response.url, browser=True)


@pytest.fixture
def spider(monkeypatch: pytest.MonkeyPatch) -> disclosures.DisclosureSpider:
    shell, fallback = Shell(), Fallback()
    monkeypatch.setattr(disclosures, "FAMILIES", (shell, fallback))
    monkeypatch.setattr(disclosures, "BY_NAME", {"shell": shell, "fallback": fallback})
    return disclosures.DisclosureSpider(start_urls=[PAGE])


def _page(body: str) -> HtmlResponse:
    request = Request(PAGE, meta={"link_text": ""})
    return HtmlResponse(PAGE, body=body.encode(), encoding="utf-8", request=request)


def test_a_family_can_ask_for_json_and_for_the_browser(spider: disclosures.DisclosureSpider) -> None:
    out: list[Any] = list(spider.parse_page(_page('<html><div id="app"></div></html>')))
    fetch, json_request, browser = out
    assert isinstance(fetch, Fetch) and fetch.kind == "page"
    assert (json_request.url, json_request.callback) == (urljoin(PAGE, "api/list"), spider.parse_json)
    assert browser.meta["playwright"] is True and browser.dont_filter
    # the JSON comes back to the family that asked; its link goes through the link policy as a file
    listing = answer(json_request, b'{"items": []}')
    archived, file_request = spider.parse_json(listing)
    assert isinstance(archived, Fetch) and archived.format == "json"
    assert file_request.url == "http://www.example.gov.cn/files/1.pdf"
    assert file_request.callback == spider.save_file


def test_a_last_family_sees_whether_anything_was_followed(spider: disclosures.DisclosureSpider) -> None:
    linked = list(spider.parse_page(_page('<html><a href="/czyjs/">财政预决算</a></html>')))
    assert [r.url for r in linked[1:]] == ["http://www.example.gov.cn/czyjs/"]
    bare = list(spider.parse_page(_page("<html><p>nothing</p></html>")))
    [rendered] = bare[1:]
    assert rendered.meta["playwright"] is True
