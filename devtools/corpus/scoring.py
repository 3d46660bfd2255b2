"""Score parser output against a file's ground truth: line items, indicators, facts and metadata.

Matching is by multiset of keys, so a parser gets credit for a record once per occurrence in the truth
and a duplicate emission counts as a false positive. Keys hold what a researcher needs to be right and
ignore what a rendering may legitimately change: amounts compare as numbers (`1` equals `1.00`, the XLSX
cell of a printed `1.00`), names without whitespace (a PDF may break `项  目` differently), and locators
never count. Totals are micro-averaged (counts summed before dividing), so a big table weighs more than
a small one, as it does for the researcher who loses its rows.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

Record = dict[str, Any]
METADATA_FIELDS = ("department", "fiscal_year", "phase", "unit_code", "scope")


def _flat(text: Any) -> str | None:
    return None if text is None else re.sub(r"\s+", "", str(text))


def _number(text: Any) -> str | None:
    """A canonical decimal string: `1`, `1.0` and `1.00` compare equal; non-numbers compare as text."""
    if text is None:
        return None
    try:
        value = Decimal(str(text).replace(",", "").strip())
    except InvalidOperation:
        return _flat(text)
    if not value.is_finite():
        return _flat(text)
    return format(value.normalize(), "f") if value else "0"


def line_item_key(rec: Record) -> tuple:
    """(table_kind, side, code-or-name, measure, amount): what makes a line item right."""
    subject = rec.get("code") or _flat(rec.get("name"))
    return (rec.get("table_kind"), rec.get("side"), subject, rec.get("measure"), _number(rec.get("amount")))


def indicator_key(rec: Record) -> tuple:
    """(table_kind, project, indicator name, target as printed) of a performance-target row.

    The truth states the printed target (`raw`), not its reading into operator/value/unit: that
    reading is the parser's rule, tested on hand-written cases, and restating it here would only
    score the parser against a copy of itself.
    """
    return (rec.get("table_kind"), _flat(rec.get("project")), _flat(rec.get("level3")), _flat(rec.get("raw")))


_YUAN_PER = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}


def fact_key(rec: Record) -> tuple:
    """(fact, amount in yuan): the narrative figure, whatever unit the sentence used.

    A record without `amount_yuan` (a hand-written truth file, say) is converted from its `unit`, so
    `1200.18` 万元 never compares as the number 1200.18 against a parse's yuan.
    """
    yuan = rec.get("amount_yuan")
    if yuan is None and rec.get("unit") in _YUAN_PER:
        try:
            yuan = Decimal(str(rec.get("amount")).replace(",", "")) * _YUAN_PER[rec["unit"]]
        except InvalidOperation:
            yuan = None
    return (rec.get("fact"), _number(yuan if yuan is not None else rec.get("amount")))


@dataclass
class Tally:
    """True positives, false positives and false negatives of one comparison (or a sum of them)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def expected(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        """2·tp / (2·tp + fp + fn): 0 when nothing was found, n/a only when there was nothing at all."""
        total = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / total if total else None

    def as_dict(self) -> dict[str, Any]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": self.precision,
                "recall": self.recall, "f1": self.f1}


def compare(truth: Iterable[tuple], predicted: Iterable[tuple]) -> tuple[Tally, list[tuple], list[tuple]]:
    """Multiset comparison: the tally, the truth keys missed and the predicted keys not in the truth."""
    want, got = Counter(truth), Counter(predicted)
    missed, extra = want - got, got - want
    tp = sum((want & got).values())
    return Tally(tp, sum(extra.values()), sum(missed.values())), sorted(missed.elements(), key=str), sorted(
        extra.elements(), key=str)


@dataclass
class FileScore:
    """One file's comparison. `indicators`/`facts` are None when the truth has none to find."""

    name: str
    fmt: str
    status: str
    line_items: Tally
    indicators: Tally | None
    facts: Tally | None
    metadata: dict[str, bool]
    missed: list[tuple] = field(default_factory=list)
    extra: list[tuple] = field(default_factory=list)
    # indicator / fact keys missed and extra, per kind (`python -m govbudget.corpus.misses DIR`)
    record_missed: dict[str, list[tuple]] = field(default_factory=dict)
    record_extra: dict[str, list[tuple]] = field(default_factory=dict)
    # the parse's own `coverage` checks (amounts printed in its tables vs line items): None when the
    # file has no measured table; `coverage_gaps` are the parse's messages for tables below 100%
    coverage: float | None = None
    coverage_read: int = 0
    coverage_printed: int = 0
    coverage_gaps: list[str] = field(default_factory=list)


def _of(records: Iterable[Record], kind: str) -> list[Record]:
    return [r for r in records if r.get("type") == kind]


def score_file(name: str, truth: list[Record], predicted: list[Record], *,
               fmt: str | None = None) -> FileScore:
    """Compare a parse (`predicted`, SCHEMA.md records) with the file's truth records."""
    truth_doc = next(iter(_of(truth, "document")), {})
    pred_doc = next(iter(_of(predicted, "document")), {})
    items, missed, extra = compare(map(line_item_key, _of(truth, "line_item")),
                                   map(line_item_key, _of(predicted, "line_item")))
    tallies: dict[str, Tally] = {}
    record_missed: dict[str, list[tuple]] = {}
    record_extra: dict[str, list[tuple]] = {}
    for kind, key in (("indicator", indicator_key), ("fact", fact_key)):
        if _of(truth, kind):
            tallies[kind], record_missed[kind], record_extra[kind] = compare(
                map(key, _of(truth, kind)), map(key, _of(predicted, kind)))
    indicators, facts = tallies.get("indicator"), tallies.get("fact")
    metadata = {f: _flat(truth_doc.get(f)) == _flat(pred_doc.get(f))
                for f in METADATA_FIELDS if f in truth_doc}
    runs = [c for c in _of(predicted, "check") if c.get("check") == "coverage"]
    return FileScore(name=name, fmt=fmt or truth_doc.get("rendering") or truth_doc.get("format") or "unknown",
                     status=str(pred_doc.get("status", "missing")), line_items=items, indicators=indicators,
                     facts=facts, metadata=metadata, missed=missed, extra=extra,
                     record_missed=record_missed, record_extra=record_extra,
                     coverage=pred_doc.get("coverage"),
                     coverage_read=sum(int(c.get("actual") or 0) for c in runs),
                     coverage_printed=sum(int(c.get("expected") or 0) for c in runs),
                     coverage_gaps=[_gap(c) for c in runs if not c.get("ok")])


def _gap(check: Record) -> str:
    """A table below 100%: its kind, where it starts and what it read (`income_summary p.3: 10/12`)."""
    where = " ".join(f"{k} {v}" for k, v in (check.get("table_locator") or {}).items())
    return f"{check.get('subject')} {where}: read {check.get('actual')} of {check.get('expected')}"


@dataclass
class Summary:
    """Micro-averaged scores over a group of files (one format, or all)."""

    files: int = 0
    failed: int = 0
    line_items: Tally = field(default_factory=Tally)
    indicators: Tally | None = None
    facts: Tally | None = None
    metadata_right: Counter = field(default_factory=Counter)
    metadata_total: Counter = field(default_factory=Counter)
    coverages: list[float] = field(default_factory=list)  # per measured file
    coverage_read: int = 0
    coverage_printed: int = 0
    below_full_coverage: list[str] = field(default_factory=list)  # files with a table below 100%

    def add(self, score: FileScore) -> None:
        self.files += 1
        if score.coverage is not None:
            self.coverages.append(score.coverage)
            self.coverage_read += score.coverage_read
            self.coverage_printed += score.coverage_printed
            if score.coverage_gaps:
                self.below_full_coverage.append(score.name)
        self.failed += score.status == "failed"
        self.line_items += score.line_items
        if score.indicators is not None:
            self.indicators = (self.indicators or Tally()) + score.indicators
        if score.facts is not None:
            self.facts = (self.facts or Tally()) + score.facts
        for name, right in score.metadata.items():
            self.metadata_total[name] += 1
            self.metadata_right[name] += right

    @property
    def metadata_accuracy(self) -> float | None:
        total = sum(self.metadata_total.values())
        return sum(self.metadata_right.values()) / total if total else None

    @property
    def coverage_min(self) -> float | None:
        return min(self.coverages) if self.coverages else None

    @property
    def coverage_mean(self) -> float | None:
        return sum(self.coverages) / len(self.coverages) if self.coverages else None

    def coverage_dict(self) -> dict[str, Any]:
        """What the parses say they read of their tables: min and mean over files, totals, files < 100%."""
        return {"files": len(self.coverages), "min": self.coverage_min, "mean": self.coverage_mean,
                "read": self.coverage_read, "printed": self.coverage_printed,
                "below_full": list(self.below_full_coverage)}

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files, "failed": self.failed, "line_items": self.line_items.as_dict(),
            "coverage": self.coverage_dict(),
            "indicator_recall": self.indicators.recall if self.indicators else None,
            "indicators": self.indicators.as_dict() if self.indicators else None,
            "fact_recall": self.facts.recall if self.facts else None,
            "metadata_accuracy": self.metadata_accuracy,
            "metadata": {f: self.metadata_right[f] / n for f, n in sorted(self.metadata_total.items())},
        }


def summarise(scores: Iterable[FileScore]) -> tuple[Summary, dict[str, Summary]]:
    """The overall summary and one per format, formats in name order."""
    overall, by_format = Summary(), {}
    for score in scores:
        overall.add(score)
        by_format.setdefault(score.fmt, Summary()).add(score)
    return overall, dict(sorted(by_format.items()))


def _shown(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def coverage_line(summary: Summary) -> str:
    """One line for the report card: `coverage: min 0.9746, mean 0.9921 over 12 files; 6 below 100%`."""
    c = summary.coverage_dict()
    if not c["files"]:
        return "coverage: no table measured"
    line = (f"coverage (amounts printed in tables that became line items): min {_shown(c['min'])}, "
            f"mean {_shown(c['mean'])}, {c['read']} of {c['printed']} over {c['files']} files; "
            f"{len(c['below_full'])} below 100%")
    return line + (f": {', '.join(c['below_full'][:5])}" + (" …" if len(c["below_full"]) > 5 else "")
                   if c["below_full"] else "")


def below_thresholds(overall: Summary, by_format: dict[str, Summary], *, min_f1: float | None = None,
                     min_format_f1: float | None = None, min_indicator_recall: float | None = None,
                     min_fact_recall: float | None = None) -> list[str]:
    """The thresholds a run misses, as sentences (empty when all are met). A recall threshold is ignored
    while the corpus has no truth of that kind (n/a); a format without line items is not judged."""
    misses = []
    f1 = overall.line_items.f1
    if min_f1 is not None and (f1 is None or f1 < min_f1):
        misses.append(f"line-item F1 {_shown(f1)} < {min_f1}")
    if min_format_f1 is not None:
        for name, s in by_format.items():
            if s.line_items.f1 is not None and s.line_items.f1 < min_format_f1:
                misses.append(f"{name}: line-item F1 {_shown(s.line_items.f1)} < {min_format_f1}")
    if min_indicator_recall is not None and overall.indicators is not None:
        recall = overall.indicators.recall
        if recall is None or recall < min_indicator_recall:
            misses.append(f"indicator recall {_shown(recall)} < {min_indicator_recall}")
    if min_fact_recall is not None and overall.facts is not None:
        recall = overall.facts.recall
        if recall is None or recall < min_fact_recall:
            misses.append(f"fact recall {_shown(recall)} < {min_fact_recall}")
    return misses
