"""The crawl child process: start it, read its event stream, and kill it if it stalls.

A crawl that hangs (a browser page that never answers, a request parked forever) would otherwise
hold its caller (a CLI run, a Celery worker, a test) for ever. The child beats every few seconds
with a progress count (``crawler/heartbeat.py``); when neither a new event nor a moving count
arrives for ``stall_timeout`` seconds, the watchdog asks the child for every thread's stack
(SIGUSR1, written to the crawl log by ``faulthandler``), stops it with everything it started
(`stop_crawl`: Chromium included) and the run fails with ``CrawlStalled`` and the log's tail. Time
the parent spends handling an event (an eager parse, say) never counts as the child's stall.

However the parent leaves (the crawl's end, a failure, SIGTERM or SIGINT raised as
``tasks.interrupts.Interrupted``), the child and its descendants are stopped on the way out; and
while the child runs, a thread of the parent's beats (``beat``) so the run's record shows an owner
that is alive.
"""

from __future__ import annotations

import contextlib
import json
import logging
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

log = logging.getLogger(__name__)

_DUMP_GRACE_S = 2.0
_BROWSER_GRACE_S = 5.0  # for Playwright to close Chromium (and remove its profile) before the kill
BEAT_S = 30.0  # how often the parent's liveness is recorded while the crawl runs


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
    stop_crawl(proc)


def stop_crawl(proc: subprocess.Popen[str], grace: float = _BROWSER_GRACE_S) -> None:
    """Stop the crawl process and every process it started, Chromium included (not reaped here).

    Playwright starts Chromium in a process group of its own, so killing the crawl's group alone
    would leave the browser running: the whole tree is read from ``/proc`` first. The crawl process
    is killed at once; Playwright's driver, its pipe closed, then closes Chromium, removes the
    browser's profile folder and exits. What is left of the tree after ``grace`` seconds is frozen,
    so it cannot start more, and killed.
    """
    table = _processes()
    tree = _identities(table, _tree(table, {proc.pid}))
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(proc.pid, signal.SIGKILL)
    rest = {ident for ident in tree if ident[0] != proc.pid}
    deadline = time.monotonic() + grace
    while rest and time.monotonic() < deadline:
        time.sleep(0.1)
        table = _processes()
        rest = {ident for ident in rest if _running(table, ident)}
    _kill_all(tree)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # where /proc cannot be read, the group at least


# One process as (pid, start time): a pid that was reused since it was seen is another process.
Ident = tuple[int, int]


def _processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, start time in clock ticks, state), from ``/proc``."""
    table: dict[int, tuple[int, int, str]] = {}
    with contextlib.suppress(OSError):
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    raw = f.read()
            except OSError:
                continue
            fields = raw[raw.rindex(b")") + 2:].split()  # after "pid (command) "; the command may hold spaces
            table[int(name)] = (int(fields[1]), int(fields[19]), fields[0].decode())
    return table


def _tree(table: dict[int, tuple[int, int, str]], roots: set[int]) -> set[int]:
    """`roots` and all their descendants that `table` knows."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, *_) in table.items():
        children.setdefault(ppid, []).append(pid)
    found: set[int] = set()
    todo = [pid for pid in roots if pid in table]
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(children.get(pid, ()))
    return found


def _identities(table: dict[int, tuple[int, int, str]], pids: set[int]) -> set[Ident]:
    return {(pid, table[pid][1]) for pid in pids if pid in table}


def _running(table: dict[int, tuple[int, int, str]], ident: Ident) -> bool:
    entry = table.get(ident[0])
    return entry is not None and entry[1] == ident[1] and entry[2] != "Z"


def _kill_all(known: set[Ident]) -> None:
    """SIGKILL `known` and their descendants, after SIGSTOP has frozen all of them (no new forks)."""
    stopped: set[Ident] = set()
    while True:
        table = _processes()
        live = {pid for pid, start in known | stopped if _running(table, (pid, start))}
        found = {i for i in _identities(table, _tree(table, live)) if _running(table, i)} - stopped
        if not found:
            break
        for pid, _ in found:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGSTOP)
        stopped |= found
    for pid, _ in stopped:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def run_crawl_process(config: CrawlConfig, log_file: Path, on_event: Callable[[Event], None],
                      beat: Callable[[], None] | None = None) -> Event:
    """Run ``python -m govbudget.crawler.run`` on ``config``; hand each event to ``on_event``.

    Returns the child's final ``summary`` event. Raises ``CrawlStalled`` when the watchdog had to
    kill it (after ``config.stall_timeout`` seconds without progress) and ``CrawlFailed`` when it
    exited badly or without a summary. ``beat`` is called every ``BEAT_S`` seconds from a thread of
    its own while the child runs (its errors are logged, never raised).
    """
    env = dict(os.environ, PYTHONUNBUFFERED="1", GOVBUDGET_CRAWL_PARENT=str(os.getpid()))
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
        if beat is not None:
            threading.Thread(target=_beat, args=(beat, done), daemon=True, name="crawl-beat").start()
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
                stop_crawl(proc)
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


def _beat(beat: Callable[[], None], done: threading.Event) -> None:
    while not done.wait(BEAT_S):
        try:
            beat()
        except Exception:  # a catalog outage must not end the crawl; the next beat tries again
            log.warning("crawl heartbeat failed", exc_info=True)


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
