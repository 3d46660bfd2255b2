"""`parse_bytes`: the one entry point the rest of govbudget calls.

It never raises on bad input: whatever goes wrong (an empty file, random bytes, a truncated or
encrypted PDF, a parser bug) becomes a `failed` outcome whose errors say why, so the task layer can
store the result and move on. `hints` are what the crawl knew of the file before it was fetched (its
link text and the crawl's reading of it); they are never mixed into what the file says, only kept
beside it and compared (`with_link`, `checks.agreement`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from govbudget.parsers.budget_tables import BudgetTablesParser
from govbudget.parsers.checks.agreement import agreement
from govbudget.parsers.containers import ContainerParser
from govbudget.parsers.detect import detect_format
from govbudget.parsers.outcome import ParseOutcome, failed_outcome
from govbudget.parsers.registry import label, pick, register
from govbudget.parsers.version import PARSER_VERSION

MAX_BYTES = 256 * 1024 * 1024
NO_PARSER = f"none@{PARSER_VERSION}"

register(BudgetTablesParser())


def parse_bytes(data: bytes, *, filename: str | None = None, sha256: str | None = None,
                hints: Mapping[str, Any] | None = None) -> ParseOutcome:
    """Detect the format, pick the best parser, run it; exceptions become a `failed` outcome.

    `hints`: the crawl's `link_text`, `fiscal_year`, `phase`, `department` for this file, if known.
    """
    return with_link(_parse(data, filename=filename, sha256=sha256), hints)


def with_link(outcome: ParseOutcome, hints: Mapping[str, Any] | None) -> ParseOutcome:
    """Keep the crawl's reading of the file beside the file's own (`link_meta`) and add the
    `metadata_agrees` check; an archive's outcome describes the archive alone and is left as it is."""
    if not hints or outcome.members or not outcome.records:
        return outcome
    document = outcome.records[0]
    outcome.document = document
    outcome.records.extend(agreement(document, hints))
    return outcome


def _parse(data: bytes, *, filename: str | None, sha256: str | None) -> ParseOutcome:
    if not isinstance(data, bytes | bytearray | memoryview):
        data = b""
    data = bytes(data)
    sha256 = sha256 or hashlib.sha256(data).hexdigest()
    if not data:
        return failed_outcome(sha256=sha256, fmt="unknown", parser=NO_PARSER, errors=["empty file"])
    if len(data) > MAX_BYTES:
        return failed_outcome(sha256=sha256, fmt="unknown", parser=NO_PARSER,
                              errors=[f"file of {len(data)} bytes exceeds the {MAX_BYTES}-byte limit"])
    fmt = detect_format(data, filename)
    parser = pick(data, fmt)
    if parser is None:
        return failed_outcome(sha256=sha256, fmt=fmt, parser=NO_PARSER,
                              errors=[f"no parser for format {fmt!r}"])
    try:
        return parser.parse(data, fmt=fmt, sha256=sha256, filename=filename)
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}" if not isinstance(exc, ValueError) else str(exc)
        errors = [reason or type(exc).__name__]
        return failed_outcome(sha256=sha256, fmt=fmt, parser=label(parser), errors=errors)


register(ContainerParser(parse_bytes))
