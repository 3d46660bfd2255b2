"""What discovery produces: verified entry points (`Found`) and everything it tried (`Attempt`)."""

from __future__ import annotations

from dataclasses import dataclass

from govbudget.regions import Division


@dataclass(frozen=True)
class Found:
    """A division's budget-disclosure column or platform page, with the page it was found on."""

    division: Division
    url: str
    method: str  # directory | shared_platform | home_navigation | host_candidate
    source_url: str
    confidence: float
    evidence: str
    label: str = ""


@dataclass(frozen=True)
class Attempt:
    """One thing tried for a division, and how it ended (kept so a gap shows its reasons)."""

    region_code: str
    method: str
    url: str
    source_url: str
    outcome: str  # found | names_other | names_nobody | dead | refused | not_a_column | ambiguous
    detail: str
