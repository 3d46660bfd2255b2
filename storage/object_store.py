"""The `ObjectStore` protocol every archive backend implements, its errors, and `open_store`.

Callers (the archive, tasks, exports) code against this protocol only, so the embedded default (a local
folder) and the scale-out backend (S3 via minio) are interchangeable by configuration.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit


class StoreError(Exception):
    """Base class of object-store failures."""


class StoreUnavailable(StoreError):
    """The backend could not be reached or answered with a server error.

    Transient by nature: a task seeing this should retry later (the bytes are still in hand or can be
    re-fetched), rather than recording a permanent failure.
    """


class ObjectNotFound(StoreError, KeyError):
    """No object under that key. A KeyError too, so mapping-style callers can catch that."""


class NotRegularObject(StoreError):
    """Something other than a plain object sits under the key: a symlink, a folder, a device or a pipe
    put there by hand or by another tool. Never read through (a symlink may lead anywhere, a pipe
    blocks forever); `verify` reports it and `put` replaces it like a corrupted object.

    `reason` says what was found, e.g. ``symlink to /tmp/x``.
    """

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key}: {reason}")
        self.key = key
        self.reason = reason


@runtime_checkable
class ObjectStore(Protocol):
    """A flat key → bytes store. Keys are relative, `/`-separated (see `keys.check_key`)."""

    def put(
        self,
        key: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        metadata: dict[str, str] | None = None,
    ) -> None:
        """Store `data` under `key` atomically: readers see the old object or the whole new one."""
        ...

    def get(self, key: str) -> bytes:
        """Return the bytes under `key`; raise ObjectNotFound when absent, NotRegularObject when
        something other than an object (a symlink, a folder) is there."""
        ...

    def exists(self, key: str) -> bool:
        """True when an object (a regular one: not a symlink or folder) is stored under `key`."""
        ...

    def size(self, key: str) -> int | None:
        """Size in bytes of the object under `key`, or None when absent or not a regular object."""
        ...

    def metadata(self, key: str) -> dict[str, str]:
        """The provenance stored beside the object (``source-url``, ``fetched-at``, ``kind``, ...,
        see `archive._metadata`) and its ``content-type``; {} when the backend keeps none (a local
        folder). Raises ObjectNotFound when absent."""
        ...

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        """Yield every key starting with `prefix`, in lexicographic order."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object under `key` (no error when absent). For tests and maintenance only."""
        ...

    def describe(self) -> str:
        """A URL naming this store, safe to log (never contains secrets)."""
        ...


def open_store(url: str | Path, **options: Any) -> ObjectStore:
    """Open the store named by `url`.

    - a plain path or `file:///path` → `LocalStore` rooted there (created if missing);
    - `s3://bucket[/prefix]` → `S3Store`, with options `endpoint` (`http://127.0.0.1:9000`; its scheme
      decides TLS), `access_key`, `secret_key`, `region`, plus the S3Store tuning options.

    Backends are imported lazily so that the local default never needs the minio SDK loaded.
    """
    text = str(url)
    parts = urlsplit(text)
    if parts.scheme == "s3":
        from govbudget.storage.s3_store import S3Store

        return S3Store(bucket=parts.netloc, prefix=parts.path.strip("/"), **options)
    if parts.scheme == "file":
        path = unquote(parts.path)
    elif not parts.scheme:
        path = text
    else:
        raise ValueError(f"unsupported object store URL: {text!r} (use a path, file://, or s3://)")
    if options:
        raise TypeError(f"a local store takes no options, got {sorted(options)}")
    from govbudget.storage.local_store import LocalStore

    return LocalStore(path)
