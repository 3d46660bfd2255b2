"""The crawl child process: start it, read its event stream, and kill it if it stalls.

A crawl that hangs (a browser page that never answers, a request parked forever) would otherwise
hold its caller (a CLI run, a Celery worker, a test) for ever. The child beats every few seconds
with a progress count (``crawler/heartbeat.py``); when neither a new event nor a moving count
arrives for ``stall_timeout`` seconds, the watchdog asks the child for every thread's stack
(SIGUSR1, written to the crawl log by ``faulthandler``), kills its whole process group (Chromium
included) and the run fails with ``CrawlStalled`` and the log's tail. Time the parent spends
handling an event (an eager parse, say) never counts as the child's stall.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from govbudget.crawler.config import CrawlConfig

Event = dict[str, Any]

_DUMP_GRACE_S = 2.0


class CrawlFailed(RuntimeError):
    """The crawl process ended badly; the message carries the tail of its log."""


class CrawlStalled(CrawlFailed):
    """The crawl process made no progress for the stall timeout and was killed."""


class _Watchdog:
    """Tracks the last sign of progress; only time spent waiting on the child counts."""

    def __init__(self, stall_timeout: float) -> None:
        self.stall_timeout = stall_timeout
        self._lock = threading.Lock()
        self._last = time.monotonic()
        self._progress: object = None
        self._busy_since: float | None = None
        self.fired = False

    def saw(self, event: Event) -> None:
        with self._lock:
            if event.get("event") != "heartbeat" or event.get("progress") != self._progress:
                self._last = time.monotonic()
            if event.get("event") == "heartbeat":
                self._progress = event.get("progress")

    def busy(self, flag: bool) -> None:
        """Mark the parent busy with an event; the time spent is added back to the child's credit."""
        with self._lock:
            now = time.monotonic()
            if flag:
                self._busy_since = now
            elif self._busy_since is not None:
                self._last += now - self._busy_since
                self._busy_since = None

    def stalled(self) -> bool:
        with self._lock:
            idle = self._busy_since is None and time.monotonic() - self._last > self.stall_timeout
            return idle

    def watch(self, proc: subprocess.Popen[str], done: threading.Event) -> None:
        while not done.wait(min(1.0, self.stall_timeout / 4)):
            if self.stalled():
                self.fired = True
                _kill_stalled(proc)
                return


def _kill_stalled(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGUSR1)
    time.sleep(_DUMP_GRACE_S)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def run_crawl_process(config: CrawlConfig, log_file: Path, on_event: Callable[[Event], None]) -> Event:
    """Run ``python -m govbudget.crawler.run`` on ``config``; hand each event to ``on_event``.

    Returns the child's final ``summary`` event. Raises ``CrawlStalled`` when the watchdog had to
    kill it (after ``config.stall_timeout`` seconds without progress) and ``CrawlFailed`` when it
    exited badly or without a summary.
    """
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    stall_timeout = config.stall_timeout
    watchdog = _Watchdog(stall_timeout)
    done = threading.Event()
    child_summary: Event = {}
    with log_file.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "govbudget.crawler.run"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env, text=True,
            start_new_session=True,  # its own process group, so a kill takes Chromium along
        )
        guard = threading.Thread(target=watchdog.watch, args=(proc, done), daemon=True,
                                 name="crawl-watchdog")
        guard.start()
        try:
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(config.to_json())
            proc.stdin.close()
            for line in proc.stdout:
                event = decode_event(line)
                if event is None:
                    continue
                watchdog.saw(event)
                if event["event"] == "summary":
                    child_summary = event
                watchdog.busy(True)
                try:
                    on_event(event)
                finally:
                    watchdog.busy(False)
            code = proc.wait()
        finally:
            done.set()
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    tail = log_file.read_text(encoding="utf-8", errors="replace")[-4000:]
    if watchdog.fired:
        raise CrawlStalled(
            f"crawl process made no progress for {stall_timeout:.0f}s and was killed; "
            f"log {log_file}:\n{tail}"
        )
    if code != 0 or not child_summary:
        raise CrawlFailed(f"crawl process exited with {code}; log {log_file}:\n{tail}")
    return child_summary


def decode_event(line: str) -> Event | None:
    """One line of the child's standard output as an event, or None for anything else."""
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        return None
    return event if isinstance(event, dict) and "event" in event else None
