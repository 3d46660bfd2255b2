"""``parse_object``: idempotent, failures stored with reasons, transient errors retried, ZIP/RAR
members archived by storage and reported like any file."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from govbudget.storage.attempts import start_parse_attempt
from govbudget.storage.fetch import Fetch
from govbudget.storage.keys import content_key, sha256_hex
from govbudget.storage.object_store import StoreUnavailable
from govbudget.tasks.dispatch import enqueue_parse
from govbudget.tasks.parse_task import MAX_CRASHES, TASK_PARSER, parse_object
from govbudget.tasks.runtime import Services, configure
from govbudget.tasks.settings import Settings
from tests.test_parsers_formats import make_docx, make_html

ZIP_URL = "http://portal.example/files/2023年部门预算.zip"


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


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return buf.getvalue()


def _archive_zip(svc: Services) -> tuple[str, dict[str, bytes]]:
    members = {"县财政局2023年三公经费.docx": make_docx(), "表格.html": make_html("gbk", True)}
    fetch = Fetch(url=ZIP_URL, body=_zip(members), kind="file", crawl_id="crawl-1", region_code="130400",
                  doc_kind="budget", fiscal_year=2023, phase="budget", department="县财政局",
                  title="2023年部门预算（打包下载）")
    return svc.archive.archive(fetch).sha256, members


def test_zip_members_are_archived_with_the_archives_provenance_and_reported(svc: Services) -> None:
    sha, members = _archive_zip(svc)
    events = enqueue_parse(sha)  # the embedded default: parsed here and now
    assert svc.catalog.parse_status(sha) == "ok"
    assert [(e["event"], e["kind"], e["member"], e["url"], e["referrer"]) for e in events] == [
        ("archived", "file", True, f"{ZIP_URL}#{name}", ZIP_URL) for name in members
    ]
    assert [e["sha256"] for e in events] == [sha256_hex(body) for body in members.values()]
    assert all(e["new_object"] for e in events)
    for event, name in zip(events, members, strict=True):
        [capture] = list(svc.catalog.captures(event["sha256"]))
        assert capture.id == event["capture_id"]
        assert (capture.link_text, capture.title, capture.kind) == (name, name, "file")
        # what the crawler told of the archive; the body each member belongs to is the parser's to say
        assert (capture.crawl_id, capture.region_code, capture.doc_kind) == ("crawl-1", "130400", "budget")
        assert (capture.fiscal_year, capture.phase, capture.department) == (2023, "budget", None)
        assert capture.format == event["format"] == name.rsplit(".", 1)[1]
        assert svc.catalog.parse_status(event["sha256"]) == "ok"


def test_the_crawl_tally_counts_fetched_files_and_archive_members_apart(svc: Services) -> None:
    sha, _ = _archive_zip(svc)
    other = svc.archive.archive(Fetch(url="http://portal.example/b.pdf", body=b"%PDF-1.4 x", kind="file",
                                      crawl_id="crawl-1")).sha256
    def tally(crawl_id: str, members: bool = False) -> tuple[int, ...]:
        counts = svc.catalog.parse_tally(crawl_id, members=members)
        return counts["ok"], counts["partial"], counts["failed"], counts["pending"]

    assert tally("crawl-1") == (0, 0, 0, 2)
    enqueue_parse(sha)
    assert tally("crawl-1") == (1, 0, 0, 1)
    assert tally("crawl-1", members=True) == (2, 0, 0, 0)
    enqueue_parse(other)
    assert tally("crawl-1") == (1, 0, 1, 0)
    assert tally("crawl-2") == (0, 0, 0, 0)


def test_a_file_that_killed_its_workers_gets_a_failed_result_from_the_task(svc: Services) -> None:
    sha = _archive(svc, b"%PDF-1.4 poison", "poison.pdf")
    for _ in range(MAX_CRASHES + 1):  # each start without a finish is a worker that died
        start_parse_attempt(svc.catalog, sha, "w1")
    assert enqueue_parse(sha) == []
    [result] = list(svc.catalog.parse_results(sha))
    assert (result.parser, result.status) == (TASK_PARSER, "failed") and TASK_PARSER != "archive"
    assert "gave up" in result.errors[0]


PARSE_IN_A_FRESH_PROCESS = """
import json, sys
from govbudget.tasks.dispatch import enqueue_parse
from govbudget.tasks.runtime import configure
from govbudget.tasks.settings import Settings
configure(Settings.from_env({}, data_dir=sys.argv[1]))
events = enqueue_parse(sys.argv[2])
# a file's region is read from its names with govbudget.regions, never through the crawler
crawler = [m for m in sys.modules if m.startswith("govbudget.crawler")]
print(json.dumps([len(events), sorted(crawler + [m for m in ("scrapy", "twisted") if m in sys.modules])]))
"""


def test_parsing_an_archive_loads_nothing_of_the_crawler(svc: Services) -> None:
    sha, members = _archive_zip(svc)
    out = subprocess.run(
        [sys.executable, "-c", PARSE_IN_A_FRESH_PROCESS, str(svc.settings.data_dir), sha],
        capture_output=True, text=True, check=True, timeout=300,
    ).stdout
    assert json.loads(out.strip().splitlines()[-1]) == [len(members), []]
