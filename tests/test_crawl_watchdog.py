"""A crawl whose server never answers is killed by the stall watchdog, with a diagnosable log."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from govbudget.tasks.crawl import CrawlStalled, crawl_config, run_crawl
from govbudget.tasks.crawl_process import decode_event
from govbudget.tasks.runtime import configure
from govbudget.tasks.settings import Settings


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections, reads the request, never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            held.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_stalled_crawl_is_killed_with_its_stacks_in_the_log(silent_server: str, tmp_path: Path) -> None:
    svc = configure(Settings(data_dir=tmp_path, allow_loopback=True, crawl_stall_timeout=4))
    started = time.monotonic()
    with pytest.raises(CrawlStalled) as info:
        run_crawl(svc, crawl_config(svc.settings, [silent_server]))
    elapsed = time.monotonic() - started
    # the download timeout is 60 s: only the watchdog can have ended the run this early
    assert elapsed < 45
    message = str(info.value)
    assert "no progress for 4s" in message
    log_path = Path(message.split("; log ", 1)[1].split(":\n", 1)[0])
    log = log_path.read_text(encoding="utf-8")
    assert "no progress for" in log and silent_server.rstrip("/") in log  # heartbeat named the request
    assert "thread 0x" in log.lower()  # faulthandler's dump of every thread ("Current thread" if one)
    crawl_id = log_path.stem.removeprefix("crawl-")
    run = svc.catalog.crawl_run(crawl_id)
    assert run is not None and run.status == "failed"


def test_decode_event_ignores_noise() -> None:
    assert decode_event('{"event": "heartbeat", "progress": 3}\n') == {"event": "heartbeat", "progress": 3}
    assert decode_event("2026-11-23 INFO scrapy started") is None
    assert decode_event('{"no_event": 1}') is None
    assert decode_event("{broken") is None
