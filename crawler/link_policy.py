"""Which links a generic crawl follows, by their text and where they point.

A portal's home page has hundreds of links; budget disclosures sit a few clicks down a path of
columns (信息公开 → 法定主动公开内容 → 财政预决算). Following only links whose words belong on that
path keeps a crawl of ~3,000 regions small, and keeps decoys (政策解读, 一图读懂, 招标公告, 人事任免,
notices on the disclosure work, a month's execution news) out of the archive.

A link is read with the page it stands on (`classify.classify_link`): ``附件1.pdf`` in a budget
article is that article's budget, and a body's name in a 部门决算 list is that body's final accounts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from govbudget.crawler.classify import (
    FILE_EXTENSIONS,
    Classification,
    body_name,
    classify_link,
    file_name_from_url,
    fiscal_year_of,
    is_disclosure_column,
    kind_of,
    names_decoy,
    page_kind,
    without_department,
)

__all__ = ["FILE_EXTENSIONS", "MIN_FISCAL_YEAR", "LinkDecision", "decide", "looks_like_file"]

DOWNLOAD_SERVLETS = re.compile(r"downfile\.jsp|download\.(?:do|jsp|aspx?)|/attach/|getfile|filedown", re.I)
# A handler that serves files by id: /common/download?id=5, DownloadFile.ashx?fid=3,
# fileDownload.action?id=9, down.php?id=2 (pages such as /download/index.html excepted).
_DOWNLOAD_SEGMENT = re.compile(
    r"download|filedown|getfile|^down(?:file)?(?:\.|$)|^attach(?:ment)?(?:\.|$)", re.I
)
_PAGE_EXTENSIONS = frozenset({".html", ".htm", ".shtml", ".shtm", ".xhtml"})

# Column names on the path from a home page to the disclosures.
_NAVIGATION = re.compile(
    r"信息公开|政务公开|政府信息|法定主动公开|主动公开|财政预决算|预决算|财政信息|财政资金|重点领域|"
    r"财政预算|财政决算|部门预算|部门决算|单位预算|单位决算|三公经费|绩效目标|预算公开|决算公开|专题专栏"
)
# Columns that are off the path whatever else they say (navigation only; files are judged by `classify`).
_DECOY = re.compile(r"政策解读|解读|招标|采购公告|中标|成交公告|任免|人事|新闻|征求意见")
_PAGINATION = re.compile(r"^(下一页|上一页|尾页|首页|末页|\d+|>|>>|»)$")
# "More" under a section of a budget-path page opens that section's full list.
_MORE = re.compile(r"^(?:更多|更多>+|更多»|查看更多|更多信息|more|more>+)$", re.I)
MIN_FISCAL_YEAR = 2016


@dataclass(frozen=True)
class LinkDecision:
    """What to do with one link: ``file`` to download, ``page`` to follow, or ``skip``.

    ``classification`` is the reading of a file, or of an article link that names a disclosure
    (a year, or a body's name in a disclosure list); None for navigation and skipped links.
    """

    action: str
    reason: str
    classification: Classification | None = None


def looks_like_file(url: str) -> bool:
    """A link to an attachment rather than a page: by extension (of the path, its ``;jsessionid``
    stripped, or of a query value such as ``file=a.docx``) or a download servlet."""
    parts = urlsplit(url)
    last = parts.path.rsplit("/", 1)[-1].split(";", 1)[0].lower()
    ext = "." + last.rsplit(".", 1)[-1] if "." in last else ""
    name = file_name_from_url(url).lower()
    name_ext = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    if ext in FILE_EXTENSIONS or name_ext in FILE_EXTENSIONS or DOWNLOAD_SERVLETS.search(url):
        return True
    handler = bool(_DOWNLOAD_SEGMENT.search(last)) and bool(parts.query or ext)
    return handler and ext not in _PAGE_EXTENSIONS


def _too_old(text: str, min_year: int) -> bool:
    year = fiscal_year_of(text)
    return year is not None and year < min_year


def _on_budget_path(title: str) -> bool:
    return bool(_NAVIGATION.search(title)) or page_kind(title) != "other"


def decide(
    link_text: str, url: str, *, context_title: str = "", min_year: int = MIN_FISCAL_YEAR
) -> LinkDecision:
    """Decide for one link, given the title (and heading) of the page it stands on."""
    text = re.sub(r"\s+", "", link_text or "")
    if looks_like_file(url):
        c = classify_link(link_text, url, context_title)
        if not c.is_disclosure:
            return LinkDecision("skip", f"file not a disclosure ({c.doc_kind})")
        if c.fiscal_year is not None and c.fiscal_year < min_year:
            return LinkDecision("skip", f"fiscal year {c.fiscal_year} before {min_year}")
        return LinkDecision("file", c.doc_kind, c)
    if not text:
        return LinkDecision("skip", "no link text")
    if names_decoy(text) or _DECOY.search(without_department(text)):
        return LinkDecision("skip", "decoy column or article")
    if _too_old(text, min_year):
        return LinkDecision("skip", f"year before {min_year}")
    if kind_of(text) != "other":
        if fiscal_year_of(text) is not None:
            return LinkDecision("page", "disclosure article", classify_link(link_text, url, context_title))
        return LinkDecision("page", "budget path")
    if _NAVIGATION.search(text):
        return LinkDecision("page", "budget path")
    if body_name(text) and is_disclosure_column(context_title):
        return LinkDecision("page", "body in a disclosure list", classify_link(link_text, url, context_title))
    if _MORE.match(text) and _on_budget_path(context_title):
        return LinkDecision("page", "more of a budget-path list")
    if _PAGINATION.match(text):
        return LinkDecision("page", "pagination")
    return LinkDecision("skip", "not on a budget path")
