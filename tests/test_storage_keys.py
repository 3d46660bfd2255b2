"""Content keys: derived from the digest, fanned out, and never able to escape a store's root."""

from __future__ import annotations

import hashlib

import pytest

from govbudget.storage.keys import check_key, content_key, sha256_hex


def test_sha256_hex_is_lowercase_hex_digest() -> None:
    assert sha256_hex(b"abc") == hashlib.sha256(b"abc").hexdigest()


def test_content_key_fans_out_by_the_first_two_byte_pairs() -> None:
    digest = sha256_hex(b"abc")
    assert content_key(digest) == f"raw/sha256/{digest[:2]}/{digest[2:4]}/{digest}"


def test_content_key_normalises_upper_case_digests() -> None:
    digest = sha256_hex(b"abc")
    assert content_key(digest.upper()) == content_key(digest)


@pytest.mark.parametrize("bad", ["", "abc", "g" * 64, "a" * 63, "../" + "a" * 61])
def test_content_key_refuses_non_digests(bad: str) -> None:
    with pytest.raises(ValueError):
        content_key(bad)


@pytest.mark.parametrize(
    "bad", ["", "/etc/passwd", "../x", "a/../../x", "a//b", "a/./b", "a\\b", "a/", "x\x00"]
)
def test_check_key_refuses_unsafe_keys(bad: str) -> None:
    with pytest.raises(ValueError):
        check_key(bad)


def test_check_key_accepts_nested_relative_keys() -> None:
    assert check_key("raw/sha256/ab/cd/x") == "raw/sha256/ab/cd/x"
