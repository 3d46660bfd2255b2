"""The generic disclosure spider: follows a portal's budget path and downloads disclosures.

It knows no site: links are followed by their words (``link_policy``), each portal family in
``crawler.families.FAMILIES`` that recognises a page adds what only it knows how to find (JS-only
pagination, post-backs, datastores, JSON chains, frames; the last, the generic explorer, renders a
script shell nothing else could read in the browser). Challenge pages never
reach it (``challenge_middleware``). Every page and file fetched becomes a ``Fetch`` for the archive
pipeline; the spider never parses a budget table.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from govbudget.crawler.classify import classify_link, classify_page, page_context
from govbudget.crawler.families import BY_NAME, FAMILIES, Context, Link
from govbudget.crawler.families.base import Answer, json_body
from govbudget.crawler.filenames import content_disposition_name
from govbudget.crawler.link_policy import decide
from govbudget.parsers import detect_format
from govbudget.storage.fetch import Fetch

_SPACE = re.compile(r"\s+")


def _text(sel: Any) -> str:
    return _SPACE.sub(" ", " ".join(sel.xpath(".//text()").getall())).strip()


def headers_dict(response: Response) -> dict[str, str]:
    """Response headers as plain strings (values of repeated headers joined with ``, ``)."""
    out: dict[str, str] = {}
    for key, values in response.headers.items():
        name = key.decode("latin-1")
        out[name] = ", ".join(v.decode("utf-8", "replace") for v in values)
    return out


class DisclosureSpider(scrapy.Spider):
    """Crawl from start URLs along budget paths; yield a ``Fetch`` for every page and file."""

    name = "disclosures"

    def __init__(
        self,
        start_urls: list[str] | None = None,
        region_code: str | None = None,
        fiscal_year: int | None = None,
        crawl_id: str | None = None,
        render_hosts: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.start_urls = list(start_urls or [])
        self.region_code = region_code
        self.fiscal_year = int(fiscal_year) if fiscal_year else None
        self.crawl_id = crawl_id
        self.render_hosts = set(render_hosts or [])
        self.allowed_domains = sorted({urlsplit(u).hostname or "" for u in self.start_urls} - {""})
        self.context = Context(
            on_page=self.parse_page, on_json=self.parse_json, fiscal_year=self.fiscal_year,
            render_hosts=frozenset(self.render_hosts), stats=self._count,
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.start_urls:
            yield self.context.page(url, link_text="", referrer=None)

    # -- requests -------------------------------------------------------------------------------
    def _file_request(self, url: str, *, link_text: str, referrer: str, context_title: str) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.save_file,
            meta={"link_text": link_text, "referrer": referrer, "context_title": context_title},
            headers={"Referer": referrer},
            priority=10,
        )

    # -- callbacks ------------------------------------------------------------------------------
    def parse_page(self, response: Response) -> Iterator[Fetch | scrapy.Request]:
        """Archive the page, follow what the link policy allows, then ask every family that matches."""
        if not isinstance(response, TextResponse) or not _looks_like_html(response):
            yield self._fetch(response, kind="file", context_title="")
            return
        title = _page_title(response)
        yield self._fetch(response, kind="page", context_title=title)
        ctx = self.context.for_response()
        for req in self._follow(_links(response), response.url, title):
            ctx.followed += 1
            yield req
        for family in FAMILIES:
            if family.matches(response):
                for req in self._family_requests(family.requests(response, ctx), response.url, title):
                    ctx.followed += isinstance(req, scrapy.Request)
                    yield req

    def _count(self, name: str, n: int = 1) -> None:
        """A family's counter in the crawl's stats (none before the spider is bound to a crawler)."""
        crawler = getattr(self, "crawler", None)
        if crawler is not None and crawler.stats is not None:
            crawler.stats.inc_value(name, n)

    def parse_json(self, response: Response) -> Iterator[Fetch | scrapy.Request]:
        """A JSON document a family asked for: archive it, hand it back to that family."""
        if json_body(response) is None:
            self.logger.warning("not JSON: %s", response.url)
            return
        yield self._fetch(response, kind="page", context_title="", fmt="json")
        family = BY_NAME.get(response.meta.get("family", ""))
        if family is None:
            return
        ctx = self.context.for_response()
        yield from self._family_requests(family.requests(response, ctx), response.url, "")

    def _family_requests(
        self, output: Iterable[scrapy.Request | Link | Answer], referrer: str, title: str
    ) -> Iterator[scrapy.Request | Fetch]:
        """A family's requests as they are; its links through the link policy, like a page's own;
        the answers it saw archived (`_answer`)."""
        for item in output:
            if isinstance(item, scrapy.Request):
                yield item
            elif isinstance(item, Answer):
                yield self._answer(item)
            else:
                yield from self._follow([(item.text, item.url)], referrer, item.context or title)

    def _follow(
        self, links: Iterable[tuple[str, str]], referrer: str, title: str
    ) -> Iterator[scrapy.Request]:
        for link_text, url in links:
            decision = decide(link_text, url, context_title=title)
            if decision.action == "file":
                if self._year_mismatch(link_text, url, title):
                    continue
                yield self._file_request(url, link_text=link_text, referrer=referrer, context_title=title)
            elif decision.action == "page":
                yield self.context.page(url, link_text=link_text, referrer=referrer)

    def save_file(self, response: Response) -> Iterator[Fetch]:
        cd_name = content_disposition_name(response.headers.get("Content-Disposition"))
        if _soft_404(response, cd_name):
            self.crawler.stats.inc_value("govbudget/soft_404")
            self.logger.info("HTML answered for a file link (soft 404): %s", response.url)
            return
        yield self._fetch(response, kind="file", context_title=response.meta.get("context_title", ""),
                          file_name=cd_name)

    def _answer(self, answer: Answer) -> Fetch:
        """An answer the browser fetched for a page (not asked for over HTTP): archived as a page,
        referred by that page, as a JSON document the spider fetched itself would be."""
        c = classify_page("")
        return Fetch(
            url=answer.url, final_url=answer.url, status=answer.status, headers=dict(answer.headers),
            body=answer.body, fetched_at=datetime.now(UTC), via="browser", kind="page",
            referrer=answer.referrer, region_code=self.region_code,
            fiscal_year=c.fiscal_year or self.fiscal_year,
            doc_kind=c.doc_kind, title=c.title, department=c.department, phase=c.phase, scope=c.scope,
            format=answer.format, crawl_id=self.crawl_id,
            content_type=next((v for k, v in answer.headers.items() if k.lower() == "content-type"), None))

    # -- helpers --------------------------------------------------------------------------------
    def _year_mismatch(self, link_text: str, url: str, title: str) -> bool:
        if self.fiscal_year is None:
            return False
        year = classify_link(link_text, url, title).fiscal_year
        return year is not None and year != self.fiscal_year

    def _fetch(self, response: Response, *, kind: str, context_title: str, fmt: str = "html",
               file_name: str | None = None) -> Fetch:
        link_text = response.meta.get("link_text", "") or ""
        if kind == "page":
            c = classify_page(context_title)
        else:
            text = f"{file_name} {link_text}" if file_name else link_text
            c = classify_link(text, response.url, context_title)
            if file_name and c.title == _SPACE.sub(" ", text).strip():
                c = replace(c, title=file_name.rsplit(".", 1)[0])
            fmt = detect_format(response.body, filename=file_name or urlsplit(response.url).path)
        headers = headers_dict(response)
        return Fetch(
            url=response.request.meta.get("redirect_urls", [response.url])[0],
            final_url=response.url,
            status=304 if response.meta.get("revisit_of") else response.status,
            headers=headers,
            body=response.body,
            fetched_at=datetime.now(UTC),
            via="browser" if response.meta.get("playwright") else "http",
            kind=kind,
            referrer=response.meta.get("referrer"),
            link_text=link_text or None,
            region_code=self.region_code,
            fiscal_year=c.fiscal_year or self.fiscal_year,
            doc_kind=c.doc_kind,
            title=c.title,
            department=c.department,
            phase=c.phase,
            scope=c.scope,
            format=fmt,
            crawl_id=self.crawl_id,
            content_type=headers.get("Content-Type"),
        )


_BINARY_EXTENSIONS = frozenset({"pdf", "doc", "docx", "xlsx", "zip", "rar", "7z", "wps", "ofd"})


def _soft_404(response: Response, file_name: str | None) -> bool:
    """HTML where a binary file was linked: the site's catch-all page, not the file.

    An ``.xls`` (or ``.et``/``.csv``) holding an HTML table is a real export and is kept.
    """
    head = response.body[:2048].lstrip().lower()
    if not head.startswith((b"<!doctype", b"<html", b"<head", b"<body", b"<meta", b"<table", b"<script")):
        return False
    name = (file_name or urlsplit(response.url).path).lower()
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    if ext in _BINARY_EXTENSIONS:
        return True
    return b"<table" not in response.body.lower()


def _looks_like_html(response: TextResponse) -> bool:
    ctype = response.headers.get("Content-Type", b"").decode("latin-1").lower()
    if "html" in ctype or "xml" in ctype:
        return True
    return response.body.lstrip()[:1] == b"<"


def _page_title(response: TextResponse) -> str:
    """The title links are read with: ``ArticleTitle`` or ``<title>``, or the page's one ``<h1>`` when
    the title names no disclosure (``classify.page_context``)."""
    title = ""
    for query in ('//meta[@name="ArticleTitle"]/@content', "//title/text()"):
        value = response.xpath(query).get()
        if value and value.strip():
            title = _SPACE.sub(" ", value).strip()
            break
    headings = response.xpath("//h1")
    heading = _text(headings[0]) if len(headings) == 1 else ""
    return page_context(title, heading)


def _links(response: TextResponse) -> Iterator[tuple[str, str]]:
    """(text, absolute URL) for every ``<a href>`` on the page."""
    for a in response.xpath("//a[@href]"):
        href = (a.attrib.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        text = _text(a) or a.attrib.get("title", "")
        yield text, urljoin(response.url, href)

