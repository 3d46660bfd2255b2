"""The result of parsing one file: a status, reasons, and the SCHEMA.md records in emission order.

A failed parse is still a result (ARCHITECTURE: nothing fetched is lost), so even a file that could
not be read at all yields a `document` record carrying `status: "failed"` and its `errors`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from govbudget.parsers.records import OMIT, STATUSES, Document

__all__ = ["STATUSES", "Member", "ParseOutcome", "document_record", "failed_outcome"]


@dataclass
class ParseOutcome:
    """What `parse_bytes` returns; `records[0]` is always `document`.

    `members` is filled for archives only: each member is its own document with its own outcome,
    linked to the archive by the task layer (the archive's own records describe the archive alone).
    """

    status: str
    parser: str
    errors: list[str] = field(default_factory=list)
    document: dict[str, Any] = field(default_factory=dict)
    records: list[dict[str, Any]] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)


@dataclass
class Member:
    """One file inside an archive: its name, bytes, digest and what parsing it gave."""

    name: str
    data: bytes
    sha256: str
    outcome: ParseOutcome


def document_record(
    *,
    sha256: str,
    fmt: str,
    parser: str,
    status: str,
    errors: list[str],
    meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the `document` record with SCHEMA.md's fields in SCHEMA.md's order (`type` first)."""
    meta = meta or {}
    return Document(
        sha256=sha256,
        format=fmt,
        title=meta.get("title"),
        department=meta.get("department"),
        unit_code=meta.get("unit_code"),
        scope=meta.get("scope"),
        fiscal_year=meta.get("fiscal_year"),
        phase=meta.get("phase"),
        region_code=meta.get("region_code"),
        pages=meta.get("pages"),
        parser=parser,
        status=status,
        errors=list(errors),
        coverage=meta.get("coverage"),
        coverage_unmeasured=meta.get("coverage_unmeasured", 0),
        meta_source=meta.get("meta_source", OMIT),
    ).as_dict()


def failed_outcome(*, sha256: str, fmt: str, parser: str, errors: list[str]) -> ParseOutcome:
    """An outcome for a file nothing could be read from: a lone failed `document` record."""
    doc = document_record(sha256=sha256, fmt=fmt, parser=parser, status="failed", errors=errors)
    return ParseOutcome(status="failed", parser=parser, errors=list(errors), document=doc, records=[doc])


def raise_if_out_of_memory(exc: BaseException) -> None:
    """Re-raise a `MemoryError` that a library wrapped (pdfplumber's `PdfminerException(e)`, say).

    A reader that keeps going after one bad page must not keep going after the process ran out of
    memory: the sandbox can only report its memory limit as the reason when the `MemoryError` reaches
    it, and a page lost to memory is not a page that is broken.
    """
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, MemoryError):
            raise MemoryError(str(current) or "out of memory") from exc
        stack.extend(e for e in (current.__cause__, current.__context__, *current.args)
                     if isinstance(e, BaseException))
