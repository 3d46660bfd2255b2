"""Issue #11: a response without Content-Length (chunked) is held to its content type's size cap
while it streams, and the skip is one WARNING line in the crawl log, not an error traceback."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

CAP = 256 * 1024  # the test's cap for text/html and application/pdf
CHUNK = 64 * 1024
BIG_CHUNKS = 48  # 3 MiB streamed, twelve times the cap


class _ChunkedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # keep the test output quiet
        pass

    def do_GET(self) -> None:
        if self.path == "/index.html":
            body = ('<html><head><title>预算公开</title></head><body>'
                    '<a href="/big.html">预算公开栏目</a>'
                    '<a href="/files/budget.pdf">2023年部门预算</a>'
                    '<a href="/files/declared.pdf">2022年部门预算</a></body></html>').encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path in ("/big.html", "/files/budget.pdf"):
            html = self.path.endswith(".html")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8" if html else "application/pdf")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            head = b"<html><body>" if html else b"%PDF-1.7\n"
            try:
                for i in range(BIG_CHUNKS):
                    data = (head if i == 0 else b"") + b"x" * CHUNK
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the crawler hung up: what the cap is for
            return
        if self.path == "/files/declared.pdf":  # a length past the cap, announced
            body = b"%PDF-1.7\n" + b"x" * (BIG_CHUNKS * CHUNK)
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)
            return
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def chunked_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ChunkedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def crawled(tmp_path: Path, chunked_server: str) -> dict[str, Any]:
    from govbudget.tasks.crawl import crawl_config, run_crawl
    from govbudget.tasks.runtime import configure
    from govbudget.tasks.settings import Settings

    base = chunked_server
    svc = configure(Settings.from_env(data_dir=tmp_path, allow_loopback=True,
                                      size_caps={"text/html": CAP, "application/pdf": CAP}))
    events: list[dict[str, Any]] = []
    summary = run_crawl(svc, crawl_config(svc.settings, [f"{base}/index.html"]), on_event=events.append)
    return {"base": base, "svc": svc, "summary": summary, "events": events,
            "log": Path(summary.log_file).read_text(encoding="utf-8")}


def test_chunked_page_and_file_past_their_cap_are_skipped_not_archived(crawled: dict[str, Any]) -> None:
    base = crawled["base"]
    skipped = {e["url"]: e for e in crawled["events"] if e["event"] == "skipped"}
    assert set(skipped) == {f"{base}/big.html", f"{base}/files/budget.pdf", f"{base}/files/declared.pdf"}
    declared = skipped.pop(f"{base}/files/declared.pdf")
    assert (declared["size"], declared["cap"], declared["declared"]) == (BIG_CHUNKS * CHUNK + 9, CAP, True)
    for event in skipped.values():
        assert event["reason"] == "oversize"
        assert event["cap"] == CAP
        assert CAP < event["size"] < 2 * CAP  # stopped while streaming, not at the end
        assert event["declared"] is False
    assert crawled["summary"].skipped_oversize == 3
    archived = {c.url for c in crawled["svc"].catalog.captures()}
    assert archived == {f"{base}/index.html"}


def test_oversize_skip_is_one_warning_line_without_traceback(crawled: dict[str, Any]) -> None:
    log = crawled["log"]
    for path in ("/big.html", "/files/budget.pdf", "/files/declared.pdf"):
        lines = [line for line in log.splitlines() if path in line]
        assert len(lines) == 1, lines
        assert "WARNING: skipped oversize" in lines[0]
        assert f"over the {CAP}-byte cap" in lines[0]
    assert "Traceback" not in log
    assert "ERROR" not in log
