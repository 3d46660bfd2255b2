"""The generic disclosure spider: follows a portal's budget path and downloads disclosures.

It knows no site: links are followed by their words (``link_policy``), JS-only pagination is read
from ``createPageHTML`` calls, and a page that shows scripts but no links worth following is fetched
once more through the browser (the render policy). Every page and file fetched becomes a ``Fetch``
for the archive pipeline; the spider never parses a budget table.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from govbudget.crawler import challenges, family_aspnet, family_hanweb, family_json, render_policy
from govbudget.crawler.classify import classify_link, classify_page
from govbudget.crawler.filenames import content_disposition_name
from govbudget.crawler.link_policy import MIN_FISCAL_YEAR, decide
from govbudget.crawler.pagination import create_page_html_urls
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
    # Challenge pages come back as 412/521 (and 202 from some gates): the spider must see them.
    handle_httpstatus_list: ClassVar[list[int]] = [202, 412, 521]

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
        self._postbacks: set[tuple[str, str, str]] = set()
        self._solving: dict[str, list[scrapy.Request]] = {}
        self._solved: set[str] = set()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.start_urls:
            yield self._page_request(url, link_text="", referrer=None)

    # -- requests -------------------------------------------------------------------------------
    def _page_request(
        self, url: str, *, link_text: str, referrer: str | None, browser: bool = False
    ) -> scrapy.Request:
        meta: dict[str, Any] = {"link_text": link_text, "referrer": referrer}
        if browser or urlsplit(url).hostname in self.render_hosts:
            meta.update(render_policy.browser_meta())
        headers = {"Referer": referrer} if referrer else None
        return scrapy.Request(
            url,
            callback=self.parse_page,
            errback=render_policy.close_page_on_error,
            meta=meta,
            headers=headers,
            dont_filter=browser,
        )

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
        """Archive the page, then follow what the link policy allows."""
        if response.status in self.handle_httpstatus_list:
            yield from self._challenge(response)
            return
        if not isinstance(response, TextResponse) or not _looks_like_html(response):
            yield self._fetch(response, kind="file", context_title="")
            return
        title = _page_title(response)
        yield self._fetch(response, kind="page", context_title=title)
        followed = 0
        links = list(_links(response))
        if family_hanweb.matches(response):
            links += list(family_hanweb.record_links(response))
            for req in family_hanweb.page_requests(response, self.parse_page):
                followed += 1
                yield req
        if family_aspnet.matches(response):
            for req in family_aspnet.page_requests(response, self.parse_page, self._postbacks):
                followed += 1
                yield req
        for url in family_json.json_urls(response.text, response.url):
            followed += 1
            yield scrapy.Request(url, callback=self.parse_json,
                                 meta={"referrer": response.url, "link_text": ""},
                                 headers={"Referer": response.url})
        platform = family_json.platform_config(response.text, response.url)
        if platform is not None:
            followed += 1
            yield scrapy.Request(f"{platform['api']}departments?code={platform['code']}",
                                 callback=self.parse_departments, cb_kwargs={"cfg": platform},
                                 meta={"referrer": response.url, "link_text": ""})
        for req in self._follow(links, response.url, title):
            followed += 1
            yield req
        for url in _frames(response):
            followed += 1
            yield self._page_request(url, link_text=link_text_of(response), referrer=response.url)
        for url in create_page_html_urls(response.text, response.url):
            followed += 1
            yield self._page_request(url, link_text="", referrer=response.url)
        if followed == 0 and render_policy.needs_browser(response):
            self.crawler.stats.inc_value("govbudget/render_retries")
            yield self._page_request(
                response.url, link_text=response.meta.get("link_text", ""),
                referrer=response.meta.get("referrer"), browser=True,
            )

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
                yield self._page_request(url, link_text=link_text, referrer=referrer)

    # -- JSON directories and unified platforms --------------------------------------------------
    def _json(self, response: Response) -> Any:
        try:
            return json.loads(response.text)  # type: ignore[attr-defined]
        except (ValueError, AttributeError):
            self.logger.warning("not JSON: %s", response.url)
            return None

    def parse_json(self, response: Response) -> Iterator[Fetch | scrapy.Request]:
        """A JSON list: archive it, follow its objects' URLs by their titles."""
        data = self._json(response)
        if data is None:
            return
        yield self._fetch(response, kind="page", context_title="", fmt="json")
        yield from self._follow(family_json.json_links(data, response.url), response.url, "")

    def parse_departments(self, response: Response, cfg: dict[str, str]) -> Iterator[Fetch | scrapy.Request]:
        depts = self._json(response)
        if not isinstance(depts, list):
            return
        yield self._fetch(response, kind="page", context_title="", fmt="json")
        ids = [str(d.get("id")) for d in depts if isinstance(d, dict) and d.get("id") is not None]
        yield scrapy.Request(f"{cfg['api']}years", callback=self.parse_years,
                             cb_kwargs={"cfg": cfg, "depts": ids},
                             meta={"referrer": response.url, "link_text": ""})

    def parse_years(self, response: Response, cfg: dict[str, str], depts: list[str]) -> Iterator[Any]:
        years = self._json(response)
        if not isinstance(years, list):
            return
        yield self._fetch(response, kind="page", context_title="", fmt="json")
        wanted = [int(y) for y in years if str(y).isdigit() and int(y) >= MIN_FISCAL_YEAR
                  and (self.fiscal_year is None or int(y) == self.fiscal_year)]
        for dept in depts:
            for year in wanted:
                yield scrapy.Request(f"{cfg['api']}files?dept={dept}&year={year}",
                                     callback=self.parse_platform_files,
                                     cb_kwargs={"cfg": cfg}, meta={"referrer": response.url, "link_text": ""})

    def parse_platform_files(self, response: Response, cfg: dict[str, str]) -> Iterator[Any]:
        files = self._json(response)
        if not isinstance(files, list):
            return
        yield self._fetch(response, kind="page", context_title="", fmt="json")
        links = [(str(f.get("fileName") or ""), f"{cfg['download']}?iid={f.get('iid')}")
                 for f in files if isinstance(f, dict) and f.get("iid")]
        yield from self._follow(links, response.url, "")

    # -- challenges ----------------------------------------------------------------------------
    def _challenge(self, response: Response) -> Iterator[scrapy.Request]:
        kind = challenges.kind(response.status, response.body)
        attempts = response.meta.get("challenge_attempts", 0)
        if kind is None or attempts >= 3:
            self.logger.warning("gave up on %s (status %s, challenge %s)",
                                response.url, response.status, kind)
            return
        self.crawler.stats.inc_value("govbudget/challenges")
        retry = _replay(response.request)
        retry.meta["challenge_attempts"] = attempts + 1
        if kind == "jsl":
            cookie = challenges.jsl_cookie(response.body)
            if cookie is not None:
                yield retry.replace(cookies={cookie[0]: cookie[1]})
                return
        host = urlsplit(response.url).hostname or ""
        if host in self._solved:
            yield retry
            return
        parked = self._solving.setdefault(host, [])
        parked.append(retry)
        if len(parked) == 1:
            yield scrapy.Request(
                response.url, callback=self.after_browser_challenge, errback=self.browser_challenge_failed,
                dont_filter=True, meta={**render_policy.challenge_meta(), "challenge_host": host})

    async def after_browser_challenge(self, response: Response) -> AsyncIterator[scrapy.Request]:
        """Let the page's script set its cookies, copy them, close the page, replay over plain HTTP."""
        page = response.meta["playwright_page"]
        host = response.meta["challenge_host"]
        try:
            cookies = await render_policy.cookies_after_challenge(page)
        except Exception as exc:  # a hung or crashed renderer: give up on this host, loudly
            dropped = self._solving.pop(host, [])
            self.logger.error("browser challenge for %s gave no cookies (%r); %d requests dropped",
                              host, exc, len(dropped))
            return
        finally:
            await render_policy.close_page(page)
        self._solved.add(host)
        jar = {c["name"]: c["value"] for c in cookies if host.endswith(c.get("domain", "").lstrip("."))}
        self.crawler.stats.set_value("govbudget/browser_cookies", len(jar))
        for request in self._solving.pop(host, []):
            yield request.replace(cookies=jar)

    async def browser_challenge_failed(self, failure: Any) -> None:
        await render_policy.close_page_on_error(failure)
        host = failure.request.meta.get("challenge_host", "")
        dropped = self._solving.pop(host, [])
        self.logger.error("browser challenge failed for %s (%d requests dropped)", host, len(dropped))

    def save_file(self, response: Response) -> Iterator[Fetch | scrapy.Request]:
        if response.status in self.handle_httpstatus_list:
            yield from self._challenge(response)
            return
        cd_name = content_disposition_name(response.headers.get("Content-Disposition"))
        if _soft_404(response, cd_name):
            self.crawler.stats.inc_value("govbudget/soft_404")
            self.logger.info("HTML answered for a file link (soft 404): %s", response.url)
            return
        yield self._fetch(response, kind="file", context_title=response.meta.get("context_title", ""),
                          file_name=cd_name)

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
                c = type(c)(c.doc_kind, c.fiscal_year, c.phase, c.department, file_name.rsplit(".", 1)[0])
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


# What Scrapy measured or decided while downloading a request: a replay must start without them.
_DOWNLOAD_STATE = ("download_latency", "cache_timestamp", "_dont_cache", "_auth_proxy", "_scheme_proxy")


def _replay(request: scrapy.Request) -> scrapy.Request:
    """The same request again (after a challenge), keeping its redirect history for provenance."""
    meta = {k: v for k, v in request.meta.items() if k not in _DOWNLOAD_STATE}
    return request.replace(dont_filter=True, meta=meta)


def link_text_of(response: Response) -> str:
    return response.meta.get("link_text", "") or ""


def _looks_like_html(response: TextResponse) -> bool:
    ctype = response.headers.get("Content-Type", b"").decode("latin-1").lower()
    if "html" in ctype or "xml" in ctype:
        return True
    return response.body.lstrip()[:1] == b"<"


def _page_title(response: TextResponse) -> str:
    for query in ('//meta[@name="ArticleTitle"]/@content', "//title/text()", "//h1//text()"):
        value = response.xpath(query).get()
        if value and value.strip():
            return _SPACE.sub(" ", value).strip()
    return ""


def _links(response: TextResponse) -> Iterator[tuple[str, str]]:
    """(text, absolute URL) for every ``<a href>`` on the page."""
    for a in response.xpath("//a[@href]"):
        href = (a.attrib.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        text = _text(a) or a.attrib.get("title", "")
        yield text, urljoin(response.url, href)


def _frames(response: TextResponse) -> Iterator[str]:
    """Absolute URLs of the page's iframes: a list inside a frame is part of the page."""
    for frame in response.xpath("//iframe[@src]"):
        src = frame.attrib["src"].strip()
        if src and not src.startswith(("javascript:", "about:")):
            yield urljoin(response.url, src)
