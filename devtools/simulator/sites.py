"""Data model of simulated portals: sites, columns, articles and attachments as plain data.

Site definitions are data so that a new CMS family only adds a renderer module; the server never
knows how a family lays out its pages. Renderers turn a `Site` into `Resource`s (static publishing,
which is exactly how TRS WCM and most county CMSs work: every page is a file on disk).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from govbudget.simulator.dynamic import Handler

CST = timezone(timedelta(hours=8))

CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "zip": "application/zip",
}


class Disclosure(Protocol):
    """What the simulator needs of `govbudget.corpus.documents.RenderedDocument`.

    A protocol rather than an import keeps the simulator usable with hand-made documents in tests.
    """

    slug: str
    fmt: str
    filename: str
    title: str
    department: str
    fiscal_year: int
    data: bytes

    @property
    def sha256(self) -> str: ...


@dataclass(frozen=True)
class SiteInfo:
    """Public description of one simulated site, as a crawler's region registry would hold it."""

    name: str
    start_url: str
    needs_browser: bool
    region_code: str
    family: str


@dataclass(frozen=True)
class Attachment:
    """A file linked from an article; `document` is None for decoy files (not a disclosure)."""

    link_text: str
    stored_name: str
    data: bytes
    fmt: str
    document: Disclosure | None = None

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES.get(self.fmt, "application/octet-stream")


@dataclass(frozen=True)
class Article:
    """One published item. `link_direct` lists its attachments in the column instead of the page."""

    article_id: int
    title: str
    pub_date: date
    paragraphs: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    source: str = ""
    link_direct: bool = False

    @property
    def published_at(self) -> datetime:
        """Publication time; minutes vary by id so pages do not all share one timestamp."""
        return datetime(self.pub_date.year, self.pub_date.month, self.pub_date.day,
                         9 + self.article_id % 8, self.article_id % 60, tzinfo=CST)

    @property
    def is_disclosure(self) -> bool:
        return any(a.document is not None for a in self.attachments)


@dataclass(frozen=True)
class ExternalLink:
    """A list item pointing off-site (real lists link to other hosts); a crawler must not follow it."""

    title: str
    url: str
    pub_date: date


ListItem = Article | ExternalLink


@dataclass(frozen=True)
class Column:
    """A list column under `slug` (path below the site root, e.g. 'xxgk/fdzdgknr/czyjs')."""

    slug: str
    name: str
    items: tuple[ListItem, ...]
    page_size: int = 20

    @property
    def sorted_items(self) -> list[ListItem]:
        """Newest first, as CMS lists are ordered; ties keep definition order."""
        return sorted(self.items, key=lambda i: i.pub_date, reverse=True)

    @property
    def page_count(self) -> int:
        return max(1, -(-len(self.items) // self.page_size))


@dataclass(frozen=True)
class NavPage:
    """A navigation page (home, 信息公开, …) whose links are (text, path below the site root)."""

    slug: str
    name: str
    links: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Site:
    """One portal under `/<prefix>/` with its navigation pages and list columns."""

    prefix: str
    name: str
    domain: str
    site_id_code: str
    region_code: str
    family: str
    needs_browser: bool
    nav_pages: tuple[NavPage, ...] = ()
    columns: tuple[Column, ...] = ()
    epoch: datetime = field(default_factory=lambda: datetime(2020, 1, 6, 8, 0, tzinfo=CST))

    @property
    def root(self) -> str:
        return f"/{self.prefix}/"

    def articles(self) -> list[Article]:
        return [i for c in self.columns for i in c.items if isinstance(i, Article)]


@dataclass(frozen=True)
class Resource:
    """One served URL path. Bodies are bytes already encoded (GBK pages stay GBK)."""

    body: bytes
    content_type: str
    last_modified: datetime
    document: Disclosure | None = None
    decoy: bool = False
    headers: tuple[tuple[str, str], ...] = ()

    @cached_property
    def etag(self) -> str:
        """Content-derived, so replaced bytes always get a new ETag (cached: computed once per body)."""
        return '"' + hashlib.sha256(self.body).hexdigest()[:20] + '"'


@dataclass
class RenderedSite:
    """What a renderer hands the server: its resources plus the decoy URLs it knows to be traps."""

    site: Site
    resources: dict[str, Resource] = field(default_factory=dict)
    external_decoys: list[str] = field(default_factory=list)
    # Answers requests under the site root before static files (challenges, POST lists, servlets).
    handler: Handler | None = None
    # Paths this site's operator forbids to robots; the server publishes them in /robots.txt.
    robots_disallow: list[str] = field(default_factory=list)
