"""The generic explorer's reading of HTML fragments: a list API that answers a snippet of links.

Some list APIs answer no JSON but a piece of HTML the page's script puts into its list container
(``<li><a href>…</a></li>`` rows; jQuery's ``$("#list").load(…)``). Its links are read as the page's
own: resolved against the page, as the browser resolves the links of an ``innerHTML``. Its paging is
the request's own page number or offset (the parameters a JSON list API pages by:
``explorer_json.paging_in_request``); a fragment tells nothing of the list's length, so its pages
are walked one after another until one adds no link the one before it did not show.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urljoin

from parsel import Selector

__all__ = ["fragment_links", "is_fragment", "mark"]

_ANCHOR = re.compile(rb"<a\s[^>]*href\s*=", re.I)
_MAX_LINKS = 2000


def is_fragment(body: str, content_type: str) -> bool:
    """An answer that is HTML holding at least one ``<a href>`` (declared HTML, or text that starts
    with a tag when the type says nothing of it)."""
    head = body.lstrip()[:1]
    declared = "html" in content_type.lower()
    plain = not content_type or "text/plain" in content_type.lower() or "octet" in content_type.lower()
    if not (declared or (plain and head == "<")):
        return False
    return bool(_ANCHOR.search(body[:200_000].encode("utf-8", "replace")))


def fragment_links(body: str, base: str) -> list[tuple[str, str]]:
    """(text, absolute URL) of the fragment's ``<a href>`` links, in order, each URL once; the text
    is the link's own, else its ``title``."""
    out: dict[str, str] = {}
    for a in Selector(text=body).xpath("//a[@href]")[:_MAX_LINKS]:
        href = (a.attrib.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        url = urljoin(base, href).split("#", 1)[0]
        text = " ".join(" ".join(a.xpath(".//text()").getall()).split()) or a.attrib.get("title", "")
        out.setdefault(url, text)
    return [(text, url) for url, text in out.items()]


def mark(links: list[tuple[str, str]]) -> str:
    """A short digest of a fragment's links: the same links twice mean the parameter is ignored."""
    text = "\n".join(url for _, url in links)
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16]
