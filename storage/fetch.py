"""`Fetch`: what the crawler hands to the archive — the bytes of one response and where they came from.

Defined here, in the room that consumes it, so that storage never imports the crawler; the crawler builds
a `Fetch` from its own response and discovery context. Where bytes came from (`Provenance`) is written
once: a `Fetch` is provenance plus bytes, and the catalog's `CaptureRow` (rows.py) is provenance plus the
digest of the object it captured.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

Via = Literal["http", "browser"]
Kind = Literal["file", "page"]
VIAS: tuple[str, ...] = ("http", "browser")
KINDS: tuple[str, ...] = ("file", "page")


def utc_now() -> datetime:
    """The current time as a tz-aware UTC datetime (naive datetimes are refused across the catalog)."""
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class Provenance:
    """Where a response came from and what the crawler took it for: the fields of one capture.

    `kind` says whether the bytes are a disclosure `file` (to be parsed) or a listing `page` (kept for
    provenance). `via` says whether plain HTTP or the browser produced them. The descriptive fields
    (`title`, `department`, `fiscal_year`, ...) are the crawler's guesses from link text and context;
    the parser's `document` record may refine them later. `scope` says whose disclosure it is:
    `department` (a body's own) or `government` (the region's own budget, accounts and reports, which
    never carry a `department`). All keyword-only, so field order never matters.
    """

    url: str
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
    scope: str | None = None

    def __post_init__(self) -> None:
        if self.via not in VIAS:
            raise ValueError(f"via must be one of {VIAS}, got {self.via!r}")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if self.fetched_at.tzinfo is None:
            raise ValueError("fetched_at must be timezone-aware (UTC), got a naive datetime")


@dataclass(frozen=True, kw_only=True)
class Fetch(Provenance):
    """One fetched response: its bytes, the type the server declared, and its `Provenance`."""

    body: bytes
    content_type: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
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


# What a member takes from its archive's capture.
_INHERITED = ("region_code", "fiscal_year", "doc_kind", "phase", "scope", "crawl_id")


def member_fetch(
    archive: Mapping[str, Any] | None, archive_sha256: str, name: str, body: bytes, *, format: str | None
) -> Fetch:
    """The `Fetch` of one member of an archived ZIP/RAR, from the archive's latest capture (or None).

    The member is captured at ``<archive url>#<name>``, referred by the archive, and inherits what the
    crawler told of the archive (kind, year, phase, region, crawl). Its department is left to the
    parser's `document` record: one bundle often holds the tables of several bodies, each named inside.
    """
    if archive is None:
        base, inherited = f"archive:{archive_sha256}", {}
    else:
        base, inherited = archive.get("final_url") or archive["url"], {k: archive.get(k) for k in _INHERITED}
    return Fetch(url=member_url(base, name), body=body, referrer=base, link_text=name,
                 title=" ".join(name.split()) or None, format=format, **inherited)
