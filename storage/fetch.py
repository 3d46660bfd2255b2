"""`Fetch`: what the crawler hands to the archive — the bytes of one response and where they came from.

Defined here, in the room that consumes it, so that storage never imports the crawler; the crawler builds
a `Fetch` from its own response and discovery context.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

Via = Literal["http", "browser"]
Kind = Literal["file", "page"]
VIAS: tuple[str, ...] = ("http", "browser")
KINDS: tuple[str, ...] = ("file", "page")


def utc_now() -> datetime:
    """The current time as a tz-aware UTC datetime (naive datetimes are refused across the catalog)."""
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class Fetch:
    """One fetched response plus its discovery context (all keyword-only, so field order never matters).

    `kind` says whether the bytes are a disclosure `file` (to be parsed) or a listing `page` (kept for
    provenance). `via` says whether plain HTTP or the browser produced them. The descriptive fields
    (`title`, `department`, `fiscal_year`, ...) are the crawler's guesses from link text and context;
    the parser's `document` record may refine them later.
    """

    url: str
    body: bytes
    final_url: str | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    fetched_at: datetime = field(default_factory=utc_now)
    via: Via = "http"
    kind: Kind = "file"
    referrer: str | None = None
    link_text: str | None = None
    region_code: str | None = None
    fiscal_year: int | None = None
    doc_kind: str | None = None
    title: str | None = None
    department: str | None = None
    phase: str | None = None
    format: str | None = None
    crawl_id: str | None = None
    content_type: str | None = None

    def __post_init__(self) -> None:
        if self.via not in VIAS:
            raise ValueError(f"via must be one of {VIAS}, got {self.via!r}")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if self.fetched_at.tzinfo is None:
            raise ValueError("fetched_at must be timezone-aware (UTC)")
        if not isinstance(self.body, bytes | bytearray | memoryview):
            raise TypeError(f"body must be bytes, got {type(self.body).__name__}")

    def header(self, name: str) -> str | None:
        """Case-insensitive header lookup (servers disagree on capitalisation)."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)

    @property
    def effective_content_type(self) -> str:
        """The declared type: explicit `content_type`, else the Content-Type header, else octet-stream."""
        return self.content_type or self.header("content-type") or "application/octet-stream"


def member_url(archive_url: str, member_name: str) -> str:
    """Where a ZIP/RAR member is captured: ``<archive url>#<member name>``, referred by the archive."""
    return f"{archive_url}#{member_name}"


def is_archive_member(url: str | None, referrer: str | None, link_text: str | None) -> bool:
    """True for the capture of an archive member (derived from a fetched file, never fetched itself).

    Counts of what a crawl found (recall, precision, "files archived") are about fetched files; a
    member is already counted through its archive, so such counts leave members out.
    """
    return bool(url and referrer and link_text is not None and url == member_url(referrer, link_text))
