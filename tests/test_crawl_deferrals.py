"""Issue #14 item 6: deferrals are not failures.

A 429/503 with Retry-After makes the request wait without spending its retry budget (bounded per
request, so a server that always says 429 still ends); the wait holds only that request; a file
that still fails is tried once more when everything else is done, and one that fails there too is
a recorded failure with its reason: a ``failed`` event, the crawl summary, ``govbudget docs --failed``.

One crawl of a small local portal:

- ``flaky.pdf`` answers 500, 429 (Retry-After: 1), 500, 429 (Retry-After: 1), then 200;
- ``broken.pdf`` answers 500 always;
- ``busy.pdf`` answers 429 with Retry-After: 0 always;
- ``slow.pdf`` answers 503 (Retry-After: 10) once, then 200; ``more.html`` is answered only once that
  503 went out, and links ``a.pdf`` and ``b.pdf``, which are fetched while ``slow.pdf`` waits.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.cli_process import run_cli

RETRY_TIMES = 3  # crawler/scrapy_settings.py
MAX_DEFERRALS = 5  # crawler/politeness.py
FLAKY = [(500, None), (429, "1"), (500, None), (429, "1"), (200, None)]
SLOW_WAIT = "10"

INDEX = ('<html><head><title>预算公开</title></head><body>'
         '<a href="/files/flaky.pdf">2024年部门预算</a>'
         '<a href="/files/broken.pdf">2023年部门预算</a>'
         '<a href="/files/busy.pdf">2022年部门预算</a>'
         '<a href="/files/slow.pdf">2021年部门预算</a>'
         '<a href="/more.html">预算公开栏目</a></body></html>')
MORE = ('<html><head><title>预算公开栏目</title></head><body>'
        '<a href="/files/a.pdf">2020年部门预算</a>'
        '<a href="/files/b.pdf">2019年部门预算</a></body></html>')


class _Portal:
    """What the handler serves and saw: every request in arrival order, as (path, status)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.log: list[tuple[str, int]] = []
        self.slow_deferred = threading.Event()

    def answer(self, path: str) -> tuple[int, str | None, bytes, str]:
        """(status, Retry-After, body, content type) for the n-th request of `path`."""
        with self.lock:
            self.counts[path] += 1
            n = self.counts[path]
        pdf = b"%PDF-1.4\n" + path.encode() + b"\n%%EOF\n"
        if path == "/index.html":
            return 200, None, INDEX.encode(), "text/html; charset=utf-8"
        if path == "/more.html":
            self.slow_deferred.wait(60)  # found only once slow.pdf was told to wait
            return 200, None, MORE.encode(), "text/html; charset=utf-8"
        if path == "/files/flaky.pdf":
            status, after = FLAKY[min(n, len(FLAKY)) - 1]
            return status, after, pdf if status == 200 else b"busy", "application/pdf"
        if path == "/files/broken.pdf":
            return 500, None, b"Internal Server Error", "text/plain"
        if path == "/files/busy.pdf":
            return 429, "0", b"Too Many Requests", "text/plain"
        if path == "/files/slow.pdf" and n == 1:
            return 503, SLOW_WAIT, b"Service Unavailable", "text/plain"
        if path in ("/files/slow.pdf", "/files/a.pdf", "/files/b.pdf"):
            return 200, None, pdf, "application/pdf"
        return 404, None, b"", "text/plain"


def _handler(portal: _Portal) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # keep the test output quiet
            pass

        def do_GET(self) -> None:
            status, after, body, ctype = portal.answer(self.path)
            with portal.lock:
                portal.log.append((self.path, status))
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if after is not None:
                self.send_header("Retry-After", after)
            self.end_headers()
            self.wfile.write(body)
            if self.path == "/files/slow.pdf" and status == 503:
                portal.slow_deferred.set()

    return Handler


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from govbudget.tasks.crawl import crawl_config, run_crawl
    from govbudget.tasks.runtime import configure
    from govbudget.tasks.settings import Settings

    portal = _Portal()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(portal))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    data = tmp_path_factory.mktemp("deferrals")
    try:
        svc = configure(Settings.from_env(data_dir=data, allow_loopback=True))
        events: list[dict[str, Any]] = []
        summary = run_crawl(svc, crawl_config(svc.settings, [f"{base}/index.html"]), on_event=events.append)
        yield {"base": base, "svc": svc, "data": data, "summary": summary, "events": events,
               "log": list(portal.log), "crawl_log": Path(summary.log_file).read_text(encoding="utf-8")}
    finally:
        server.shutdown()
        server.server_close()


def _archived(crawled: dict[str, Any]) -> list[str]:
    """Paths of the files archived, in the order the crawl reported them."""
    return [e["url"].removeprefix(crawled["base"]) for e in crawled["events"]
            if e["event"] == "archived" and e.get("kind") == "file"]


def _statuses(crawled: dict[str, Any], path: str) -> list[int]:
    return [status for p, status in crawled["log"] if p == path]


def test_retry_after_deferrals_do_not_spend_the_retry_budget(crawled: dict[str, Any]) -> None:
    assert _statuses(crawled, "/files/flaky.pdf") == [status for status, _ in FLAKY]
    assert "/files/flaky.pdf" in _archived(crawled)
    # the two 500s are its retries (within RETRY_TIMES), the two 429s its deferrals
    assert _statuses(crawled, "/files/flaky.pdf").count(500) == 2 <= RETRY_TIMES
    summary = crawled["summary"]
    # deferrals: flaky 2, slow 1, busy MAX_DEFERRALS in each of its two passes
    assert summary.deferrals == 2 + 1 + 2 * MAX_DEFERRALS
    # retries: flaky 2, broken and busy RETRY_TIMES in each of their two passes
    assert summary.retries == 2 + 2 * RETRY_TIMES + 2 * RETRY_TIMES


def test_a_server_that_always_says_429_still_ends(crawled: dict[str, Any]) -> None:
    # per pass: the first answer, MAX_DEFERRALS deferrals, then RETRY_TIMES retries; two passes
    assert _statuses(crawled, "/files/busy.pdf") == [429] * 2 * (1 + MAX_DEFERRALS + RETRY_TIMES)
    assert "/files/busy.pdf" not in _archived(crawled)


def test_a_retry_after_wait_holds_only_its_own_request(crawled: dict[str, Any]) -> None:
    paths = [p for p, _ in crawled["log"]]
    deferred = paths.index("/files/slow.pdf")
    again = paths.index("/files/slow.pdf", deferred + 1)
    assert crawled["log"][deferred] == ("/files/slow.pdf", 503)
    assert deferred < paths.index("/files/a.pdf") < again
    assert deferred < paths.index("/files/b.pdf") < again
    archived = _archived(crawled)
    # a.pdf and b.pdf were archived while slow.pdf waited; slow.pdf after its wait
    assert archived.index("/files/a.pdf") < archived.index("/files/slow.pdf")
    assert archived.index("/files/b.pdf") < archived.index("/files/slow.pdf")


def test_a_failed_file_is_tried_again_when_everything_else_is_done(crawled: dict[str, Any]) -> None:
    paths = [p for p, _ in crawled["log"]]
    broken = [i for i, p in enumerate(paths) if p == "/files/broken.pdf"]
    assert len(broken) == 2 * (1 + RETRY_TIMES)
    second_pass = broken[1 + RETRY_TIMES]
    others = [i for i, p in enumerate(paths) if p not in ("/files/broken.pdf", "/files/busy.pdf")]
    assert max(others) < second_pass  # every other file and page was done before its second pass
    assert set(_archived(crawled)) == {"/files/flaky.pdf", "/files/slow.pdf", "/files/a.pdf", "/files/b.pdf"}


def test_a_file_failing_its_deferred_pass_too_is_a_recorded_failure(crawled: dict[str, Any]) -> None:
    base, summary = crawled["base"], crawled["summary"]
    failed = {e["url"]: e for e in crawled["events"] if e["event"] == "failed"}
    assert {u: e["reason"] for u, e in failed.items()} == {
        f"{base}/files/broken.pdf": "HTTP 500", f"{base}/files/busy.pdf": "HTTP 429"}
    assert failed[f"{base}/files/broken.pdf"]["referrer"] == f"{base}/index.html"
    assert (summary.files_deferred, summary.files_failed) == (2, 2)
    expected = [{"url": f"{base}/files/broken.pdf", "reason": "HTTP 500"},
                {"url": f"{base}/files/busy.pdf", "reason": "HTTP 429"}]
    assert sorted(summary.failed_files, key=lambda f: f["url"]) == expected
    stored = crawled["svc"].catalog.crawl_run(summary.crawl_id).summary
    assert (stored["files_failed"], sorted(stored["failed_files"], key=lambda f: f["url"])) == (2, expected)


def test_failed_files_are_one_error_line_each_without_traceback(crawled: dict[str, Any]) -> None:
    errors = [line for line in crawled["crawl_log"].splitlines() if "] ERROR: " in line]
    assert len(errors) == 2, errors
    assert any("failed file" in e and "/files/broken.pdf: HTTP 500" in e for e in errors)
    assert any("failed file" in e and "/files/busy.pdf: HTTP 429" in e for e in errors)
    assert "Traceback" not in crawled["crawl_log"]


def test_docs_failed_lists_the_failed_files(crawled: dict[str, Any]) -> None:
    base, summary = crawled["base"], crawled["summary"]
    out = run_cli("docs", "--failed", "--data-dir", str(crawled["data"]))
    assert out.returncode == 0, out.stderr
    rows = sorted((json.loads(line) for line in out.stdout.splitlines()), key=lambda r: r["url"])
    assert [(r["crawl_id"], r["url"], r["reason"], r["archived_since"]) for r in rows] == [
        (summary.crawl_id, f"{base}/files/broken.pdf", "HTTP 500", None),
        (summary.crawl_id, f"{base}/files/busy.pdf", "HTTP 429", None),
    ]
    assert all(r["failed_at"] for r in rows)


def test_docs_failed_says_when_a_later_crawl_got_the_file(catalog: Any) -> None:
    from datetime import UTC, datetime

    from govbudget.storage.catalog import CaptureRow
    from govbudget.storage.fetch import utc_now
    from govbudget.storage.keys import content_key, sha256_hex
    from govbudget.tasks.crawl import failed_files

    def capture(url: str, body: bytes, at: datetime) -> str:
        sha = sha256_hex(body)
        catalog.record_capture(CaptureRow(sha256=sha, url=url, fetched_at=at), size=len(body),
                               storage_key=content_key(sha), content_type="application/pdf")
        return sha

    got, gone = "http://a.test/files/got.pdf", "http://a.test/files/gone.pdf"
    capture(gone, b"%PDF- an older version", datetime(2024, 3, 1, tzinfo=UTC))  # before the failing run
    run = catalog.start_crawl(["http://a.test/"])
    catalog.finish_crawl(run, {"failed_files": [{"url": got, "reason": "HTTP 503"},
                                                {"url": gone, "reason": "TimeoutError: took too long"}]})
    later = capture(got, b"%PDF- fetched by the next crawl", utc_now())
    rows = list(failed_files(catalog))
    assert [(r["crawl_id"], r["url"], r["reason"], r["archived_since"]) for r in rows] == [
        (run, got, "HTTP 503", later), (run, gone, "TimeoutError: took too long", None)]


def test_a_file_answering_404_is_a_recorded_failure(tmp_path: Path) -> None:
    """A status no retry helps is not dropped silently: the file is tried once more at the end and
    then listed with its reason, while the other files of the page are archived."""
    from govbudget.tasks.crawl import crawl_config, run_crawl
    from govbudget.tasks.runtime import configure
    from govbudget.tasks.settings import Settings

    served: list[tuple[str, int]] = []
    page = ('<html><head><title>部门预算公开</title></head><body><a href="/gone.pdf">2024年部门预算</a>'
            '<a href="/here.pdf">2023年部门预算</a></body></html>').encode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/index.html":
                status, ctype, body = 200, "text/html; charset=utf-8", page
            elif self.path == "/here.pdf":
                status, ctype, body = 200, "application/pdf", b"%PDF-1.4\nhere\n%%EOF\n"
            else:
                status, ctype, body = 404, "text/plain", b"not found"
            served.append((self.path, status))
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        svc = configure(Settings.from_env(data_dir=tmp_path, allow_loopback=True))
        summary = run_crawl(svc, crawl_config(svc.settings, [f"{base}/index.html"]))
    finally:
        server.shutdown()
        server.server_close()

    assert summary.failed_files == [{"url": f"{base}/gone.pdf", "reason": "HTTP 404"}]
    assert summary.files_failed == 1 and summary.files_archived == 1
    assert [status for path, status in served if path == "/gone.pdf"] == [404, 404]
