"""`Archive`: keep a fetched response — bytes into the object store, provenance into the catalog.

Transient store failures are retried with backoff (`retry.Backoff`) while the bytes are in hand, and
`Archived.store_retries` says how many tries failed, so a crawl summary can report them.

The order matters for crash safety: bytes first, catalog rows second. A crash in between leaves an
object in the store that the catalog does not know yet; the next archive of the same bytes (or a scan of
the store) records it. The reverse order could leave catalog rows pointing at bytes that do not exist.

Bytes already stored under the digest are read back and hashed before they are trusted: an object
corrupted at rest (a flipped bit, a truncated copy, a symlink put in its place) is replaced by the bytes
in hand, logged as a warning and reported (`Archived.repaired`, ``repaired`` in the ``archived``
event). That costs one read of the object (one GET on S3) per capture of known bytes. Neither the size
nor an S3 ETag is taken as proof instead: the size misses same-length damage, and an ETag is the
digest the server computed at upload (not of the bytes at rest, and no MD5 at all for multipart or
encrypted uploads), so only hashing what the store returns now says the object is whole.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from govbudget.storage.catalog import CaptureRow, Catalog
from govbudget.storage.fetch import Fetch, is_archive_member, member_fetch
from govbudget.storage.keys import content_key, sha256_hex
from govbudget.storage.object_store import ObjectStore
from govbudget.storage.retry import Backoff, RetryLog
from govbudget.storage.verify import MISSING, check_object

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Archived:
    """What `Archive.archive` did: which object holds the bytes, and whether it is new to the catalog.

    `repaired` says the store held damaged bytes (or a symlink, say) under this digest, which these
    bytes replaced; `repair_reason` what was wrong with them.
    """

    sha256: str
    storage_key: str
    size: int
    new_object: bool
    capture_id: int
    store_retries: int = 0
    retry_reasons: tuple[str, ...] = ()
    repaired: bool = False
    repair_reason: str | None = None

    def event(self, fetch: Fetch) -> dict[str, Any]:
        """The fields of the ``archived`` event reporting `fetch`: one shape for pages, files and
        archive members (which carry ``member: true`` and their archive as ``referrer``)."""
        fields: dict[str, Any] = {
            "kind": fetch.kind,
            "sha256": self.sha256,
            "new_object": self.new_object,
            "capture_id": self.capture_id,
            "url": fetch.url,
            "doc_kind": fetch.doc_kind,
            "format": fetch.format,
            "size": self.size,
            "via": fetch.via,
            "store_retries": self.store_retries,
            "repaired": self.repaired,
        }
        if self.repaired:
            fields["repair_reason"] = self.repair_reason
        if is_archive_member(fetch.url, fetch.referrer, fetch.link_text):
            fields.update(member=True, referrer=fetch.referrer)
        return fields


def _metadata(fetch: Fetch) -> dict[str, str]:
    """Provenance stored beside the bytes, so a bucket on its own still says where each object came from."""
    meta = {"source-url": fetch.url, "fetched-at": fetch.fetched_at.isoformat(), "via": fetch.via}
    if fetch.final_url and fetch.final_url != fetch.url:
        meta["final-url"] = fetch.final_url
    meta["kind"] = fetch.kind
    if fetch.crawl_id:
        meta["crawl-id"] = fetch.crawl_id
    if fetch.region_code:
        meta["region-code"] = fetch.region_code
    return meta


class Archive:
    """Content-addressed archiving: identical bytes are stored once; every fetch is a capture."""

    def __init__(self, store: ObjectStore, catalog: Catalog, backoff: Backoff | None = None) -> None:
        self.store = store
        self.catalog = catalog
        self.backoff = backoff or Backoff()

    def archive(self, fetch: Fetch) -> Archived:
        """Store `fetch.body` (unless already stored whole) and record the object and a capture of it.

        Bytes already under the digest are read back and hashed; damaged ones are replaced
        (`Archived.repaired`). Retries `StoreUnavailable` with backoff; raises it (before any catalog
        write) only when the store stays unreachable past the backoff's limit, so the caller still
        holds the bytes.
        """
        body = bytes(fetch.body)
        sha256 = sha256_hex(body)
        key = content_key(sha256)
        content_type = fetch.effective_content_type
        retries = RetryLog()
        damage: list[str] = []  # what was wrong with the stored copy, kept across retries

        def store_once() -> None:
            problem = check_object(self.store, key, sha256)
            if problem is None:
                return
            # absent bytes are only damage when the catalog already lists the object: else they are new
            lost = problem.kind != MISSING or self.catalog.has_object(sha256)
            if lost and not damage:
                damage.append(f"{problem.kind}: {problem.reason}")
                log.warning("archive: object %s was damaged (%s); replacing it with the bytes fetched "
                            "from %s", sha256, damage[0], fetch.url)
            self.store.put(key, body, content_type=content_type, metadata=_metadata(fetch))

        self.backoff.call(store_once, f"store {fetch.url}", retries)
        new_object, capture_id = self.catalog.record_capture(
            CaptureRow.of(fetch, sha256),
            size=len(body),
            storage_key=key,
            content_type=content_type,
        )
        return Archived(
            sha256, key, len(body), new_object, capture_id, retries.count, tuple(retries.events),
            repaired=bool(damage), repair_reason=damage[0] if damage else None,
        )

    def archive_member(
        self, archive: Mapping[str, Any] | None, archive_sha256: str, name: str, body: bytes,
        *, format: str | None = None,
    ) -> tuple[Fetch, Archived]:
        """Archive one member of the ZIP/RAR `archive_sha256` as an object of its own.

        `archive` is the archive's latest capture (None if it has none); the member's capture takes its
        provenance from it (`fetch.member_fetch`). Returns the member's `Fetch` and what was archived.
        """
        fetch = member_fetch(archive, archive_sha256, name, body, format=format)
        return fetch, self.archive(fetch)
