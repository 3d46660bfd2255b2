"""`verify_archive`: re-hash every stored object against its key and report what does not match.

Content addressing makes the archive self-checking: an object's key *is* its sha256, so a flipped
bit, a truncated upload or a file replaced by hand shows up as a digest that differs from the key.
Objects the catalog lists but the store lacks are reported as missing; objects in the store that the
catalog does not list (a crash between the two writes, see `archive.py`) are counted as orphans, which
are harmless and not an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from govbudget.storage.catalog import Catalog
from govbudget.storage.keys import CONTENT_PREFIX, content_key, sha256_hex
from govbudget.storage.object_store import ObjectNotFound, ObjectStore


@dataclass
class VerifyReport:
    """The outcome: counts plus the digests of every problem object, with a reason each."""

    checked: int = 0
    ok: int = 0
    mismatched: list[dict[str, str]] = field(default_factory=list)
    missing: list[dict[str, str]] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.mismatched and not self.missing

    def as_dict(self) -> dict[str, object]:
        return {
            "checked": self.checked,
            "ok": self.ok,
            "mismatched": self.mismatched,
            "missing": self.missing,
            "orphans": len(self.orphans),
            "healthy": self.healthy,
        }


def verify_archive(
    store: ObjectStore,
    catalog: Catalog,
    *,
    on_object: Callable[[str], None] | None = None,
    find_orphans: bool = True,
) -> VerifyReport:
    """Check every object the catalog lists; `on_object` is called per digest (for progress bars)."""
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
            report.mismatched.append({"sha256": sha, "reason": reason})
            continue
        try:
            data = store.get(row.storage_key)
        except ObjectNotFound:
            report.missing.append({"sha256": sha, "reason": f"no object under {row.storage_key}"})
            continue
        actual = sha256_hex(data)
        if actual != sha:
            reason = f"bytes hash to {actual} ({len(data)} bytes, catalog says {row.size})"
            report.mismatched.append({"sha256": sha, "reason": reason})
        elif len(data) != row.size:
            reason = f"size {len(data)} != catalog size {row.size}"
            report.mismatched.append({"sha256": sha, "reason": reason})
        else:
            report.ok += 1
    if find_orphans:
        report.orphans = [key for key in store.iter_keys(CONTENT_PREFIX) if key not in listed]
    return report
