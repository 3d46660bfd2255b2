"""Conditional re-fetch: send the validators of the last capture; turn a 304 into a revisit.

The capture log already holds each URL's ETag and Last-Modified. A 304 costs a few hundred bytes;
the spider still needs the page's links, so the previous bytes are read back from the object store
and handed on marked ``revisit_of``, and the archive records a 304 capture of the same object. Bytes
that no longer hash to their digest (damaged in the store) are never handed on: the request goes
out again without validators, and the archive replaces the damaged copy with the download.
``GOVBUDGET_FRESH`` (``run_crawl(fresh=True)``) turns this off to force full downloads.

The validators are read once per site (scheme and host), on that site's first request, and kept
in memory: one query per site instead of one per request, which on a fresh archive was a database
round trip on the reactor thread for every page. A capture written during this crawl is not in that
snapshot, so a URL fetched twice in one crawl is simply downloaded again: never a wrong 304.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.responsetypes import responsetypes

from govbudget.storage.catalog import Catalog
from govbudget.storage.object_store import open_store


class ConditionalRequestMiddleware:
    """Downloader middleware adding If-None-Match / If-Modified-Since from the capture log."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.enabled = not settings.getbool("GOVBUDGET_FRESH")
        self.stats = crawler.stats
        self._catalog: Catalog | None = None
        self._store: Any = None
        self._settings = settings
        self._sites: dict[str, dict[str, dict[str, Any]]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        return cls(crawler)

    def _open(self) -> tuple[Catalog, Any]:
        if self._catalog is None:
            options = json.loads(self._settings.get("GOVBUDGET_STORE_OPTIONS") or "{}")
            self._store = open_store(self._settings.get("GOVBUDGET_STORAGE_URL"), **options)
            self._catalog = Catalog(self._settings.get("GOVBUDGET_DATABASE_URL"))
        return self._catalog, self._store

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if not self.enabled or request.method != "GET" or request.meta.get("playwright"):
            return
        if "If-None-Match" in request.headers or "If-Modified-Since" in request.headers:
            return
        if request.meta.get("unconditional"):  # the stored copy was damaged: download it whole
            return
        last = self._last_capture(request.url)
        if last is None:
            return
        headers = {k.lower(): v for k, v in last["headers"].items()}
        if headers.get("etag"):
            request.headers["If-None-Match"] = headers["etag"]
        if headers.get("last-modified"):
            request.headers["If-Modified-Since"] = headers["last-modified"]
        request.meta["previous_capture"] = {"sha256": last["sha256"], "headers": last["headers"]}

    def _last_capture(self, url: str) -> dict[str, Any] | None:
        """The URL's latest capture, if it can be revalidated, from its site's cached snapshot."""
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"  # no slash: "http://host" itself is a capture too
        known = self._sites.get(site)
        if known is None:
            catalog, _ = self._open()
            known = self._sites[site] = {
                row["url"]: {"sha256": row["sha256"], "headers": row["headers"] or {}}
                for row in catalog.latest_captures_under(site)
                if row["status"] in (200, 304) and _has_validators(row["headers"] or {})
            }
        return known.get(url)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response | Request:
        previous = request.meta.get("previous_capture")
        if response.status != 304 or not previous:
            return response
        _, store = self._open()
        body = _read(store, previous["sha256"])
        if body is None:  # the stored copy is damaged or gone: never hand it on as what the server has
            if self.stats is not None:
                self.stats.inc_value("govbudget/revisit_damaged")
            meta = {k: v for k, v in request.meta.items() if k != "previous_capture"}
            again = request.replace(meta={**meta, "unconditional": True}, dont_filter=True)
            for name in ("If-None-Match", "If-Modified-Since"):
                again.headers.pop(name, None)
            return again
        if self.stats is not None:
            self.stats.inc_value("govbudget/not_modified")
        headers = {
            **previous["headers"],
            **{k.decode("latin-1"): v[0].decode("latin-1") for k, v in response.headers.items()},
        }
        cls = responsetypes.from_args(headers=headers, url=response.url, body=body)
        request.meta["revisit_of"] = previous["sha256"]
        return cls(
            url=response.url, status=200, headers=headers, body=body, request=request, flags=["revisit"]
        )


def _has_validators(headers: dict[str, str]) -> bool:
    names = {k.lower() for k, v in headers.items() if v}
    return "etag" in names or "last-modified" in names


def _read(store: Any, sha256: str) -> bytes | None:
    """The stored bytes of `sha256`, or None when the store's copy is not those bytes (any more)."""
    from govbudget.storage.keys import content_key, sha256_hex
    from govbudget.storage.object_store import NotRegularObject, ObjectNotFound

    try:
        body = bytes(store.get(content_key(sha256)))
    except (ObjectNotFound, NotRegularObject):
        return None
    return body if sha256_hex(body) == sha256 else None
