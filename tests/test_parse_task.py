"""``parse_object``: idempotent, failures stored with reasons, transient errors retried."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from govbudget.storage.fetch import Fetch
from govbudget.storage.keys import content_key
from govbudget.storage.object_store import StoreUnavailable
from govbudget.tasks.parse_task import parse_object
from govbudget.tasks.runtime import Services, configure
from govbudget.tasks.settings import Settings


@pytest.fixture
def svc(tmp_path: Path) -> Services:
    return configure(Settings.from_env({}, data_dir=tmp_path / "data"))


def _archive(svc: Services, body: bytes, name: str) -> str:
    fetch = Fetch(url=f"http://portal.example/{name}", body=body, kind="file", doc_kind="budget")
    return svc.archive.archive(fetch).sha256


def _rows(svc: Services, sha: str) -> list[Any]:
    results = [(r.parser, r.status, r.record_count) for r in svc.catalog.parse_results(sha)]
    return [results, list(svc.catalog.records(sha256=sha))]


def test_broken_pdf_is_a_failed_result_and_the_raw_file_stays(svc: Services) -> None:
    body = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntruncated"
    sha = _archive(svc, body, "broken.pdf")
    assert parse_object.delay(sha) is not None
    assert svc.catalog.parse_status(sha) == "failed"
    [document] = list(svc.catalog.records(sha256=sha, type="document"))
    assert document["status"] == "failed" and document["errors"]
    assert svc.store.get(content_key(sha)) == body


def test_running_twice_leaves_the_same_rows(svc: Services) -> None:
    sha = _archive(svc, b"not a budget at all", "notes.txt")
    parse_object.delay(sha)
    first = _rows(svc, sha)
    parse_object.delay(sha)
    assert _rows(svc, sha) == first
    assert svc.catalog.count("parse_results") == 1


def test_missing_object_is_recorded_not_lost(svc: Services) -> None:
    sha = _archive(svc, b"%PDF-1.4 gone", "gone.pdf")
    svc.store.delete(content_key(sha))
    parse_object.delay(sha)
    assert svc.catalog.parse_status(sha) == "failed"
    [document] = list(svc.catalog.records(sha256=sha, type="document"))
    assert "missing" in " ".join(document["errors"])


def test_transient_store_errors_are_retried(svc: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    sha = _archive(svc, b"plain text", "a.txt")
    real_get = svc.store.get
    calls: list[str] = []

    def flaky_get(key: str) -> bytes:
        calls.append(key)
        if len(calls) < 3:
            raise StoreUnavailable("endpoint down")
        return real_get(key)

    monkeypatch.setattr(svc.store, "get", flaky_get)
    parse_object.delay(sha)
    assert len(calls) == 3
    assert svc.catalog.parse_status(sha) is not None
