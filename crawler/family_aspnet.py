"""ASP.NET WebForms adapter: pagers that exist only as ``__doPostBack`` calls posting ``__VIEWSTATE``."""

from __future__ import annotations

import re
from collections.abc import Iterator

from scrapy.http import FormRequest, TextResponse

_POSTBACK = re.compile(r"__doPostBack\(\s*'([^']*[Pp]ager[^']*)'\s*,\s*'(\d+)'\s*\)")


def matches(response: TextResponse) -> bool:
    return b"__VIEWSTATE" in response.body and b"__doPostBack" in response.body


def page_requests(
    response: TextResponse, callback: object, seen: set[tuple[str, str, str]]
) -> Iterator[FormRequest]:
    """One post-back per pager page not requested yet (``seen`` is shared across the crawl)."""
    base = response.url.split("#", 1)[0]
    for target, arg in dict.fromkeys(_POSTBACK.findall(response.text)):
        key = (base, target, arg)
        if key in seen:
            continue
        seen.add(key)
        yield FormRequest.from_response(
            response,
            formxpath="//form[.//input[@name='__VIEWSTATE']]",
            dont_click=True,
            formdata={"__EVENTTARGET": target, "__EVENTARGUMENT": arg},
            callback=callback,  # type: ignore[arg-type]
            meta={"referrer": response.url, "link_text": arg},
            headers={"Referer": response.url},
        )
