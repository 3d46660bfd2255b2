"""Archive: identical bytes are stored once and captured many times; changed bytes are a new object."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from govbudget.storage.archive import Archive
from govbudget.storage.catalog import Catalog
from govbudget.storage.fetch import Fetch
from govbudget.storage.keys import content_key, sha256_hex
from govbudget.storage.object_store import ObjectStore, StoreUnavailable, open_store
from govbudget.storage.retry import NO_RETRY, Backoff

URL = "http://czj.example.gov.cn/zfxxgk/2022/部门预算.pdf"
T0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


def _fetch(body: bytes, at: datetime = T0, **extra: object) -> Fetch:
    return Fetch(url=URL, body=body, fetched_at=at, headers={"Content-Type": "application/pdf"}, **extra)


@pytest.fixture
def archive(store: ObjectStore, catalog: Catalog) -> Archive:
    return Archive(store, catalog)


def test_first_fetch_stores_the_bytes_and_one_capture(archive: Archive) -> None:
    body = b"%PDF-1.7 first"
    got = archive.archive(_fetch(body, fiscal_year=2022, department="邯郸市医疗保障局", crawl_id="c1"))
    assert got.new_object
    assert got.sha256 == sha256_hex(body)
    assert got.storage_key == content_key(got.sha256)
    assert got.size == len(body)
    assert archive.store.get(got.storage_key) == body
    (capture,) = archive.catalog.captures(got.sha256)
    assert capture["id"] == got.capture_id
    assert capture["revisit"] is False
    assert capture["department"] == "邯郸市医疗保障局"
    assert capture["crawl_id"] == "c1"


def test_same_bytes_twice_is_one_object_and_two_captures(archive: Archive) -> None:
    body = b"%PDF-1.7 same"
    first = archive.archive(_fetch(body))
    second = archive.archive(_fetch(body, T0 + timedelta(days=30)))
    assert (first.new_object, second.new_object) == (True, False)
    assert first.sha256 == second.sha256
    assert list(archive.store.iter_keys()) == [first.storage_key]
    assert archive.catalog.count("objects") == 1
    revisits = [c["revisit"] for c in archive.catalog.captures(first.sha256)]
    assert revisits == [False, True]


def test_identical_bytes_are_not_put_again(archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    archive.archive(_fetch(b"once"))
    puts: list[str] = []
    monkeypatch.setattr(archive.store, "put", lambda key, *a, **k: puts.append(key))
    archive.archive(_fetch(b"once"))
    assert puts == []


def test_changed_bytes_at_the_same_url_are_a_new_object_and_the_old_stays(archive: Archive) -> None:
    old = archive.archive(_fetch(b"version 1"))
    new = archive.archive(_fetch(b"version 2", T0 + timedelta(days=1)))
    assert new.new_object
    assert new.sha256 != old.sha256
    assert archive.store.get(old.storage_key) == b"version 1"
    assert archive.store.get(new.storage_key) == b"version 2"
    last = archive.catalog.last_capture_for_url(URL)
    assert last is not None
    assert last["sha256"] == new.sha256
    assert last["revisit"] is False
    assert archive.catalog.count("objects") == 2


def test_bytes_in_the_store_but_not_the_catalog_are_recorded_without_a_copy(archive: Archive) -> None:
    body = b"crash between put and catalog"
    key = content_key(sha256_hex(body))
    archive.store.put(key, body)
    got = archive.archive(_fetch(body))
    assert got.new_object  # new to the catalog: no earlier capture exists
    assert list(archive.store.iter_keys()) == [key]


def test_archived_files_are_waiting_for_a_parse(archive: Archive) -> None:
    got = archive.archive(_fetch(b"file"))
    archive.archive(Fetch(url="http://x/list.html", body=b"<html>", kind="page", fetched_at=T0))
    assert archive.catalog.unparsed_files() == [got.sha256]


def test_documents_describe_archived_fetches(archive: Archive) -> None:
    got = archive.archive(_fetch(b"doc", referrer="http://x/list", link_text="2022年部门预算", format="pdf"))
    (doc,) = archive.catalog.documents()
    assert doc["sha256"] == got.sha256
    assert doc["url"] == URL
    assert doc["referrer"] == "http://x/list"
    assert doc["link_text"] == "2022年部门预算"
    assert doc["format"] == "pdf"
    assert doc["fetched_at"] == T0.isoformat()


def test_store_down_means_no_catalog_rows(tmp_path: Path, dead_s3_opts: dict[str, str]) -> None:
    catalog = Catalog(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    store = open_store("s3://archive", **dead_s3_opts, retries=0, connect_timeout=1.0)
    with pytest.raises(StoreUnavailable):
        Archive(store, catalog, backoff=NO_RETRY).archive(_fetch(b"not stored"))
    assert catalog.count("objects") == 0
    assert catalog.count("captures") == 0


def test_fetch_validates_its_fields() -> None:
    with pytest.raises(ValueError):
        Fetch(url=URL, body=b"", via="carrier-pigeon")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Fetch(url=URL, body=b"", fetched_at=datetime(2024, 1, 1))
    assert (
        Fetch(url=URL, body=b"", headers={"content-TYPE": "text/html"}).effective_content_type == "text/html"
    )
    assert Fetch(url=URL, body=b"").effective_content_type == "application/octet-stream"


class _FlakyStore:
    """A local store whose first `failures` calls answer StoreUnavailable, like an endpoint restarting."""

    def __init__(self, inner: ObjectStore, failures: int) -> None:
        self.inner, self.failures = inner, failures

    def _maybe_fail(self) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise StoreUnavailable("connection refused (simulated)")

    def exists(self, key: str) -> bool:
        self._maybe_fail()
        return self.inner.exists(key)

    def put(self, key: str, data: bytes, **kw: object) -> None:
        self._maybe_fail()
        self.inner.put(key, data, **kw)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_store_outage_is_retried_and_reported(tmp_path: Path) -> None:
    catalog = Catalog(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    store = _FlakyStore(open_store(tmp_path / "objects"), failures=3)
    slept: list[float] = []
    backoff = Backoff(first_s=0.5, sleep=slept.append)
    got = Archive(store, catalog, backoff=backoff).archive(_fetch(b"kept despite the outage"))  # type: ignore[arg-type]
    assert got.store_retries == 3
    assert all("connection refused" in reason for reason in got.retry_reasons)
    assert len(slept) == 3 and slept[1] > slept[0] * 1.3, "delays grow"
    assert store.inner.get(got.storage_key) == b"kept despite the outage"
    assert catalog.count("objects") == 1 and catalog.count("captures") == 1


def test_store_outage_longer_than_the_backoff_raises_without_catalog_rows(tmp_path: Path) -> None:
    catalog = Catalog(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    store = _FlakyStore(open_store(tmp_path / "objects"), failures=1000)
    backoff = Backoff(first_s=0.01, max_delay_s=0.02, give_up_after_s=0.2)
    with pytest.raises(StoreUnavailable):
        Archive(store, catalog, backoff=backoff).archive(_fetch(b"lost?"))  # type: ignore[arg-type]
    assert catalog.count("captures") == 0
