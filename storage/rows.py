"""Row types crossing the catalog's door: `CaptureRow` going in, `Row` coming out."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from govbudget.storage.fetch import Provenance


@dataclass(frozen=True, kw_only=True)
class CaptureRow(Provenance):
    """One row of `captures` (without its id): a fetch of `url` that returned the object `sha256`."""

    sha256: str
    revisit: bool = False

    @classmethod
    def of(cls, capture: Provenance, sha256: str) -> CaptureRow:
        """The row recording `capture` (a `Fetch`, say) as a capture of the object `sha256`."""
        given = {f.name: getattr(capture, f.name) for f in fields(Provenance)}
        return cls(sha256=sha256, **{**given, "headers": dict(capture.headers)})


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
