"""Discovery's report card: crawl the portal simulator twice and score what was archived.

The simulator knows what it serves, so a crawl of it can be judged by numbers — recall of
disclosures (every one must be found), precision (what was archived as a disclosure really is one),
and the second, incremental crawl's share of the first one's bytes (conditional requests must make
a re-crawl cheap). ``govbudget.corpus.scoring`` is the counterpart for parsers.

Two suites, each crawled and scored on its own, in a simulator of its own: ``known`` (the families
the crawler has adapters for) and ``unseen`` (``govbudget.simulator.unseen``: JavaScript platforms no
adapter knows, the measure of generic discovery). Only the known suite decides whether the evaluation
passes (`GATING`); the unseen suite's targets are reported beside it until the generic explorer
reaches them (issue #14).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from govbudget.crawler.classify import DISCLOSURE_KINDS
from govbudget.storage.fetch import is_archive_member

MIN_RECALL, MIN_PRECISION, MAX_BYTE_RATIO = 1.0, 0.98, 0.10
SUITES = ("known", "unseen")
GATING = frozenset({"known"})


@dataclass(frozen=True)
class Targets:
    min_recall: float
    min_precision: float
    max_byte_ratio: float


# known: issue #3; unseen: issue #14 (the generic explorer must find 95% of what it has never seen)
TARGETS = {"known": Targets(MIN_RECALL, MIN_PRECISION, MAX_BYTE_RATIO),
           "unseen": Targets(0.95, MIN_PRECISION, MAX_BYTE_RATIO)}


@dataclass(frozen=True)
class SimScore:
    """Discovery on one suite of the simulator, against that suite's `TARGETS`."""

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
    suite: str = "known"

    @property
    def targets(self) -> Targets:
        return TARGETS[self.suite]

    @property
    def gating(self) -> bool:
        """Whether this suite's failures fail the evaluation (the unseen suite's are only reported)."""
        return self.suite in GATING

    @property
    def failures(self) -> list[str]:
        t, out = self.targets, []
        if self.recall < t.min_recall:
            out.append(f"recall {self.recall:.4f} < {t.min_recall} ({len(self.missed)} missed)")
        if self.precision < t.min_precision:
            out.append(f"precision {self.precision:.4f} < {t.min_precision}")
        if self.byte_ratio >= t.max_byte_ratio:
            out.append(f"second crawl fetched {self.byte_ratio:.2%} of the first's bytes "
                       f"(>= {t.max_byte_ratio:.0%})")
        if self.decoys_archived:
            out.append(f"{len(self.decoys_archived)} decoys archived as disclosures")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "targets": asdict(self.targets), "gating": self.gating,
                "failures": self.failures, "passed": not self.failures}


@dataclass(frozen=True)
class SimReport:
    """The scores of the suites that ran, by suite name (in `SUITES` order).

    `min_unseen_recall`, when set, makes the unseen suite's recall gate too (a floor of the caller's
    choosing: the explorer's work in progress can hold its ground without the suite's whole target).
    """

    scores: dict[str, SimScore]
    min_unseen_recall: float | None = None

    @property
    def failures(self) -> list[str]:
        """What fails the evaluation: the gating suites' failures, and the unseen floor when set."""
        out = [f"{s.suite}: {f}" if s.suite != "known" else f
               for s in self.scores.values() if s.gating for f in s.failures]
        unseen, floor = self.scores.get("unseen"), self.min_unseen_recall
        if floor is not None and unseen is not None and unseen.recall < floor:
            out.append(f"unseen: recall {unseen.recall:.4f} < {floor} ({len(unseen.missed)} missed)")
        return out

    def as_dict(self) -> dict[str, Any]:
        """The known suite's fields at the top (as before there were suites), every other suite under
        its name; ``failures`` and ``passed`` at the top are the evaluation's (gating suites only)."""
        out: dict[str, Any] = dict(self.scores["known"].as_dict()) if "known" in self.scores else {}
        for name, result in self.scores.items():
            if name != "known":
                out[name] = result.as_dict()
        return {**out, "suites": list(self.scores), "failures": self.failures, "passed": not self.failures}


def archived_disclosures(documents: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Catalog ``documents`` archived as disclosures, by sha256. Archive members are derived from a
    fetched file and counted through it, not on their own."""
    return {d["sha256"]: d for d in documents if d.get("doc_kind") in DISCLOSURE_KINDS
            and not is_archive_member(d.get("url"), d.get("referrer"), d.get("link_text"))}


def score(expected: set[str], documents: list[dict[str, Any]], decoy_urls: set[str],
          first_bytes: int, second_bytes: int, *, suite: str = "known") -> SimScore:
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
        suite=suite,
    )


def evaluate_simulator(
    data_dir: Path, *, on_event: Callable[[dict[str, Any]], None] | None = None
) -> SimScore:
    """Start the known suite's simulator, crawl it fresh then incrementally into ``data_dir``, score it."""
    return evaluate_suite("known", data_dir, on_event=on_event)


def evaluate_suite(
    suite: str, data_dir: Path, *, on_event: Callable[[dict[str, Any]], None] | None = None
) -> SimScore:
    """Start `suite`'s simulator, crawl it fresh then incrementally into ``data_dir``, score the result.

    The unseen suite counts only what came from its own simulator, so a catalog shared with an
    earlier run (a ``GOVBUDGET_DATABASE_URL``) cannot lend it documents.
    """
    from govbudget.simulator.server import PortalSimulator
    from govbudget.tasks.crawl import crawl_config, run_crawl
    from govbudget.tasks.runtime import configure
    from govbudget.tasks.settings import Settings

    if suite not in SUITES:
        raise ValueError(f"unknown suite {suite!r}; known: {', '.join(SUITES)}")
    svc = configure(Settings.from_env(data_dir=data_dir, allow_loopback=True))
    with PortalSimulator(suite=suite) as sim:
        first = run_crawl(svc, crawl_config(svc.settings, sim.start_urls, fresh=True), on_event=on_event)
        second = run_crawl(svc, crawl_config(svc.settings, sim.start_urls), on_event=on_event)
        documents = list(svc.catalog.documents())
        if suite != "known":
            documents = [d for d in documents if str(d.get("url") or "").startswith(sim.base_url + "/")]
        return score(set(sim.expected_disclosures()), documents, set(sim.decoy_urls()),
                     first.bytes_downloaded, second.bytes_downloaded, suite=suite)


def evaluate_suites(
    data_dir: Path, suites: Iterable[str] = SUITES, *, min_unseen_recall: float | None = None,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> SimReport:
    """Crawl and score each of `suites`, each into an archive of its own: the known suite into
    ``data_dir`` (as `evaluate_simulator`), any other into ``data_dir/<suite>``."""
    wanted = list(dict.fromkeys(suites))
    unknown = [s for s in wanted if s not in SUITES]
    if unknown or not wanted:
        raise ValueError(f"unknown suite(s) {unknown}; known: {', '.join(SUITES)}")
    if min_unseen_recall is not None and "unseen" not in wanted:
        raise ValueError("a floor for the unseen suite's recall needs the unseen suite")
    scores = {s: evaluate_suite(s, data_dir if s == "known" else data_dir / s, on_event=on_event)
              for s in SUITES if s in wanted}
    return SimReport(scores, min_unseen_recall=min_unseen_recall)
