"""The catalog's crawl fast paths: object + capture in one transaction, a site's validators in one query."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from govbudget.storage.catalog import CaptureRow, Catalog
from govbudget.storage.keys import content_key, sha256_hex

T0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


def _record(catalog: Catalog, body: bytes, url: str, at: datetime, **extra: object) -> tuple[bool, int]:
    sha = sha256_hex(body)
    row = CaptureRow(sha256=sha, url=url, fetched_at=at, **extra)  # type: ignore[arg-type]
    return catalog.record_capture(row, size=len(body), storage_key=content_key(sha), content_type="text/html")


def test_record_capture_creates_the_object_once_and_flags_revisits(catalog: Catalog) -> None:
    new1, id1 = _record(catalog, b"list v1", "http://a.test/list", T0)
    new2, id2 = _record(catalog, b"list v1", "http://a.test/list", T0 + timedelta(days=1))
    assert (new1, new2) == (True, False)
    assert id2 > id1
    assert catalog.count("objects") == 1
    first, second = catalog.captures(sha256_hex(b"list v1"))
    assert (first["id"], first["revisit"]) == (id1, False)
    assert (second["id"], second["revisit"]) == (id2, True)
    (obj,) = catalog.objects()
    assert obj["size"] == len(b"list v1")
    assert obj["storage_key"] == content_key(sha256_hex(b"list v1"))


def test_latest_captures_under_gives_each_urls_newest_capture_of_that_site_only(catalog: Catalog) -> None:
    _record(catalog, b"old", "http://a.test/x", T0, headers={"ETag": '"1"'})
    _record(catalog, b"new", "http://a.test/x", T0 + timedelta(hours=1), headers={"ETag": '"2"'})
    _record(catalog, b"gone", "http://a.test/y", T0, status=404)
    _record(catalog, b"home", "http://a.test", T0)
    _record(catalog, b"other host", "http://b.test/x", T0 + timedelta(hours=2))
    _record(catalog, b"longer port", "http://a.test:8080/x", T0)
    got = {row["url"]: row for row in catalog.latest_captures_under("http://a.test")}
    # the prefix has no slash, so "http://a.test:8080/x" matches it too: callers key by exact URL
    assert set(got) == {"http://a.test/x", "http://a.test/y", "http://a.test", "http://a.test:8080/x"}
    assert got["http://a.test/x"]["sha256"] == sha256_hex(b"new")
    assert got["http://a.test/x"]["headers"] == {"ETag": '"2"'}
    assert got["http://a.test/y"]["status"] == 404
    assert got["http://a.test/x"]["fetched_at"] == T0 + timedelta(hours=1)
    assert list(catalog.latest_captures_under("http://c.test")) == []


def test_latest_captures_under_treats_like_wildcards_literally(catalog: Catalog) -> None:
    _record(catalog, b"one", "http://a_b.test/x", T0)
    _record(catalog, b"two", "http://axb.test/x", T0)
    assert [row["url"] for row in catalog.latest_captures_under("http://a_b.test/")] == ["http://a_b.test/x"]
