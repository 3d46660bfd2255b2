"""The narrative (情况说明): SCHEMA.md `fact` records and document metadata.

    from govbudget.parsers.narrative import narrative_records, narrative_meta_of
    facts = narrative_records(rows, doc=sha256)
    meta = narrative_meta_of(rows)   # department / fiscal_year / phase / scope when printed
"""

from __future__ import annotations

from typing import Any

from govbudget.parsers.grid import Row
from govbudget.parsers.narrative.facts import fact_records
from govbudget.parsers.narrative.metadata import narrative_meta
from govbudget.parsers.narrative.text import normalize, sentences

__all__ = ["narrative_meta_of", "narrative_records", "normalize"]


def narrative_records(rows: list[Row], *, doc: str) -> list[dict[str, Any]]:
    """`fact` records for the figures the narrative states."""
    return fact_records(sentences(rows), doc=doc)


def narrative_meta_of(rows: list[Row]) -> dict[str, Any]:
    """Metadata printed in the narrative's heading."""
    return narrative_meta(sentences(rows))
