"""广东 政府信息公开目录 (gkmlpt): a Vue shell with no links, articles from a JSON API, over plain HTTP.

Every Guangdong government site runs the same platform under its own path prefix
(``www.gd.gov.cn/gkmlpt/index``, ``www.yangjiang.gov.cn/yjzjj/gkmlpt/index#721``). What public crawler
code and notes about it show (hulelan/china-governance ``crawlers/gkmlpt.py`` and its scratchpad; a
Zhaoqing EIA scraper's notes; Guangzhou and Yangjiang scrapers):

- The shell ``…/gkmlpt/index`` (``#<catid>`` picks a category client-side) carries
  ``window._CONFIG = {…, SID: '755041', …, TREE: [...], SERVICE_AREA_ID: …}``: a JavaScript object
  whose ``SID`` is the site id and whose ``TREE`` is JSON, nodes ``{"id", "name", "children": [...],
  "post_count", "jump_url"}`` (``jump_url``: the column lives elsewhere). Article pages
  (``…/gkmlpt/content/0/963/post_963149.html``) carry ``DETAIL`` and the same ``TREE``.
- ``GET …/gkmlpt/api/all/{catid}?page=N&sid=SID`` answers ``{"classify": {…, "post_count"},
  "articles": [...], "total": N}``; an article has ``id``, ``title``, ``publisher``, ``date``,
  ``created_at``, ``identifier`` (索引号), ``url`` (its gkmlpt page) and ``post_url``, and
  ``attachment: [{"id", "name", "type", "mime", "size", "url"}]`` with absolute
  ``…/attachment/1/1658/1658591/12541123.docx`` URLs. Category ``0`` is the whole site, so a
  category's list holds its sub-categories' articles too.
- Paging: 100 articles a page from ``page=1`` (``page=0`` repeats page 1). Some sites answer
  everything they will give on page 1 and 404 for ``page>=2`` even when ``total`` is larger.

So the family reads the SID and the TREE, picks the categories whose names are disclosure vocabulary
(预决算, 部门预算, 部门决算, 三公经费, 财政信息, …) and, below a picked one, those named by a year or
a body (``2024年``, ``某市教育局``), plus a category the page URL's ``#<catid>`` names. It walks
each one's list page by page until ``total`` is reached, a page is empty, a page only repeats the
one before (when there is no ``total``) or a page is refused (a 404 never reaches the family, so the
walk ends there). Each article gives its page (read with the category's name, as a list page is)
and its attachments (read with the article's title, as its page would be); the link policy judges
them all. A picked category with a ``jump_url`` is a link like any other.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit, urlunsplit

import scrapy
from scrapy.http import Response

from govbudget.crawler.classify import names_decoy
from govbudget.crawler.families.base import Context, Link, asked_for, json_body

_CONFIG = re.compile(r"window\._CONFIG\s*=\s*\{")
_SID = re.compile(r"""\bSID\s*:\s*['"]?([\w-]+)""")
_TREE = re.compile(r"\bTREE\s*:\s*(?=\[)")
# Category names on the budget path; a year or a body's name counts only below one of them.
_VOCABULARY = re.compile(r"预决算|预算|决算|三公经费|财政信息|财政资金")
_YEAR = re.compile(r"^\s*(?:19|20)\d{2}\s*(?:年度|年)?\s*$")
_BODY = re.compile(
    r"^[^\d\sA-Za-z]{2,40}?(?:委员会|局|委|办公室|办公厅|办|中心|院|所|厅|部|馆|站|队|会|社|校|学|园|联|处)$"
)
_NOT_BODY = re.compile(r"公开|信息|新闻|政策|通知|公告|动态|解读|指南|服务|互动")
_CATEGORY = re.compile(r"^\d+$")
MAX_PAGES = 200


@dataclass(frozen=True)
class SiteConfig:
    """What the shell's ``window._CONFIG`` says: the site id and the category tree (None if absent)."""

    sid: str | None
    tree: list[Any] | None


class Gkmlpt:
    """The shell's tree, then ``api/all/{cat}?page=N&sid=`` for each budget category, page by page."""

    name = "gkmlpt"

    def matches(self, response: Response) -> bool:
        cfg = site_config(response.text)  # type: ignore[attr-defined]
        if cfg is None:
            return False
        return cfg.tree is not None or "/gkmlpt/" in urlsplit(response.url).path

    def requests(self, response: Response, ctx: Context) -> Iterator[scrapy.Request | Link]:
        state = asked_for(response)
        if state is None:
            yield from self._walks(response, ctx)
            return
        data = json_body(response)
        if not isinstance(data, dict):
            return
        articles = [a for a in data.get("articles") or [] if isinstance(a, dict)]
        for article in articles:
            yield from article_links(article, response.url, state.get("category", ""))
        seen, total = state["seen"] + len(articles), total_of(data)
        first = str(articles[0].get("id") or articles[0].get("url") or "") if articles else ""
        if not articles or state["page"] >= MAX_PAGES:
            return
        if total is not None and seen >= total:
            return
        if total is None and first and first == state.get("first"):
            return  # the site ignores ``page``: the same list again
        following = {**state, "page": state["page"] + 1, "seen": seen, "first": first}
        yield self._page(ctx, response.url, following)

    def _walks(self, response: Response, ctx: Context) -> Iterator[scrapy.Request | Link]:
        cfg = site_config(response.text)  # type: ignore[attr-defined]
        if cfg is None:
            return
        page_url = requested_url(response)
        api = api_base(page_url)
        picked, jumps = budget_categories(cfg.tree or [])
        fragment = urldefrag(page_url)[1]
        if _CATEGORY.match(fragment) and fragment not in {cat for cat, _ in picked}:
            named = dict(all_categories(cfg.tree or []))
            picked.append((fragment, named.get(fragment, "")))
        for name, url in jumps:
            if ctx.once(("gkmlpt", api, "jump", url)):
                yield Link(name, urljoin(response.url, url))
        for cat, name in picked:
            if ctx.once(("gkmlpt", api, cat)):
                state = {"api": api, "cat": cat, "category": name, "sid": cfg.sid, "page": 1, "seen": 0}
                yield self._page(ctx, response.url, state)

    def _page(self, ctx: Context, referrer: str, state: dict[str, Any]) -> scrapy.Request:
        return ctx.json(list_url(state["api"], state["cat"], state["page"], state["sid"]),
                        family=self.name, referrer=referrer, state=state)


def site_config(html: str) -> SiteConfig | None:
    """The SID and TREE of a page's ``window._CONFIG``, or None when the page has no ``_CONFIG``."""
    start = _CONFIG.search(html)
    if start is None:
        return None
    rest = html[start.end() - 1 :]
    sid = _SID.search(rest)
    tree: list[Any] | None = None
    at = _TREE.search(rest)
    if at is not None:
        try:
            value, _ = json.JSONDecoder().raw_decode(rest, at.end())
        except ValueError:
            value = None
        tree = value if isinstance(value, list) else None
    return SiteConfig(sid.group(1) if sid else None, tree)


def requested_url(response: Response) -> str:
    """The URL as asked for, ``#fragment`` included (the downloader drops it from ``response.url``)."""
    try:
        asked = response.request.url  # type: ignore[union-attr]
    except AttributeError:
        return response.url
    return asked if urldefrag(asked)[0] == urldefrag(response.url)[0] else response.url


def api_base(page_url: str) -> str:
    """``…/gkmlpt/api/all/`` under the site's own prefix (``/yjzjj/gkmlpt/index`` → ``/yjzjj/gkmlpt/``)."""
    parts = urlsplit(urldefrag(page_url)[0])
    at = parts.path.find("/gkmlpt/")
    prefix = parts.path[: at + len("/gkmlpt/")] if at >= 0 else "/gkmlpt/"
    return urlunsplit((parts.scheme, parts.netloc, prefix + "api/all/", "", ""))


def list_url(api: str, cat: str, page: int, sid: str | None) -> str:
    return f"{api}{cat}?page={page}" + (f"&sid={sid}" if sid else "")


def all_categories(tree: list[Any]) -> Iterator[tuple[str, str]]:
    """(id, name) of every node of the tree, depth first."""
    for node in tree:
        if isinstance(node, dict) and node.get("id") is not None:
            yield str(node["id"]), str(node.get("name") or "")
            yield from all_categories(node.get("children") or [])


def budget_categories(tree: list[Any]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(categories to walk, (name, jump_url) of picked categories that live elsewhere), in tree order.

    A category is picked when its name is disclosure vocabulary (not a decoy such as 预算解读), or,
    below a picked category, when its name is a year or a body's name.
    """
    picked: list[tuple[str, str]] = []
    jumps: list[tuple[str, str]] = []

    def visit(nodes: list[Any], inside: bool) -> None:
        for node in nodes:
            if not isinstance(node, dict) or node.get("id") is None:
                continue
            name = re.sub(r"\s+", "", str(node.get("name") or ""))
            vocabulary = bool(_VOCABULARY.search(name)) and not names_decoy(name)
            body = bool(_BODY.match(name)) and not _NOT_BODY.search(name)
            pick = vocabulary or (inside and (bool(_YEAR.match(name)) or body))
            if pick and isinstance(node.get("jump_url"), str) and node["jump_url"].strip():
                jumps.append((name, node["jump_url"].strip()))
            elif pick:
                picked.append((str(node["id"]), name))
            visit(node.get("children") or [], pick)

    visit(tree, False)
    return picked, jumps


def total_of(data: dict[str, Any]) -> int | None:
    """The list's article count: ``total``, else ``classify.post_count``."""
    classify = data.get("classify")
    for value in (data.get("total"), classify.get("post_count") if isinstance(classify, dict) else None):
        try:
            return int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
    return None


def article_links(article: dict[str, Any], base: str, category: str) -> Iterator[Link]:
    """An article's page (read with its category's name) and its attachments (read with its title)."""
    title = re.sub(r"\s+", " ", str(article.get("title") or "")).strip()
    page = article.get("url") or article.get("post_url")
    if isinstance(page, str) and page.strip():
        yield Link(title, urljoin(base, page.strip()), category)
    attachments = article.get("attachment") or []
    if isinstance(attachments, str):
        try:
            attachments = json.loads(attachments)
        except ValueError:
            attachments = []
    for att in attachments if isinstance(attachments, list) else []:
        if isinstance(att, dict) and isinstance(att.get("url"), str) and att["url"].strip():
            yield Link(str(att.get("name") or ""), urljoin(base, att["url"].strip()), title)


FAMILY = Gkmlpt()
