"""Links that name a division's children: what makes a page a directory.

A link counts when its text names one division under the page's owner (full name, short name such
as 临漳 for 临漳县, or the name with 预决算公开 after it), read with `govbudget.regions.named_in` in
the owner's context, so a short name two provinces share is read as the owner's. A page with several
such links is the owner's directory of its children, never the owner's own column.
"""

from __future__ import annotations

import re

from govbudget.crawler.discovery.column import MAX_LINK_TEXT, links
from govbudget.regions import Division, named_in
from govbudget.regions.names import is_under

MIN_DIRECTORY_LINKS = 2  # links naming a division's own children: its directory, not its column
_TAIL = re.compile(r"(?:预决算公开(?:平台|专栏)?|财政预决算|预决算|信息公开|人民政府|门户网站|政府)$")


def child_links(html: str, page_url: str, owner: Division | None) -> list[tuple[Division, str, str]]:
    """(child, URL, link text) for each link whose text names exactly one division under ``owner``
    (a province, when the page is a national directory and ``owner`` is None)."""
    out: dict[tuple[str, str], tuple[Division, str, str]] = {}
    for link in links(html, page_url):
        if not link.text or len(link.text) > MAX_LINK_TEXT or link.url.rstrip("/") == page_url.rstrip("/"):
            continue
        named = named_in(_TAIL.sub("", link.text) or link.text, [owner.code] if owner else [])
        if named is None or not _below(named, owner):
            continue
        out.setdefault((named.code, link.url), (named, link.url, link.text))
    return list(out.values())


def _below(named: Division, owner: Division | None) -> bool:
    if owner is None:
        return named.level == "province"
    return named.code != owner.code and is_under(named.code, owner.code)


def own_links(html: str, page_url: str, owner: Division) -> list[tuple[Division, str, str]]:
    """Links on the owner's directory that name the owner itself (``河北省本级``): its own column."""
    out: dict[str, tuple[Division, str, str]] = {}
    for link in links(html, page_url):
        if not link.text or len(link.text) > MAX_LINK_TEXT or link.url.rstrip("/") == page_url.rstrip("/"):
            continue
        named = named_in(_TAIL.sub("", link.text.removesuffix("本级")) or link.text, [owner.code])
        if named is not None and named.code == owner.code and "本级" in link.text:
            out.setdefault(link.url, (owner, link.url, link.text))
    return list(out.values())


def is_directory_of(html: str, page_url: str, owner: Division) -> bool:
    """The page links to several of ``owner``'s children by name."""
    return owner.level != "county" and len(child_links(html, page_url, owner)) >= MIN_DIRECTORY_LINKS
