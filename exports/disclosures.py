"""One copy per disclosure: the files that are the same disclosure, which one counts, which are revised.

A department publishes one disclosure as several files (a PDF and an XLSX of the same tables) and
sometimes publishes it again, corrected. Exports keep every file and every record, and mark them:

- **grouping**: two files are one disclosure when they share the *disclosure key* (region, department
  without spaces or ordinals, fiscal year, phase, the crawler's kind), or when their line items are the
  same tables and amounts (the *content fingerprint*: table kind, code, measure and amount in yuan of
  every line item, order ignored). The groups are the connected files; `disclosure_id` is the first 16
  hex digits of the SHA-256 of the group's smallest disclosure key (of its smallest fingerprint when no
  member has a full key, of its one file's sha256 for a file with neither), so it is stable across runs.
- **revision**: within a disclosure, a file of the same format that prints the same tables (the same
  set of table kinds), captured later with different bytes, supersedes the earlier ones
  (`superseded_by` names the latest); both are kept. Files that print different tables (a narrative
  PDF beside a tables PDF, one file per table) are parts, not revisions.
- **canonical**, per table: for each table kind the disclosure prints, the member not superseded with
  the most complete parse of it counts: status `ok` over `partial` over the rest, then more line items
  of that kind, then format (XLSX, then text PDF, then the rest), then the later capture, then the
  smaller sha256. A file's `canonical_kinds` lists the kinds it counts for, and it is `canonical` when
  it counts for any (a disclosure with no line items at all: its best file). A record row counts when
  its file counts for its table kind, so summing `amount_yuan` over canonical rows counts every table
  of every disclosure once, even when a disclosure is split over several files.

This is the one rule: the export's columns and the panel's choice between files both come from here.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

_STATUS_RANK = {"ok": 0, "partial": 1}
_FORMAT_RANK = {"xlsx": 0, "pdf": 1}
_MOD = 2**256


def norm_name(text: str | None) -> str:
    """Department or row name without spaces or ordinals, for comparing files and years."""
    text = re.sub(r"\s+", "", text or "")
    return re.sub(r"^[一二三四五六七八九十]+、", "", text)


def disclosure_key(doc: dict[str, Any]) -> str | None:
    """The grouping key of a file (JSON text), or None when department or fiscal year is unknown."""
    dept = norm_name(doc.get("department"))
    if not dept or doc.get("fiscal_year") is None:
        return None
    parts = [doc.get("region_code") or "", dept, int(doc["fiscal_year"]), doc.get("phase") or "",
             doc.get("doc_kind") or ""]
    return json.dumps(parts, ensure_ascii=False)


@dataclass
class Content:
    """What a file's line items add up to: their count and an order-free fingerprint."""

    items: int = 0
    _sum: int = 0
    kinds: dict[str, int] = field(default_factory=dict)  # line items per table kind

    def add(self, item: dict[str, Any]) -> None:
        parts = [item.get("table_kind"), item.get("code"), item.get("measure"), str(item.get("amount_yuan"))]
        digest = hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).digest()
        self.items += 1
        kind = str(item.get("table_kind") or "")
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        self._sum = (self._sum + int.from_bytes(digest, "big")) % _MOD

    @property
    def fingerprint(self) -> str | None:
        return f"{self._sum:064x}" if self.items else None


def content_of(items: Iterable[dict[str, Any]]) -> dict[str, Content]:
    """Line-item count and fingerprint per document sha256, in one pass over `line_item` records."""
    out: dict[str, Content] = {}
    for item in items:
        out.setdefault(item.get("doc") or "", Content()).add(item)
    return out


def rank(doc: dict[str, Any], items: int) -> tuple[Any, ...]:
    """Sort key of the canonical rule: the smallest is the most complete parse."""
    captured = str(doc.get("captured_at") or doc.get("fetched_at") or "")
    return (
        _STATUS_RANK.get(doc.get("status") or doc.get("parse_status") or "", 2),
        -items,
        _FORMAT_RANK.get(doc.get("format") or "", 2),
        _neg(captured),
        doc["sha256"],
    )


def _neg(text: str) -> tuple[int, ...]:
    """A string that sorts the later time first."""
    return tuple(-ord(c) for c in text)


def _captured(doc: dict[str, Any]) -> str:
    return str(doc.get("captured_at") or doc.get("fetched_at") or "")


def mark(docs: list[dict[str, Any]], content: dict[str, Content]) -> list[dict[str, Any]]:
    """Set `disclosure_id`, `canonical` and `superseded_by` on every document dict (in place)."""
    parent = list(range(len(docs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    keys: list[tuple[str | None, str | None]] = []
    for i, doc in enumerate(docs):
        key = disclosure_key(doc)
        c = content.get(doc["sha256"])
        fp = c.fingerprint if c else None
        keys.append((key, fp))
        for token in (f"k{key}" if key else None, f"f{fp}" if fp else None):
            if token is None:
                continue
            if token in first:
                parent[find(i)] = find(first[token])
            else:
                first[token] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(docs)):
        groups.setdefault(find(i), []).append(i)
    for members in groups.values():
        full = sorted(k for k, _ in (keys[i] for i in members) if k)
        prints = sorted(f for _, f in (keys[i] for i in members) if f)
        basis = (f"key:{full[0]}" if full else f"content:{prints[0]}" if prints
                 else f"file:{docs[members[0]]['sha256']}")
        disclosure_id = hashlib.sha256(basis.encode()).hexdigest()[:16]
        latest: dict[tuple[str, tuple[str, ...]], int] = {}
        for i in members:
            edition = _edition(docs[i], content)
            if edition not in latest or (_captured(docs[i]), docs[i]["sha256"]) > (
                    _captured(docs[latest[edition]]), docs[latest[edition]]["sha256"]):
                latest[edition] = i
        for i in members:
            doc = docs[i]
            newest = latest[_edition(doc, content)]
            doc["disclosure_id"] = disclosure_id
            doc["superseded_by"] = docs[newest]["sha256"] if newest != i else None
            doc["canonical"], doc["canonical_kinds"] = False, []
        current = [i for i in members if docs[i]["superseded_by"] is None]
        kinds = sorted({k for i in current for k in _kinds(content, docs[i])})
        for kind in kinds:
            having = [i for i in current if kind in _kinds(content, docs[i])]
            best = min(having, key=lambda i: rank(docs[i], _kinds(content, docs[i])[kind]))
            docs[best]["canonical_kinds"].append(kind)
            docs[best]["canonical"] = True
        if not kinds:
            docs[min(current, key=lambda i: rank(docs[i], 0))]["canonical"] = True
    return docs


def counts(doc: dict[str, Any], table_kind: str | None) -> bool:
    """Whether a record of `table_kind` from this marked file is the one to count."""
    kinds = doc.get("canonical_kinds")
    if table_kind and kinds:
        return table_kind in kinds
    return bool(doc.get("canonical"))


def _kinds(content: dict[str, Content], doc: dict[str, Any]) -> dict[str, int]:
    c = content.get(doc["sha256"])
    return c.kinds if c else {}


def _edition(doc: dict[str, Any], content: dict[str, Content]) -> tuple[str, tuple[str, ...]]:
    """What a revision must share with what it supersedes: its format and the tables it prints."""
    return doc.get("format") or "", tuple(sorted(_kinds(content, doc)))
