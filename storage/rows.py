"""Row types crossing the catalog's door: `CaptureRow` going in, `Row` coming out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from govbudget.storage.fetch import KINDS, VIAS, utc_now


@dataclass(frozen=True, kw_only=True)
class CaptureRow:
    """One row of `captures` (without its id): a fetch of `url` that returned the object `sha256`."""

    sha256: str
    url: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    fetched_at: datetime = field(default_factory=utc_now)
    via: str = "http"
    kind: str = "file"
    revisit: bool = False
    crawl_id: str | None = None
    final_url: str | None = None
    referrer: str | None = None
    link_text: str | None = None
    region_code: str | None = None
    fiscal_year: int | None = None
    doc_kind: str | None = None
    title: str | None = None
    department: str | None = None
    phase: str | None = None
    format: str | None = None

    def __post_init__(self) -> None:
        if self.via not in VIAS:
            raise ValueError(f"via must be one of {VIAS}, got {self.via!r}")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")


class Row(dict[str, Any]):
    """A result row: a plain dict that also reads as attributes (`row.url` and `row["url"]`).

    Rows are dicts so they serialise and compare trivially; attribute access lets callers treat a
    capture like the dataclass it was written from.
    """

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None
