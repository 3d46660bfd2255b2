"""Parser registry: each parser scores a file and the best score wins.

A new parser (DOCX, HTML, OCR, ...) plugs in by calling `register()`; nothing else changes.
"""

from __future__ import annotations

from typing import Any, Protocol

from govbudget.parsers.outcome import ParseOutcome


class Parser(Protocol):
    """What a parser must offer: identity, the formats it reads, a score, and the parse itself."""

    name: str
    version: str
    formats: frozenset[str]

    def score(self, data: bytes, fmt: str) -> float:
        """How well this parser fits the file: 0 means "cannot read it"."""
        ...

    def parse(self, data: bytes, *, fmt: str, sha256: str, filename: str | None) -> ParseOutcome:
        """Turn the bytes into an outcome; may raise (the caller turns exceptions into `failed`)."""
        ...


_PARSERS: list[Any] = []


def register(parser: Parser) -> Parser:
    """Add a parser (idempotent by name@version) and return it."""
    key = f"{parser.name}@{parser.version}"
    if all(f"{p.name}@{p.version}" != key for p in _PARSERS):
        _PARSERS.append(parser)
    return parser


def registered() -> list[Parser]:
    """The registered parsers, in registration order."""
    return list(_PARSERS)


def pick(data: bytes, fmt: str) -> Parser | None:
    """The parser with the highest positive score for this file, or None."""
    best: Parser | None = None
    best_score = 0.0
    for parser in _PARSERS:
        if fmt not in parser.formats:
            continue
        try:
            s = float(parser.score(data, fmt))
        except Exception:
            continue
        if s > best_score:
            best, best_score = parser, s
    return best


def label(parser: Parser) -> str:
    """`name@version`, the form records and the catalog use."""
    return f"{parser.name}@{parser.version}"
