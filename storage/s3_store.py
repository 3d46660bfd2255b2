"""`S3Store`: the object store on S3-compatible services (MinIO, AWS, moto), via the minio SDK.

This is the only module that imports `minio`. It hides the SDK's error zoo behind the store's own
exceptions: anything that means "the service is not answering properly right now" (refused or reset
connections, timeouts, 5xx, throttling) becomes `StoreUnavailable`, which callers retry; a missing key
becomes `ObjectNotFound`; anything else (bad credentials, a malformed request) propagates unchanged
because retrying would not help.
"""

from __future__ import annotations

import contextlib
import io
import os
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import certifi
import urllib3
from minio import Minio
from minio.error import S3Error, ServerError

from govbudget.storage.keys import check_key
from govbudget.storage.object_store import ObjectNotFound, StoreUnavailable

_MISSING_CODES = {"NoSuchKey", "NoSuchObject", "NotFound", "ResourceNotFound"}
_TRANSIENT_CODES = {"InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout", "OperationAborted"}
_EXISTING_BUCKET_CODES = {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}


@contextlib.contextmanager
def _translated(what: str) -> Iterator[None]:
    """Map transport and server failures to StoreUnavailable so callers can retry them uniformly."""
    try:
        yield
    except S3Error as exc:
        if exc.code in _TRANSIENT_CODES:
            raise StoreUnavailable(f"{what}: {exc.code}: {exc.message}") from exc
        raise
    except ServerError as exc:  # a non-XML 5xx answer, e.g. from a proxy in front of the service
        raise StoreUnavailable(f"{what}: server error {exc.status_code}") from exc
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise StoreUnavailable(f"{what}: {exc}") from exc


def _header_safe(value: str) -> str:
    """S3 metadata travels as HTTP headers, which must be ASCII; encode others RFC 5987 style."""
    if value.isascii() and value.isprintable():
        return value
    return "utf-8''" + quote(value, safe="")


def _header_value(value: str) -> str:
    """The inverse of `_header_safe`."""
    return unquote(value[len("utf-8''"):]) if value.startswith("utf-8''") else value


_META_PREFIX = "x-amz-meta-"


class S3Store:
    """Objects in `bucket`, under an optional key `prefix` (so one bucket can hold several archives)."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        region: str | None = None,
        secure: bool | None = None,
        retries: int = 2,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
    ) -> None:
        if not bucket:
            raise ValueError("an S3 store needs a bucket: s3://bucket[/prefix]")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        endpoint = endpoint or "https://s3.amazonaws.com"
        parts = urlsplit(endpoint if "://" in endpoint else f"//{endpoint}")
        if secure is None:
            secure = parts.scheme != "http"
        self._endpoint_url = f"{'https' if secure else 'http'}://{parts.netloc}"
        self.region = region
        # Our own pool so a dead endpoint fails in seconds (minio's default retries 5 times with backoff)
        # and the caller's retry policy, not the SDK's, decides how long to keep trying.
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
            maxsize=10,
            cert_reqs="CERT_REQUIRED",
            ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
            retries=urllib3.Retry(total=retries, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
        )
        self._client = Minio(
            parts.netloc,
            access_key=access_key,
            secret_key=secret_key,
            region=region,
            secure=secure,
            http_client=http,
        )
        self._bucket_ready = False
        self._lock = threading.Lock()

    def _name(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _ensure_bucket(self) -> None:
        """Create the bucket on first use, so a fresh MinIO needs no manual setup."""
        if self._bucket_ready:
            return
        with self._lock, _translated(f"create bucket {self.bucket}"):
            if self._bucket_ready:
                return
            if not self._client.bucket_exists(self.bucket):
                try:
                    self._client.make_bucket(self.bucket, location=self.region)
                except S3Error as exc:
                    if exc.code not in _EXISTING_BUCKET_CODES:
                        raise
            self._bucket_ready = True

    def put(
        self,
        key: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        metadata: dict[str, str] | None = None,
    ) -> None:
        name = self._name(key)
        self._ensure_bucket()
        meta = {k: _header_safe(v) for k, v in (metadata or {}).items()}
        with _translated(f"put {name}"):
            self._client.put_object(
                self.bucket,
                name,
                io.BytesIO(data),
                len(data),
                content_type=content_type,
                metadata=meta or None,  # type: ignore[arg-type]
            )

    def get(self, key: str) -> bytes:
        name = self._name(key)
        self._ensure_bucket()
        with _translated(f"get {name}"):
            try:
                response = self._client.get_object(self.bucket, name)
            except S3Error as exc:
                if exc.code in _MISSING_CODES:
                    raise ObjectNotFound(key) from None
                raise
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()

    def _stat(self, key: str) -> Any:
        """minio's stat of the object (one HEAD request), or None when absent."""
        name = self._name(key)
        self._ensure_bucket()
        with _translated(f"stat {name}"):
            try:
                return self._client.stat_object(self.bucket, name)
            except S3Error as exc:
                if exc.code in _MISSING_CODES:
                    return None
                raise

    def exists(self, key: str) -> bool:
        return self._stat(key) is not None

    def size(self, key: str) -> int | None:
        stat = self._stat(key)
        return None if stat is None else stat.size

    def metadata(self, key: str) -> dict[str, str]:
        """The user metadata written with the object (``x-amz-meta-*``), decoded back from headers,
        and its ``content-type``."""
        stat = self._stat(key)
        if stat is None:
            raise ObjectNotFound(key)
        meta = {
            name.lower()[len(_META_PREFIX):]: _header_value(str(value))
            for name, value in (stat.metadata or {}).items()
            if name.lower().startswith(_META_PREFIX)
        }
        if stat.content_type:
            meta["content-type"] = stat.content_type
        return meta

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        self._ensure_bucket()
        base = f"{self.prefix}/" if self.prefix else ""
        with _translated(f"list {base}{prefix}"):
            for obj in self._client.list_objects(self.bucket, prefix=base + prefix, recursive=True):
                name = obj.object_name or ""
                yield name[len(base) :]

    def delete(self, key: str) -> None:
        name = self._name(key)
        self._ensure_bucket()
        with _translated(f"delete {name}"):
            self._client.remove_object(self.bucket, name)

    def describe(self) -> str:
        path = f"{self.bucket}/{self.prefix}" if self.prefix else self.bucket
        return f"s3://{path}?endpoint={self._endpoint_url}"

    def __repr__(self) -> str:
        return f"S3Store({self.describe()!r})"


__all__ = ["S3Store"]
