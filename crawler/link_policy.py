"""Which links a generic crawl follows, by their text and where they point.

A portal's home page has hundreds of links; budget disclosures sit a few clicks down a path of
columns (信息公开 → 法定主动公开内容 → 财政预决算). Following only links whose words belong on that
path keeps a crawl of ~3,000 regions small, and keeps decoys (政策解读, 招标公告, 人事任免, 预算执行
news) out of the archive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from govbudget.crawler.classify import (
    classify_link,
    file_name_from_url,
    fiscal_year_of,
    kind_of,
    without_department,
)

FILE_EXTENSIONS = frozenset(
    {".pdf", ".xls", ".xlsx", ".doc", ".docx", ".wps", ".et", ".zip", ".rar", ".7z", ".ofd", ".csv"}
)
DOWNLOAD_SERVLETS = re.compile(r"downfile\.jsp|download\.(?:do|jsp|aspx?)|/attach/|getfile|filedown", re.I)

# Column names on the path from a home page to the disclosures.
_NAVIGATION = re.compile(
    r"信息公开|政务公开|政府信息|法定主动公开|主动公开|财政预决算|预决算|财政信息|财政资金|重点领域|"
    r"财政预算|财政决算|部门预算|部门决算|单位预算|单位决算|三公经费|绩效目标|预算公开|决算公开|专题专栏"
)
_DECOY = re.compile(r"政策解读|解读|招标|采购公告|中标|成交公告|任免|人事|新闻|执行情况|预算执行|征求意见")
_PAGINATION = re.compile(r"^(下一页|上一页|尾页|首页|末页|\d+|>|>>|»)$")
MIN_FISCAL_YEAR = 2016


@dataclass(frozen=True)
class LinkDecision:
    """What to do with one link: ``file`` to download, ``page`` to follow, or ``skip``."""

    action: str
    reason: str


def looks_like_file(url: str) -> bool:
    """A link to an attachment rather than a page: by extension or a known download servlet."""
    path = urlsplit(url).path.lower()
    name = file_name_from_url(url).lower()
    ext_of = lambda s: "." + s.rsplit(".", 1)[-1] if "." in s else ""  # noqa: E731
    return ext_of(path) in FILE_EXTENSIONS or ext_of(name) in FILE_EXTENSIONS or bool(
        DOWNLOAD_SERVLETS.search(url)
    )


def _too_old(text: str, min_year: int) -> bool:
    year = fiscal_year_of(text)
    return year is not None and year < min_year


def decide(
    link_text: str, url: str, *, context_title: str = "", min_year: int = MIN_FISCAL_YEAR
) -> LinkDecision:
    """Decide for one link, given the title of the page it stands on."""
    text = re.sub(r"\s+", "", link_text or "")
    if looks_like_file(url):
        c = classify_link(link_text, url, context_title)
        if not c.is_disclosure:
            return LinkDecision("skip", f"file not a disclosure ({c.doc_kind})")
        if c.fiscal_year is not None and c.fiscal_year < min_year:
            return LinkDecision("skip", f"fiscal year {c.fiscal_year} before {min_year}")
        return LinkDecision("file", c.doc_kind)
    if not text:
        return LinkDecision("skip", "no link text")
    if _DECOY.search(without_department(text)):
        return LinkDecision("skip", "decoy column or article")
    if _too_old(text, min_year):
        return LinkDecision("skip", f"year before {min_year}")
    if _NAVIGATION.search(text) or kind_of(text) != "other":
        return LinkDecision("page", "budget path")
    if _PAGINATION.match(text):
        return LinkDecision("page", "pagination")
    return LinkDecision("skip", "not on a budget path")
