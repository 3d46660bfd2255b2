"""JSON directory: a list shell with no links whose inline script fetches a ``….json`` directory.

The JSON's objects carry ``url``/``title``-like fields wherever they nest; each becomes a link the
link policy judges like any ``<a>``. Reading the JSON directly is cheaper than rendering the shell.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy.http import Response

from govbudget.crawler.families.base import Context, Link, asked_for, json_body

_JSON_FETCH = re.compile(r"""(?:fetch|\$\.getJSON|\$\.get|axios\.get)\(\s*['"]([^'"]+\.json[^'"]*)['"]""")
URL_KEYS = ("url", "href", "link", "post_url", "fileUrl", "downloadUrl", "path")
TITLE_KEYS = ("title", "fileName", "name", "showname", "text")


class JsonDirectory:
    """A page's ``fetch("….json")`` endpoints; then, in each JSON answer, every titled URL."""

    name = "json_directory"

    def matches(self, response: Response) -> bool:
        return bool(_JSON_FETCH.search(response.text))  # type: ignore[attr-defined]

    def requests(self, response: Response, ctx: Context) -> Iterator[scrapy.Request | Link]:
        if asked_for(response) is not None:
            data = json_body(response)
            if data is not None:
                yield from json_links(data, response.url)
            return
        for url in json_urls(response.text, response.url):  # type: ignore[attr-defined]
            yield ctx.json(url, family=self.name, referrer=response.url)


def json_urls(html: str, page_url: str) -> list[str]:
    """JSON endpoints a page's inline script fetches."""
    return [urljoin(page_url, u) for u in dict.fromkeys(_JSON_FETCH.findall(html))]


def json_links(data: Any, base: str) -> Iterator[Link]:
    """(title, absolute URL) for every object in a JSON document that has a URL-like field."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            url = next((node[k] for k in URL_KEYS if isinstance(node.get(k), str) and node[k]), None)
            if url:
                title = next((str(node[k]) for k in TITLE_KEYS if node.get(k)), "")
                yield Link(title, urljoin(base, url))
            stack.extend(v for v in node.values() if isinstance(v, (list, dict)))


FAMILY = JsonDirectory()
