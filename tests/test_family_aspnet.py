"""ASP.NET WebForms pagers: each ``__doPostBack`` page becomes one POST of the page's own form."""

from __future__ import annotations

from urllib.parse import parse_qs

from govbudget.crawler.families import aspnet
from tests.family_fixtures import context, on_page, saved_page

URL = "http://www.dianbai.gov.cn/asp/List.aspx?cid=4"


def _response():  # type: ignore[no-untyped-def]
    return saved_page("aspnet", "List.aspx.html", URL)


def test_a_viewstate_page_with_post_backs_matches() -> None:
    assert aspnet.FAMILY.matches(_response())


def test_each_pager_page_is_one_post_of_the_form_without_a_click() -> None:
    requests = list(aspnet.FAMILY.requests(_response(), context()))
    assert [r.meta["link_text"] for r in requests] == ["2", "3"]
    first = requests[0]
    assert (first.method, first.url, first.callback) == ("POST", URL, on_page)
    assert first.headers[b"Content-Type"] == b"application/x-www-form-urlencoded"
    assert first.headers[b"Referer"] == URL.encode()
    form = parse_qs(first.body.decode(), keep_blank_values=True)
    assert form["__VIEWSTATE"] == ["/wEPDwUKMTY1NDU2MTA1Mg9kFgI="]
    assert form["__EVENTVALIDATION"] == ["/wEWAgKO8r"]
    assert (form["__EVENTTARGET"], form["__EVENTARGUMENT"]) == (["AspNetPager1"], ["2"])
    assert "btnSearch" not in form  # a post-back is not a click on the search button
    assert "playwright" not in first.meta  # a form is posted over plain HTTP


def test_a_pager_page_already_requested_is_not_posted_again() -> None:
    ctx = context()
    assert len(list(aspnet.FAMILY.requests(_response(), ctx))) == 2
    assert list(aspnet.FAMILY.requests(_response(), ctx.for_response())) == []
