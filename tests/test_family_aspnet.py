"""ASP.NET WebForms pagers: each ``__doPostBack`` page becomes one POST of the page's own form."""

from __future__ import annotations

from urllib.parse import parse_qs

from scrapy.http import HtmlResponse

from govbudget.crawler import family_aspnet

PAGE = """<html><body>
<form method="post" action="./List.aspx?cid=4" id="form1">
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKMTY1NDU2MTA1Mg9kFgI=" />
<input type="hidden" name="__EVENTVALIDATION" value="/wEWAgKO8r" />
<input type="hidden" name="__EVENTTARGET" value="" /><input type="hidden" name="__EVENTARGUMENT" value="" />
<input type="text" name="txtKeyword" value="" /><input type="submit" name="btnSearch" value="搜索" />
<ul><li><a href="Show.aspx?id=1">某局2023年部门预算公开</a></li></ul>
<div class="pager">1 <a href="javascript:__doPostBack('AspNetPager1','2')">2</a>
<a href="javascript:__doPostBack('AspNetPager1','3')">3</a>
<a href="javascript:__doPostBack('AspNetPager1','2')">下一页</a></div>
</form></body></html>"""


def _response() -> HtmlResponse:
    return HtmlResponse("http://www.dianbai.gov.cn/asp/List.aspx?cid=4", body=PAGE.encode(), encoding="utf-8")


def test_each_pager_page_is_one_post_of_the_form_without_a_click() -> None:
    seen: set[tuple[str, str, str]] = set()
    requests = list(family_aspnet.page_requests(_response(), callback=None, seen=seen))
    assert [r.meta["link_text"] for r in requests] == ["2", "3"]
    first = requests[0]
    assert (first.method, first.url) == ("POST", "http://www.dianbai.gov.cn/asp/List.aspx?cid=4")
    assert first.headers[b"Content-Type"] == b"application/x-www-form-urlencoded"
    assert first.headers[b"Referer"] == b"http://www.dianbai.gov.cn/asp/List.aspx?cid=4"
    form = parse_qs(first.body.decode(), keep_blank_values=True)
    assert form["__VIEWSTATE"] == ["/wEPDwUKMTY1NDU2MTA1Mg9kFgI="]
    assert form["__EVENTVALIDATION"] == ["/wEWAgKO8r"]
    assert (form["__EVENTTARGET"], form["__EVENTARGUMENT"]) == (["AspNetPager1"], ["2"])
    assert "btnSearch" not in form  # a post-back is not a click on the search button


def test_a_pager_page_already_requested_is_not_posted_again() -> None:
    seen: set[tuple[str, str, str]] = set()
    assert len(list(family_aspnet.page_requests(_response(), callback=None, seen=seen))) == 2
    assert list(family_aspnet.page_requests(_response(), callback=None, seen=seen)) == []
