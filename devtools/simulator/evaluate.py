"""Discovery's report card: crawl the portal simulator twice and score what was archived.

The simulator knows what it serves, so a crawl of it can be judged by numbers — recall of
disclosures (every one must be found), precision (what was archived as a disclosure really is one),
and the second, incremental crawl's share of the first one's bytes (conditional requests must make
a re-crawl cheap). ``govbudget.corpus.scoring`` is the counterpart for parsers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from govbudget.crawler.classify import DISCLOSURE_KINDS
from govbudget.storage.fetch import is_archive_member

MIN_RECALL, MIN_PRECISION, MAX_BYTE_RATIO = 1.0, 0.98, 0.10


@dataclass(frozen=True)
class SimScore:
    """Discovery on the simulator, against the targets of issue #3."""

    expected: int
    archived: int
    found: int
    missed: list[str]
    extra: list[str]
    decoys_archived: list[str]
    recall: float
    precision: float
    first_bytes: int
    second_bytes: int
    byte_ratio: float

    @property
    def failures(self) -> list[str]:
        out = []
        if self.recall < MIN_RECALL:
            out.append(f"recall {self.recall:.4f} < {MIN_RECALL} ({len(self.missed)} missed)")
        if self.precision < MIN_PRECISION:
            out.append(f"precision {self.precision:.4f} < {MIN_PRECISION}")
        if self.byte_ratio >= MAX_BYTE_RATIO:
            out.append(f"second crawl fetched {self.byte_ratio:.2%} of the first's bytes (>= 10%)")
        if self.decoys_archived:
            out.append(f"{len(self.decoys_archived)} decoys archived as disclosures")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "failures": self.failures, "passed": not self.failures}


def archived_disclosures(documents: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Catalog ``documents`` archived as disclosures, by sha256. Archive members are derived from a
    fetched file and counted through it, not on their own."""
    return {d["sha256"]: d for d in documents if d.get("doc_kind") in DISCLOSURE_KINDS
            and not is_archive_member(d.get("url"), d.get("referrer"), d.get("link_text"))}


def score(expected: set[str], documents: list[dict[str, Any]], decoy_urls: set[str],
          first_bytes: int, second_bytes: int) -> SimScore:
    """Score archived catalog ``documents`` against the ``expected`` sha256 set of the simulator."""
    archived = archived_disclosures(documents)
    found = expected & archived.keys()
    return SimScore(
        expected=len(expected), archived=len(archived), found=len(found),
        missed=sorted(expected - archived.keys()), extra=sorted(archived.keys() - expected),
        decoys_archived=sorted(d["url"] for d in archived.values() if d.get("url") in decoy_urls),
        recall=len(found) / len(expected) if expected else 0.0,
        precision=len(found) / len(archived) if archived else 0.0,
        first_bytes=first_bytes, second_bytes=second_bytes,
        byte_ratio=second_bytes / first_bytes if first_bytes else 1.0,
    )


def evaluate_simulator(
    data_dir: Path, *, on_event: Callable[[dict[str, Any]], None] | None = None
) -> SimScore:
    """Start the simulator, crawl it fresh then incrementally into ``data_dir``, score the result."""
    from govbudget.simulator.server import PortalSimulator
    from govbudget.tasks.crawl import crawl_config, run_crawl
    from govbudget.tasks.runtime import configure
    from govbudget.tasks.settings import Settings

    svc = configure(Settings.from_env(data_dir=data_dir, allow_loopback=True))
    with PortalSimulator() as sim:
        first = run_crawl(svc, crawl_config(svc.settings, sim.start_urls, fresh=True), on_event=on_event)
        second = run_crawl(svc, crawl_config(svc.settings, sim.start_urls), on_event=on_event)
        return score(set(sim.expected_disclosures()), list(svc.catalog.documents()), set(sim.decoy_urls()),
                     first.bytes_downloaded, second.bytes_downloaded)
