"""ASP.NET WebForms adapter: pagers that exist only as ``__doPostBack`` calls posting ``__VIEWSTATE``."""

from __future__ import annotations

import re
from collections.abc import Iterator

import scrapy
from form2request import form2request
from scrapy.http import TextResponse

_POSTBACK = re.compile(r"__doPostBack\(\s*'([^']*[Pp]ager[^']*)'\s*,\s*'(\d+)'\s*\)")


def matches(response: TextResponse) -> bool:
    return b"__VIEWSTATE" in response.body and b"__doPostBack" in response.body


def page_requests(
    response: TextResponse, callback: object, seen: set[tuple[str, str, str]]
) -> Iterator[scrapy.Request]:
    """One post-back per pager page not requested yet (``seen`` is shared across the crawl).

    The form is submitted as its script would: every field as the page has it (``__VIEWSTATE``
    included), the pager's target and argument set, no submit button clicked.
    """
    forms = response.xpath("//form[.//input[@name='__VIEWSTATE']]")
    if not forms:
        return
    base = response.url.split("#", 1)[0]
    for target, arg in dict.fromkeys(_POSTBACK.findall(response.text)):
        key = (base, target, arg)
        if key in seen:
            continue
        seen.add(key)
        post = form2request(forms[0], {"__EVENTTARGET": target, "__EVENTARGUMENT": arg}, click=False)
        yield scrapy.Request(
            post.url, method=post.method, body=post.body,
            headers={**dict(post.headers), "Referer": response.url},
            callback=callback,  # type: ignore[arg-type]
            meta={"referrer": response.url, "link_text": arg},
        )
