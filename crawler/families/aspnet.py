"""ASP.NET WebForms: pagers that exist only as ``__doPostBack`` calls posting ``__VIEWSTATE``."""

from __future__ import annotations

import re
from collections.abc import Iterator

import scrapy
from form2request import form2request
from scrapy.http import Response, TextResponse

from govbudget.crawler.families.base import Context

_POSTBACK = re.compile(r"__doPostBack\(\s*'([^']*[Pp]ager[^']*)'\s*,\s*'(\d+)'\s*\)")


class AspNet:
    """One post-back of the page's own form per pager page, each posted once per crawl."""

    name = "aspnet"

    def matches(self, response: Response) -> bool:
        return b"__VIEWSTATE" in response.body and b"__doPostBack" in response.body

    def requests(self, response: Response, ctx: Context) -> Iterator[scrapy.Request]:
        return page_requests(response, ctx)  # type: ignore[arg-type]


def page_requests(response: TextResponse, ctx: Context) -> Iterator[scrapy.Request]:
    """One post-back per pager page not requested yet in this crawl (``ctx.once``).

    The form is submitted as its script would: every field as the page has it (``__VIEWSTATE``
    included), the pager's target and argument set, no submit button clicked.
    """
    forms = response.xpath("//form[.//input[@name='__VIEWSTATE']]")
    if not forms:
        return
    base = response.url.split("#", 1)[0]
    for target, arg in dict.fromkeys(_POSTBACK.findall(response.text)):
        if not ctx.once(("aspnet", base, target, arg)):
            continue
        post = form2request(forms[0], {"__EVENTTARGET": target, "__EVENTARGUMENT": arg}, click=False)
        yield ctx.post(post.url, post.body, referrer=response.url, link_text=arg, headers=dict(post.headers))


FAMILY = AspNet()
