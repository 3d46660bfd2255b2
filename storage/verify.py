"""`verify_archive`: re-hash every stored object against its key and report everything out of place.

Content addressing makes the archive self-checking: an object's key *is* its sha256, so a flipped
bit, a truncated upload or a file replaced by hand shows up as a digest that differs from the key.
Each catalog object is one of: ok, ``mismatched`` (bytes or key not its digest), ``missing`` (no
object in the store), ``not_regular`` (a symlink, folder or pipe where the object should be; never
read through) or ``unreadable`` (the store refused to hand it over). Beyond those, the store's
``orphans`` (objects the catalog does not list: a crash between the two writes, see `archive.py`)
and the catalog's ``uncaptured`` objects (no capture says where the bytes came from) are listed.
Every kind is a problem: the report is healthy only when all lists are empty. Nothing here raises
for one object's state, so a damaged archive is always described in full; `tasks.repair` acts on
the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from govbudget.storage.catalog import Catalog
from govbudget.storage.keys import CONTENT_PREFIX, content_key, sha256_hex
from govbudget.storage.object_store import (
    NotRegularObject,
    ObjectNotFound,
    ObjectStore,
    StoreError,
)

MISMATCHED = "mismatched"
MISSING = "missing"
NOT_REGULAR = "not_regular"
UNREADABLE = "unreadable"
# The kinds of damage to a catalog object, which `tasks.repair` re-fetches or restores.
DAMAGE_KINDS = (MISMATCHED, MISSING, NOT_REGULAR, UNREADABLE)


@dataclass(frozen=True)
class Problem:
    """What is wrong with one stored object: a kind (one of `DAMAGE_KINDS`) and a reason."""

    kind: str
    reason: str


def check_object(store: ObjectStore, key: str, sha256: str, size: int | None = None) -> Problem | None:
    """None when the store holds the bytes of `sha256` under `key` (and `size` of them, if given),
    else the problem. Reads the whole object (one GET on S3); `StoreUnavailable` propagates, so a
    caller retries or reports an outage rather than calling an object damaged."""
    try:
        data = store.get(key)
    except ObjectNotFound:
        return Problem(MISSING, f"no object under {key}")
    except NotRegularObject as exc:
        return Problem(NOT_REGULAR, exc.reason)
    except (OSError, ValueError) as exc:
        return Problem(UNREADABLE, f"{type(exc).__name__}: {exc}")
    actual = sha256_hex(data)
    if actual != sha256:
        said = f", catalog says {size}" if size is not None else ""
        return Problem(MISMATCHED, f"bytes hash to {actual} ({len(data)} bytes{said})")
    if size is not None and len(data) != size:
        return Problem(MISMATCHED, f"size {len(data)} != catalog size {size}")
    return None


def digest_of_key(key: str) -> str | None:
    """The sha256 a content key names, or None for a key that is not one (`keys.content_key`)."""
    digest = key.rsplit("/", 1)[-1]
    try:
        return digest if content_key(digest) == key else None
    except ValueError:
        return None


@dataclass
class VerifyReport:
    """The outcome: counts, and every problem object with a reason each."""

    checked: int = 0
    ok: int = 0
    mismatched: list[dict[str, str]] = field(default_factory=list)
    missing: list[dict[str, str]] = field(default_factory=list)
    not_regular: list[dict[str, str]] = field(default_factory=list)
    unreadable: list[dict[str, str]] = field(default_factory=list)
    orphans: list[dict[str, Any]] = field(default_factory=list)  # key, sha256 (None: not a digest key)
    uncaptured: list[dict[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # a listing that failed: the report is incomplete

    LISTS = ("mismatched", "missing", "not_regular", "unreadable", "orphans", "uncaptured", "errors")

    @property
    def damaged(self) -> list[dict[str, str]]:
        """Catalog objects whose bytes are not (readably) in the store, each with its ``kind``."""
        return [{**p, "kind": kind} for kind in DAMAGE_KINDS for p in getattr(self, kind)]

    @property
    def problems(self) -> int:
        return sum(len(getattr(self, name)) for name in self.LISTS)

    @property
    def healthy(self) -> bool:
        return self.problems == 0

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"checked": self.checked, "ok": self.ok}
        out.update({name: list(getattr(self, name)) for name in self.LISTS})
        out.update(problems=self.problems, healthy=self.healthy)
        return out


def verify_archive(
    store: ObjectStore,
    catalog: Catalog,
    *,
    on_object: Callable[[str], None] | None = None,
    find_orphans: bool = True,
) -> VerifyReport:
    """Check every object the catalog lists; `on_object` is called per digest (for progress bars).

    An unreachable store is reported per object (``unreadable``) and for the orphan listing
    (``errors``); only an unreachable catalog raises (`CatalogUnavailable`): there is nothing to
    check against then.
    """
    report = VerifyReport()
    listed: set[str] = set()
    for row in catalog.objects():
        sha = row.sha256
        listed.add(row.storage_key)
        report.checked += 1
        if on_object is not None:
            on_object(sha)
        if row.storage_key != content_key(sha):
            reason = f"catalog key {row.storage_key!r} is not its digest key"
            report.mismatched.append({"sha256": sha, "key": row.storage_key, "reason": reason})
            continue
        try:
            problem = check_object(store, row.storage_key, sha, row.size)
        except StoreError as exc:  # StoreUnavailable after the client's own retries
            problem = Problem(UNREADABLE, f"store unavailable: {exc}")
        if problem is None:
            report.ok += 1
        else:
            getattr(report, problem.kind).append(
                {"sha256": sha, "key": row.storage_key, "reason": problem.reason}
            )
    report.uncaptured = [
        {"sha256": sha, "reason": "no capture says where these bytes came from"}
        for sha in catalog.uncaptured_objects()
    ]
    if find_orphans:
        try:
            for key in store.iter_keys(CONTENT_PREFIX):
                if key not in listed:
                    digest = digest_of_key(key)
                    reason = "in the store, not in the catalog" if digest else "not a content key"
                    report.orphans.append({"key": key, "sha256": digest, "reason": reason})
        except StoreError as exc:
            report.errors.append(f"listing the store failed: {exc}")
    return report
