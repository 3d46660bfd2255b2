"""``govbudget diff``: what changed in the dataset between two parser versions' results.

Both sides are read through the catalog (`Catalog.results_by_parser`, `records_by_parser`): each
object's latest result of parser A and of parser B, a ``name@version`` label or a bare version (every
parser at it). Only objects both parsed are compared record by record; the others are counted.

- documents: status changes (``ok → partial``);
- tables: added and removed, by table kind (a document may hold several tables of one kind);
- line items: keyed by (document sha256, table kind, code or else name, measure), the n-th repeat of
  a key matched to the n-th; added, removed, and changed amounts (compared as decimals, with units).

Streams both sides object by object (both are ordered by digest), so memory holds one document.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

_RECORD_TYPES = ("table", "line_item")
ItemKey = tuple[str, str, str, str, int]  # sha256, table kind, code or name, measure, repeat


@dataclass
class ResultDiff:
    """The comparison of parser A's results with parser B's; `limit` examples of each kind."""

    parser_a: str
    parser_b: str
    limit: int
    documents_a: int = 0
    documents_b: int = 0
    compared: int = 0  # objects with a result of both
    status_changes: Counter[str] = field(default_factory=Counter)  # "ok → partial" → count
    status_examples: list[dict[str, Any]] = field(default_factory=list)
    tables_added: Counter[str] = field(default_factory=Counter)  # table kind → count
    tables_removed: Counter[str] = field(default_factory=Counter)
    items: Counter[str] = field(default_factory=Counter)  # added, removed, changed, unchanged
    item_examples: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {"added": [], "removed": [], "changed": []})

    @property
    def changed(self) -> bool:
        return bool(self.status_changes or self.tables_added or self.tables_removed
                    or self.items["added"] or self.items["removed"] or self.items["changed"]
                    or self.documents_a != self.compared or self.documents_b != self.compared)

    def as_dict(self) -> dict[str, Any]:
        return {
            "parser_a": self.parser_a,
            "parser_b": self.parser_b,
            "documents": {
                "a": self.documents_a,
                "b": self.documents_b,
                "compared": self.compared,
                "only_a": self.documents_a - self.compared,
                "only_b": self.documents_b - self.compared,
                "status_changes": dict(sorted(self.status_changes.items())),
                "examples": self.status_examples,
            },
            "tables": {
                "added": dict(sorted(self.tables_added.items())),
                "removed": dict(sorted(self.tables_removed.items())),
            },
            "line_items": {
                **{k: self.items[k] for k in ("added", "removed", "changed", "unchanged")},
                "examples": self.item_examples,
            },
        }


def diff_parsers(catalog: Any, parser_a: str, parser_b: str, *, limit: int = 10) -> ResultDiff:
    """Compare each object's latest result of `parser_a` with its latest of `parser_b`."""
    diff = ResultDiff(parser_a=parser_a, parser_b=parser_b, limit=limit)
    status_a = {r.sha256: r.status for r in catalog.results_by_parser(parser_a)}
    status_b = {r.sha256: r.status for r in catalog.results_by_parser(parser_b)}
    diff.documents_a, diff.documents_b = len(status_a), len(status_b)
    both = sorted(status_a.keys() & status_b.keys())
    diff.compared = len(both)
    for sha in both:
        if status_a[sha] != status_b[sha]:
            diff.status_changes[f"{status_a[sha]} → {status_b[sha]}"] += 1
            if len(diff.status_examples) < limit:
                diff.status_examples.append({"sha256": sha, "a": status_a[sha], "b": status_b[sha]})
    records_a = _by_object(catalog.records_by_parser(parser_a, _RECORD_TYPES))
    records_b = _by_object(catalog.records_by_parser(parser_b, _RECORD_TYPES))
    wanted = set(both)
    for sha, recs_a, recs_b in _merge(records_a, records_b):
        if sha in wanted:
            _compare(diff, sha, recs_a, recs_b)
    return diff


def _by_object(rows: Iterator[Any]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    for sha, group in itertools.groupby(rows, key=lambda r: r.sha256):
        yield sha, [r.data for r in group]


def _merge(
    a: Iterator[tuple[str, list[dict[str, Any]]]], b: Iterator[tuple[str, list[dict[str, Any]]]]
) -> Iterator[tuple[str, list[dict[str, Any]], list[dict[str, Any]]]]:
    """Join two streams ordered by digest: (sha256, A's records, B's records), [] on a missing side."""
    next_a, next_b = next(a, None), next(b, None)
    while next_a is not None or next_b is not None:
        if next_b is None or (next_a is not None and next_a[0] < next_b[0]):
            yield next_a[0], next_a[1], []  # type: ignore[index]
            next_a = next(a, None)
        elif next_a is None or next_b[0] < next_a[0]:
            yield next_b[0], [], next_b[1]
            next_b = next(b, None)
        else:
            yield next_a[0], next_a[1], next_b[1]
            next_a, next_b = next(a, None), next(b, None)


def _compare(diff: ResultDiff, sha: str, recs_a: list[dict[str, Any]], recs_b: list[dict[str, Any]]) -> None:
    kinds_a = Counter(r.get("table_kind") or "unknown" for r in recs_a if r["type"] == "table")
    kinds_b = Counter(r.get("table_kind") or "unknown" for r in recs_b if r["type"] == "table")
    diff.tables_added.update(kinds_b - kinds_a)
    diff.tables_removed.update(kinds_a - kinds_b)
    items_a, items_b = _items(sha, recs_a), _items(sha, recs_b)
    for key in sorted(items_a.keys() | items_b.keys(), key=str):
        a, b = items_a.get(key), items_b.get(key)
        if a is None:
            _example(diff, "added", key, None, b)
        elif b is None:
            _example(diff, "removed", key, a, None)
        elif _value(a) != _value(b):
            _example(diff, "changed", key, a, b)
        else:
            diff.items["unchanged"] += 1


def _items(sha: str, records: list[dict[str, Any]]) -> dict[ItemKey, dict[str, Any]]:
    out: dict[ItemKey, dict[str, Any]] = {}
    repeats: Counter[tuple[str, str, str]] = Counter()
    for r in records:
        if r["type"] != "line_item":
            continue
        base = (r.get("table_kind") or "", r.get("code") or r.get("name") or "", r.get("measure") or "")
        out[(sha, *base, repeats[base])] = r
        repeats[base] += 1
    return out


def _value(item: dict[str, Any]) -> tuple[Any, Any]:
    amount = item.get("amount")
    try:
        number: Any = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        number = amount
    return number, item.get("unit")


def _example(diff: ResultDiff, kind: str, key: ItemKey, a: dict[str, Any] | None,
             b: dict[str, Any] | None) -> None:
    diff.items[kind] += 1
    examples = diff.item_examples[kind]
    if len(examples) >= diff.limit:
        return
    item = b if b is not None else a
    assert item is not None
    sha, table_kind, _, measure, _ = key
    examples.append({
        "sha256": sha, "table_kind": table_kind, "code": item.get("code"), "name": item.get("name"),
        "measure": measure,
        "a": None if a is None else {"amount": a.get("amount"), "unit": a.get("unit")},
        "b": None if b is None else {"amount": b.get("amount"), "unit": b.get("unit")},
    })
