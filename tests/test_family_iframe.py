"""Lists inside frames: each ``<iframe src>`` is fetched as a page, under the framing page's link text."""

from __future__ import annotations

from govbudget.crawler.families import iframe
from tests.family_fixtures import context, on_page, saved_page

IFR = "http://www.sjz.gov.cn/ifr/xxgk/fdzdgknr/czyjs/"


def _page():  # type: ignore[no-untyped-def]
    return saved_page("iframe", "czyjs_index.html", IFR + "index.html", meta={"link_text": "财政预决算"})


def test_a_page_with_a_frame_matches() -> None:
    assert iframe.FAMILY.matches(_page())


def test_the_frame_is_fetched_as_a_page_with_the_link_text_that_led_here() -> None:
    [request] = iframe.FAMILY.requests(_page(), context())
    assert (request.url, request.callback) == (IFR + "list.html", on_page)
    assert request.meta == {"link_text": "财政预决算", "referrer": IFR + "index.html"}


def test_a_frame_on_a_render_host_goes_to_the_browser() -> None:
    [request] = iframe.FAMILY.requests(_page(), context(render_hosts=frozenset({"www.sjz.gov.cn"})))
    assert request.meta["playwright"] is True


def test_a_page_without_frames_does_not_match() -> None:
    assert not iframe.FAMILY.matches(saved_page("json_directory", "index.html", "http://yjsgk.hebcz.cn/"))
