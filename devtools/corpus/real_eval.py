"""Score the parsers on real disclosures against their hand-checked truth (`govbudget eval-real`).

Per file: line items of the 收支总表 and 一般公共预算支出表 (precision, recall, F1), how much of every
table the parser says it read (the `coverage` check records), metadata (fiscal year, phase,
department) and the share of a peer project's extracted values found among the parsed summary rows.

A line item matches on (table kind, side, code or normalised name, measure, amount in yuan). Names are
compared without whitespace, width variants and leading ordinals (`八、`, `1.`), so the same row printed
another way still matches, but a cut or merged name (`社会保障和就`, `当年收入小计上年结转资金`), a lost
code, another column or a wrong amount or unit is a miss. The template and narrative files have no
truth rows: any line item parsed from them counts against precision.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .real_truth import (
    KINDS,
    METADATA_FILE,
    PEER_FILE,
    SUMMARY,
    TRUTH_SUFFIX,
    YUAN_PER,
    TruthFileError,
    TruthMeta,
    TruthRow,
    normalise_name,
    read_metadata,
    read_peer,
    read_truth,
)
from .scoring import Record, Tally

MANIFEST = "MANIFEST.tsv"
Key = tuple[str, str, str, str, Decimal]


def _record_yuan(rec: Record) -> Decimal | None:
    """A parsed amount in yuan: its `amount_yuan`, else its amount in its unit; None if unreadable."""
    try:
        if rec.get("amount_yuan") not in (None, ""):
            return Decimal(str(rec["amount_yuan"]).replace(",", ""))
        value = Decimal(str(rec.get("amount")).replace(",", ""))
    except InvalidOperation:
        return None
    return value * YUAN_PER.get(rec.get("unit") or "元", Decimal(1))


def _subject(code: Any, name: Any) -> str:
    return str(code).strip() if code not in (None, "") else normalise_name(name)


def truth_key(row: TruthRow) -> Key:
    return (row.table_kind, row.side, _subject(row.code, row.name), row.measure, row.yuan.normalize())


def record_key(rec: Record) -> Key | None:
    yuan = _record_yuan(rec)
    if yuan is None:
        return None
    return (rec.get("table_kind"), rec.get("side"), _subject(rec.get("code"), rec.get("name")),
            rec.get("measure"), yuan.normalize())


def match_line_items(truth: list[TruthRow],
                     records: list[Record]) -> tuple[Tally, list[Key | None], list[Key | None]]:
    """Multiset match of truth rows with parsed line items: the tally, truth keys missed, keys extra.

    First on code-or-name; then a truth row printed without a code (a named summary row) may still
    match a parsed row that also carries a code, by name: SCHEMA.md lets a parser map a named class to
    its function code. A truth row with a code never matches by name alone.
    """
    items = [r for r in records if r.get("type") == "line_item" and r.get("table_kind") in KINDS]
    keyed = [(record_key(r), r) for r in items]
    want, got = Counter(truth_key(t) for t in truth), Counter(k for k, _ in keyed)
    both = want & got
    missed, extra = want - both, got - both
    by_name: dict[tuple, list[Key | None]] = defaultdict(list)  # extra coded rows, keyed by their name
    spare = Counter(extra)
    for key, rec in keyed:
        if key is not None and spare[key] > 0 and rec.get("code"):
            spare[key] -= 1
            by_name[(*key[:2], normalise_name(rec.get("name")), *key[3:])].append(key)
    for key in list(missed.elements()):
        if by_name.get(key):
            extra[by_name[key].pop()] -= 1
            missed[key] -= 1
    missed, extra = +missed, +extra
    tp = sum(want.values()) - sum(missed.values())
    return (Tally(tp, sum(extra.values()), sum(missed.values())), sorted(missed.elements(), key=str),
            sorted(extra.elements(), key=str))


@dataclass
class Coverage:
    """Amounts the parser says each table printed (`expected`) and turned into records (`actual`)."""

    tables: int = 0
    expected: int = 0
    actual: int = 0

    @property
    def ratio(self) -> float | None:
        """None when no coverage check was reported at all."""
        if not self.tables:
            return None
        return self.actual / self.expected if self.expected else 1.0

    def __add__(self, other: Coverage) -> Coverage:
        return Coverage(self.tables + other.tables, self.expected + other.expected,
                        self.actual + other.actual)


def coverage_of(records: Iterable[Record]) -> Coverage:
    checks = [r for r in records if r.get("type") == "check" and r.get("check") == "coverage"]
    return Coverage(len(checks), sum(int(c.get("expected") or 0) for c in checks),
                    sum(int(c.get("actual") or 0) for c in checks))


def metadata_right(meta: TruthMeta | None, doc: Record) -> dict[str, bool]:
    """Field → right? for the fields the truth states (a template's placeholder department is not)."""
    if meta is None:
        return {}
    out: dict[str, bool] = {}
    if meta.fiscal_year is not None:
        out["fiscal_year"] = str(doc.get("fiscal_year")) == str(meta.fiscal_year)
    if meta.phase:
        out["phase"] = doc.get("phase") == meta.phase
    if meta.departments:
        got = normalise_name(doc.get("department"))
        out["department"] = bool(got) and got in {normalise_name(d) for d in meta.departments}
    return out


def peer_found(peer: list[tuple[str, Decimal]], records: Iterable[Record]) -> tuple[int, list[str]]:
    """How many of the peer's (name, amount) values a parsed 收支总表 row holds, and those it lacks."""
    have = Counter((normalise_name(r.get("name")), _record_yuan(r)) for r in records
                   if r.get("type") == "line_item" and r.get("table_kind") == SUMMARY)
    found, lacking = 0, []
    for name, yuan in peer:
        key = (normalise_name(name), yuan)
        if have[key] > 0:
            have[key] -= 1
            found += 1
        else:
            lacking.append(f"{name} {yuan / YUAN_PER['万元']}万元")
    return found, lacking


@dataclass
class RealScore:
    """One real file's scores."""

    name: str
    status: str
    line_items: Tally
    coverage: Coverage
    metadata: dict[str, bool]
    peer_total: int = 0
    peer_found: int = 0
    missed: list[Key | None] = field(default_factory=list)
    extra: list[Key | None] = field(default_factory=list)
    peer_lacking: list[str] = field(default_factory=list)
    error: str | None = None
    metadata_got: dict[str, Any] = field(default_factory=dict)  # what the parse said, for the report

    @property
    def peer_recall(self) -> float | None:
        return self.peer_found / self.peer_total if self.peer_total else None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "line_items": self.line_items.as_dict(),
                "coverage": self.coverage.ratio, "coverage_tables": self.coverage.tables,
                "coverage_expected": self.coverage.expected, "coverage_actual": self.coverage.actual,
                "metadata": self.metadata, "metadata_got": self.metadata_got,
                "peer_recall": self.peer_recall, "peer_total": self.peer_total,
                "peer_found": self.peer_found, "peer_lacking": self.peer_lacking,
                "missed": [_shown_key(k) for k in self.missed], "extra": [_shown_key(k) for k in self.extra],
                "error": self.error}


def _shown_key(key: Key | None) -> list[str]:
    """A key as strings (amount in yuan); None is a parsed amount that is not a number."""
    return ["(unreadable amount)"] if key is None else [*key[:4], format(key[4], "f")]


def shown_key(key: Key | None) -> str:
    """One line for a report: `table_kind side code-or-name measure amount元`."""
    return " ".join(_shown_key(key)) + ("元" if key is not None else "")


def score_real_file(name: str, truth: list[TruthRow], meta: TruthMeta | None,
                    peer: list[tuple[str, Decimal]], records: list[Record]) -> RealScore:
    """Compare one parse (SCHEMA.md records) with the file's truth."""
    doc = next((r for r in records if r.get("type") == "document"), {})
    tally, missed, extra = match_line_items(truth, records)
    found, lacking = peer_found(peer, records)
    return RealScore(name=name, status=str(doc.get("status", "missing")), line_items=tally,
                     coverage=coverage_of(records), metadata=metadata_right(meta, doc),
                     peer_total=len(peer), peer_found=found, missed=missed, extra=extra, peer_lacking=lacking,
                     metadata_got={f: doc.get(f) for f in ("fiscal_year", "phase", "department")})


@dataclass
class RealSummary:
    """Micro-averaged totals over the real set."""

    files: int = 0
    failed: int = 0
    line_items: Tally = field(default_factory=Tally)
    coverage: Coverage = field(default_factory=Coverage)
    metadata_right: Counter = field(default_factory=Counter)
    metadata_total: Counter = field(default_factory=Counter)
    peer_total: int = 0
    peer_found: int = 0

    def add(self, score: RealScore) -> None:
        self.files += 1
        self.failed += score.status == "failed"
        self.line_items += score.line_items
        self.coverage += score.coverage
        for key, right in score.metadata.items():
            self.metadata_total[key] += 1
            self.metadata_right[key] += right
        self.peer_total += score.peer_total
        self.peer_found += score.peer_found

    @property
    def metadata_accuracy(self) -> float | None:
        total = sum(self.metadata_total.values())
        return sum(self.metadata_right.values()) / total if total else None

    @property
    def peer_recall(self) -> float | None:
        return self.peer_found / self.peer_total if self.peer_total else None

    def as_dict(self) -> dict[str, Any]:
        return {"files": self.files, "failed": self.failed, "line_items": self.line_items.as_dict(),
                "coverage": self.coverage.ratio, "coverage_tables": self.coverage.tables,
                "metadata_accuracy": self.metadata_accuracy,
                "metadata": {k: self.metadata_right[k] / n for k, n in sorted(self.metadata_total.items())},
                "peer_recall": self.peer_recall, "peer_total": self.peer_total, "peer_found": self.peer_found}


def summarise_real(scores: Iterable[RealScore]) -> RealSummary:
    overall = RealSummary()
    for score in scores:
        overall.add(score)
    return overall


def _shown(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def below_real_thresholds(overall: RealSummary, *, min_f1: float | None = None,
                          min_coverage: float | None = None, min_metadata: float | None = None,
                          min_peer_recall: float | None = None) -> list[str]:
    """The thresholds missed, as sentences. Coverage that no parse reported fails its threshold."""
    misses = []
    checks = (("line-item F1", overall.line_items.f1, min_f1),
              ("coverage", overall.coverage.ratio, min_coverage),
              ("metadata accuracy", overall.metadata_accuracy, min_metadata),
              ("peer-value recall", overall.peer_recall, min_peer_recall))
    for label, value, floor in checks:
        if floor is None:
            continue
        if value is None:
            misses.append(f"{label} not reported (< {floor})")
        elif value < floor:
            misses.append(f"{label} {_shown(value)} < {floor}")
    return misses


# --- running over the folders ---------------------------------------------------------------------

@dataclass
class RealEvaluation:
    scores: list[RealScore]
    unscored: list[str]


def original_names(docs_dir: Path) -> dict[str, str]:
    """file → the name the portal published it under (MANIFEST.tsv's `path`), so a parser reading
    metadata from a file name sees what it would see in a crawl, not our `js_2017_…` renaming."""
    manifest = docs_dir / MANIFEST
    if not manifest.is_file():
        return {}
    with manifest.open(encoding="utf-8", newline="") as fh:
        return {row["file"]: Path(row["path"]).name for row in csv.DictReader(fh, delimiter="\t")
                if row.get("file") and row.get("path")}


@dataclass(frozen=True)
class _Job:
    path: Path
    filename: str
    truth: list[TruthRow]
    meta: TruthMeta | None
    peer: list[tuple[str, Decimal]]


def _run(job: _Job) -> RealScore:
    from govbudget.parsers import parse_bytes

    try:
        records = parse_bytes(job.path.read_bytes(), filename=job.filename).records
    except Exception as exc:  # a parser crash scores zero and is reported, not a traceback
        score = score_real_file(job.path.name, job.truth, job.meta, job.peer, [])
        score.status, score.error = "crashed", f"{type(exc).__name__}: {exc}"
        return score
    return score_real_file(job.path.name, job.truth, job.meta, job.peer, records)


def evaluate_real(docs_dir: Path, truth_dir: Path, *, jobs: int = 1,
                  on_file: Callable[[RealScore], None] | None = None) -> RealEvaluation:
    """Parse every document of `docs_dir` that has a truth file in `truth_dir` and score it.

    Raises TruthFileError on a truth, metadata or peer file that cannot be read (before any parsing).
    """
    metadata = read_metadata(truth_dir / METADATA_FILE) if (truth_dir / METADATA_FILE).is_file() else {}
    peers = read_peer(truth_dir / PEER_FILE) if (truth_dir / PEER_FILE).is_file() else {}
    names = original_names(docs_dir)
    work, unscored = [], []
    for path in sorted(p for p in docs_dir.iterdir() if p.is_file() and p.name != MANIFEST):
        truth_path = truth_dir / (path.name + TRUTH_SUFFIX)
        if not truth_path.is_file():
            unscored.append(path.name)
            continue
        work.append(_Job(path, names.get(path.name, path.name), read_truth(truth_path),
                         metadata.get(path.name), peers.get(path.name, [])))
    scores: list[RealScore] = []
    if jobs > 1 and len(work) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results: Iterable[RealScore] = pool.map(_run, work)
            for score in results:
                scores.append(score)
                if on_file:
                    on_file(score)
    else:
        for job in work:
            score = _run(job)
            scores.append(score)
            if on_file:
                on_file(score)
    return RealEvaluation(scores, unscored)


__all__ = ["RealEvaluation", "RealScore", "RealSummary", "TruthFileError", "below_real_thresholds",
           "evaluate_real", "match_line_items", "score_real_file", "shown_key", "summarise_real"]
