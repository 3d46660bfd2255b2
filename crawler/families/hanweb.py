"""Hanweb 大汉 JCMS adapter: list records hide in ``<datastore>`` CDATA; later pages need a POST.

The first page of a ``/col/colN/index.html`` list embeds its first records inside
``<script type="text/xml">``; the rest come from ``dataproxy.jsp`` only when POSTed the column's
ids. Reading the datastore and POSTing the ranges is cheaper and surer than driving a browser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, unquote, urlencode, urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response, TextResponse

from govbudget.crawler.families.base import Context, Link

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>")
_PROXY = re.compile(r"""proxyUrl\s*:\s*['"]([^'"]+dataproxy\.jsp)['"]""")
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[.*?href=['\"]([^'\"]+)['\"]", re.S)
_PERPAGE = re.compile(r"(?:var\s+mynum\s*=\s*|perPage\s*:\s*)(\d+)")
MAX_RECORDS = 5000


class Hanweb:
    """The datastore's record links, and one POST per range of later records."""

    name = "hanweb"

    def matches(self, response: Response) -> bool:
        return b"<datastore>" in response.body

    def requests(self, response: Response, ctx: Context) -> Iterator[scrapy.Request | Link]:
        yield from record_links(response)  # type: ignore[arg-type]
        yield from page_requests(response, ctx)  # type: ignore[arg-type]


def record_links(response: TextResponse) -> Iterator[Link]:
    """(text, absolute URL) of every link inside the datastore's records."""
    for chunk in _RECORD.findall(response.text):
        for a in Selector(text=chunk).xpath("//a[@href]"):
            text = " ".join(a.xpath(".//text()").getall()).strip() or a.attrib.get("title", "")
            yield Link(text, urljoin(response.url, a.attrib["href"]))


def page_requests(response: TextResponse, ctx: Context) -> Iterator[scrapy.Request]:
    """POSTs for the records past the first page (only from a list page, not from a proxy answer)."""
    text = response.text
    proxy, total, nextgroup = _PROXY.search(text), _TOTAL.search(text), _NEXTGROUP.search(text)
    if not (proxy and total and nextgroup) or "dataproxy.jsp" in response.url:
        return
    per = _PERPAGE.search(text)
    perpage = (int(per.group(1)) if per else 0) or 15
    params = {k: v[0] for k, v in parse_qs(urlsplit(nextgroup.group(1).replace("&amp;", "&")).query).items()}
    form = {
        "col": "1",
        "appid": "1",
        "webid": params.get("webid", "1"),
        "path": params.get("path", "/"),
        "columnid": params.get("columnid", ""),
        "sourceContentType": "1",
        "unitid": params.get("unitid", ""),
        "webname": unquote(params.get("webname", "")),  # real templates encode it twice
        "permissiontype": "0",
    }
    count = min(int(total.group(1)), MAX_RECORDS)
    group = perpage * 3
    for start in range(perpage + 1, count + 1, group):
        end = min(start + group - 1, count)
        url = (
            urljoin(response.url, proxy.group(1)) + f"?startrecord={start}&endrecord={end}&perpage={perpage}"
        )
        yield ctx.post(url, urlencode(form), referrer=response.url)


FAMILY = Hanweb()
