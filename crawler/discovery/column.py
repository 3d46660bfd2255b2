"""Is a page a budget-disclosure column, a government home page, or neither?

Decided from link texts and the page's own labels, never from a site's markup: a column is a page
whose title, column name or headings say 预决算/部门预算/财政预算, or which lists several links whose
text is a budget or final-account disclosure. Vocabulary only, so any CMS qualifies.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

from parsel import Selector

COLUMN_WORDS = re.compile(r"预决算|部门预算|部门决算|财政预算|财政决算|预算公开|决算公开|三公经费")
DISCLOSURE_LINK = re.compile(r"(?:20\d\d|年度?).*(?:预算|决算)|(?:预算|决算).*(?:公开|说明|报告|表)")
# navigation steps towards the column, from the home page inwards
STEPS = (
    re.compile(r"^(?:政府)?信息公开$|政府信息公开|政务公开|信息公开目录"),
    re.compile(r"法定主动公开|主动公开内容|财政信息|财政资金|重点领域|财政"),
    re.compile(r"财政预决算|预决算公开|部门预决算|部门预算|部门决算|^预决算$|预算公开|决算公开"),
)
# a page listing the governments' own sites under a division (政府网站, 县区政府): a directory of home pages
SITES = re.compile(r"政府网站|网站群|网站导航|(?:市县|县区|区县|县市|地方|下级|各地)政府|县（市、区）政府")
MAX_LINK_TEXT = 30


@dataclass(frozen=True)
class Link:
    url: str
    text: str


def links(html: str, base_url: str) -> Iterator[Link]:
    """Every http(s) link on the page with its text (or title attribute), whitespace removed."""
    sel = Selector(text=html or "<html></html>")
    for a in sel.xpath("//a[@href]"):
        href = (a.attrib.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        url = urljoin(base_url, href).split("#", 1)[0]
        if not url.startswith("http"):
            continue
        text = re.sub(r"\s+", "", "".join(a.xpath(".//text()").getall()))
        yield Link(url, text or (a.attrib.get("title") or "").strip())


def is_column(html: str, base_url: str) -> bool:
    """The page is a budget-disclosure column or platform (its labels, or its list of disclosures)."""
    sel = Selector(text=html or "<html></html>")
    labels = " ".join(sel.xpath("//title//text() | //h1//text() | //h2//text()").getall())
    labels += " ".join(sel.xpath('//meta[@name="ColumnName" or @name="columnname"]/@content').getall())
    if COLUMN_WORDS.search(labels):
        return True
    listed = sum(1 for link in links(html, base_url)
                 if len(link.text) <= 80 and DISCLOSURE_LINK.search(link.text))
    return listed >= 2


def step_of(text: str) -> int | None:
    """Which navigation step a link text is (0: 信息公开, 1: 财政信息, 2: the column), or None."""
    if not text or len(text) > MAX_LINK_TEXT:
        return None
    for index in range(len(STEPS) - 1, -1, -1):
        if STEPS[index].search(text):
            return index
    return None


def sites_pages(html: str, base_url: str) -> list[str]:
    """Links of a home page to its list of the governments' sites under it (政府网站, 县区政府)."""
    return list(dict.fromkeys(link.url for link in links(html, base_url)
                              if link.text and len(link.text) <= MAX_LINK_TEXT and SITES.search(link.text)))
