"""Content addressing: an object's key is derived from its bytes, so identical bytes share one key.

Two levels of two-hex-digit fan-out (`ab/cd/`) keep any one folder (or S3 listing page) small even with
millions of objects, and the full digest as the file name makes every key self-verifying.
"""

from __future__ import annotations

import hashlib
import re

CONTENT_PREFIX = "raw/sha256/"
_HEX64 = re.compile(r"[0-9a-f]{64}")


def sha256_hex(data: bytes) -> str:
    """Lower-case hex SHA-256 of `data`: the identity of an archived object everywhere in govbudget."""
    return hashlib.sha256(data).hexdigest()


def content_key(sha256: str) -> str:
    """Store key for the object whose digest is `sha256`: `raw/sha256/ab/cd/<sha256>`."""
    digest = sha256.lower()
    if not _HEX64.fullmatch(digest):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return f"{CONTENT_PREFIX}{digest[:2]}/{digest[2:4]}/{digest}"


def check_key(key: str) -> str:
    """Return `key` if it is a safe relative key, else raise ValueError.

    Keys come from our own code today, but a store is a file system or a bucket shared with other tools:
    refusing absolute paths, `..`, empty segments and backslashes means no key can ever address
    something outside the store's root, whatever produced it.
    """
    if not key or key.startswith("/") or "\\" in key or "\x00" in key:
        raise ValueError(f"unsafe store key: {key!r}")
    parts = key.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"unsafe store key: {key!r}")
    return key
