"""JSON adapters: a list shell that fetches a JSON directory, and a unified platform's JSON chain.

JSON directory: an HTML shell with no links whose script fetches ``….json``; the JSON's objects carry
``url``/``title``-like fields. Unified platform (``window.__YJSGK__ = {api, download, code}``):
departments → years → files per department and year → ``download?iid=``. Both are read directly,
so neither needs a browser.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

_JSON_FETCH = re.compile(r"""(?:fetch|\$\.getJSON|\$\.get|axios\.get)\(\s*['"]([^'"]+\.json[^'"]*)['"]""")
_PLATFORM = re.compile(r"window\.__YJSGK__\s*=\s*(\{.*?\})\s*;", re.S)
URL_KEYS = ("url", "href", "link", "post_url", "fileUrl", "downloadUrl", "path")
TITLE_KEYS = ("title", "fileName", "name", "showname", "text")


def json_urls(html: str, page_url: str) -> list[str]:
    """JSON endpoints a page's inline script fetches."""
    return [urljoin(page_url, u) for u in dict.fromkeys(_JSON_FETCH.findall(html))]


def json_links(data: Any, base: str) -> Iterator[tuple[str, str]]:
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
                yield title, urljoin(base, url)
            stack.extend(v for v in node.values() if isinstance(v, (list, dict)))


def platform_config(html: str, page_url: str) -> dict[str, str] | None:
    """The unified platform's config (API base, download servlet, division code), if the page has one."""
    match = _PLATFORM.search(html)
    if not match:
        return None
    try:
        cfg = json.loads(match.group(1))
    except json.JSONDecodeError:
        return None
    if not isinstance(cfg, dict) or not all(isinstance(cfg.get(k), str) for k in ("api", "download", "code")):
        return None
    return {
        "api": urljoin(page_url, cfg["api"]),
        "download": urljoin(page_url, cfg["download"]),
        "code": cfg["code"],
    }
