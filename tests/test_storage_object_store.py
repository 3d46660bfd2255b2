"""ObjectStore behaviour, the same tests over a local folder and over S3 (minio SDK against moto)."""

from __future__ import annotations

import http.server
import threading
import time
from pathlib import Path
from urllib.parse import unquote

import pytest

from govbudget.storage.keys import content_key, sha256_hex
from govbudget.storage.local_store import LocalStore
from govbudget.storage.object_store import ObjectNotFound, ObjectStore, StoreUnavailable, open_store


def test_put_then_get_returns_the_same_bytes(store: ObjectStore) -> None:
    data = b"%PDF-1.7 budget\x00\xff"
    store.put("raw/a/b/one", data, content_type="application/pdf")
    assert store.get("raw/a/b/one") == data


def test_exists_and_size_report_stored_objects_only(store: ObjectStore) -> None:
    store.put("k/one", b"12345")
    assert store.exists("k/one")
    assert store.size("k/one") == 5
    assert not store.exists("k/two")
    assert store.size("k/two") is None


def test_get_of_a_missing_key_raises_object_not_found(store: ObjectStore) -> None:
    with pytest.raises(ObjectNotFound):
        store.get("k/missing")
    with pytest.raises(KeyError):  # ObjectNotFound is a KeyError too
        store.get("k/missing")


def test_put_overwrites_atomically_with_new_bytes(store: ObjectStore) -> None:
    store.put("k/one", b"old")
    store.put("k/one", b"new bytes")
    assert store.get("k/one") == b"new bytes"


def test_empty_objects_are_stored(store: ObjectStore) -> None:
    store.put("k/empty", b"")
    assert store.exists("k/empty")
    assert store.size("k/empty") == 0
    assert store.get("k/empty") == b""


def test_iter_keys_lists_keys_under_a_prefix_in_order(store: ObjectStore) -> None:
    for key in ("raw/b/2", "raw/a/1", "other/3"):
        store.put(key, b"x")
    assert list(store.iter_keys("raw/")) == ["raw/a/1", "raw/b/2"]
    assert list(store.iter_keys()) == ["other/3", "raw/a/1", "raw/b/2"]


def test_delete_removes_and_tolerates_missing(store: ObjectStore) -> None:
    store.put("k/one", b"x")
    store.delete("k/one")
    assert not store.exists("k/one")
    store.delete("k/one")


def test_metadata_with_chinese_values_is_accepted(store: ObjectStore) -> None:
    meta = {"source-url": "http://czj.example.gov.cn/预算公开/2022.pdf", "via": "http"}
    store.put("k/meta", b"x", content_type="application/pdf", metadata=meta)
    assert store.get("k/meta") == b"x"


def test_content_keys_round_trip(store: ObjectStore) -> None:
    data = "部门预算".encode()
    key = content_key(sha256_hex(data))
    store.put(key, data)
    assert list(store.iter_keys("raw/sha256/")) == [key]


@pytest.mark.parametrize("bad", ["../escape", "/abs/key", "a/../../b", "a\\..\\b"])
def test_unsafe_keys_are_refused(store: ObjectStore, bad: str) -> None:
    with pytest.raises(ValueError):
        store.put(bad, b"x")
    with pytest.raises(ValueError):
        store.get(bad)


def test_describe_names_the_store_without_secrets(store: ObjectStore) -> None:
    text = store.describe()
    assert text.startswith(("file://", "s3://"))
    assert "testing-secret" not in text


# -- open_store ---------------------------------------------------------------------------------------


def test_open_store_takes_a_path_or_file_url(tmp_path: Path) -> None:
    assert isinstance(open_store(tmp_path / "a"), LocalStore)
    store = open_store((tmp_path / "b").as_uri())
    assert isinstance(store, LocalStore)
    assert store.describe() == (tmp_path / "b").as_uri()


def test_open_store_refuses_unknown_schemes() -> None:
    with pytest.raises(ValueError):
        open_store("ftp://host/x")


def test_open_store_s3_with_prefix_keeps_keys_under_it(moto_endpoint: str, s3_opts: dict[str, str]) -> None:
    prefixed = open_store("s3://shared-bucket/tenant-a", **s3_opts)
    whole = open_store("s3://shared-bucket", **s3_opts)
    prefixed.put("raw/x", b"1")
    assert whole.get("tenant-a/raw/x") == b"1"
    assert list(prefixed.iter_keys()) == ["raw/x"]
    assert prefixed.describe() == f"s3://shared-bucket/tenant-a?endpoint={moto_endpoint}"


# -- S3 unavailability ----------------------------------------------------------------------------------


def test_s3_endpoint_down_raises_store_unavailable_quickly(dead_s3_opts: dict[str, str]) -> None:
    store = open_store("s3://nowhere", **dead_s3_opts, retries=1, connect_timeout=1.0)
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        store.put("k/one", b"x")
    with pytest.raises(StoreUnavailable):
        store.exists("k/one")
    assert time.monotonic() - started < 15


def test_store_unavailable_is_not_raised_for_a_missing_object(s3_opts: dict[str, str]) -> None:
    store = open_store("s3://present-bucket", **s3_opts)
    assert store.size("nothing/here") is None


def test_a_server_answering_503_raises_store_unavailable(tmp_path: Path) -> None:
    class Busy(http.server.BaseHTTPRequestHandler):
        def _busy(self) -> None:
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_PUT = do_HEAD = do_POST = _busy

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Busy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_address[1]}"
        store = open_store("s3://busy", endpoint=endpoint, access_key="a", secret_key="b", region="us-east-1")
        with pytest.raises(StoreUnavailable):
            store.put("k/one", b"x")
    finally:
        server.shutdown()
        server.server_close()


def test_s3_metadata_travels_with_the_object(s3_opts: dict[str, str]) -> None:
    store = open_store("s3://meta-bucket", **s3_opts)
    url = "http://czj.example.gov.cn/预算.pdf"
    store.put("k/one", b"x", content_type="application/pdf", metadata={"source-url": url, "via": "http"})
    stat = store._client.stat_object("meta-bucket", "k/one")  # type: ignore[attr-defined]
    assert stat.content_type == "application/pdf"
    meta = {k.lower(): v for k, v in stat.metadata.items()}
    assert meta["x-amz-meta-via"] == "http"
    assert unquote(meta["x-amz-meta-source-url"].removeprefix("utf-8''")) == url
