"""Whose region a parsed file is: from the names it prints, then its link, its portal, its crawl.

The evidence, strongest first (``region_source`` says which one decided):

1. ``document``: the department and title the parser read in the file (``秦皇岛市北戴河区医疗保障局``);
2. ``link``: the text of the link the file was found under and the crawler's title and department;
3. ``site``: the ``SiteIDCode`` meta of the page that linked the file (its first six digits are the
   portal's GB/T 2260 code; nearly every government CMS prints it), read from the archived page;
4. ``crawl``: the region the crawl was started for (``--region``), kept on the capture.

A file that names its own place keeps it even when the crawl was for another (a 邯郸 crawl's 北戴河区
file is 130304): a city portal often posts its counties' files. Names shared by several divisions are
narrowed by the portal's and the crawl's region (``govbudget.regions.names``). Nothing known: null.
"""

from __future__ import annotations

import re
from typing import Any

from govbudget.regions import all_divisions
from govbudget.regions.names import first_named
from govbudget.storage.keys import content_key
from govbudget.storage.object_store import ObjectNotFound

REGION_SOURCES = ("document", "link", "site", "crawl")
_SITE_ID = re.compile(rb"""<meta[^>]+name=["']?SiteIDCode["']?[^>]+content=["']?(\d{6})""", re.I)
_SITE_ID_REVERSED = re.compile(rb"""<meta[^>]+content=["']?(\d{6})\d*["']?[^>]+name=["']?SiteIDCode""", re.I)
_PAGE_HEAD_BYTES = 64 * 1024  # the meta stands in the head
# a ZIP member's referrer is its archive, whose referrer is the page; a list API's answer (JSON, no
# meta) was asked for by the page that carries it
_MAX_HOPS = 4


def site_code_in(page: bytes) -> str | None:
    """The GB/T 2260 code a page's ``SiteIDCode`` meta starts with, when it is a known division."""
    head = page[:_PAGE_HEAD_BYTES]
    match = _SITE_ID.search(head) or _SITE_ID_REVERSED.search(head)
    if match is None:
        return None
    code = match.group(1).decode("ascii")
    return code if code in all_divisions() else None


def site_code(catalog: Any, store: Any, capture: Any) -> str | None:
    """The SiteIDCode of the nearest archived page up ``capture``'s chain of referrers that prints one."""
    referrer = capture.get("referrer") if capture else None
    seen: set[str] = set()
    for _ in range(_MAX_HOPS):
        if not referrer or referrer in seen:
            return None
        seen.add(referrer)
        page = catalog.last_capture_for_url(referrer)
        if page is None:
            return None
        if page.get("kind") == "page":
            try:
                found = site_code_in(store.get(content_key(page["sha256"])))
            except ObjectNotFound:
                found = None
            if found is not None:
                return found
        referrer = page.get("referrer")  # a JSON list's page, an archive's page: the page that led there
    return None


def infer_region(document: dict[str, Any], capture: Any | None,
                 site: str | None) -> tuple[str | None, str | None]:
    """(region code, source) of one file from its `document` record, latest capture and portal code."""
    crawl = capture.get("region_code") if capture else None
    context = [c for c in (site, crawl) if c]
    named = first_named((document.get("department"), document.get("title")), context)
    if named is not None:
        return named.code, "document"
    if capture:
        named = first_named((capture.get("link_text"), capture.get("title"), capture.get("department")),
                            context)
        if named is not None:
            return named.code, "link"
    if site:
        return site, "site"
    if crawl:
        return crawl, "crawl"
    return None, None


def region_of(svc: Any, document: dict[str, Any], capture: Any | None) -> tuple[str | None, str | None]:
    """`infer_region` with the portal's code read from the archive (the task's entry point)."""
    return infer_region(document, capture, site_code(svc.catalog, svc.store, capture))
