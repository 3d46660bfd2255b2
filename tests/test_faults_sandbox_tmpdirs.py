"""Issue #11: no ``govbudget-parse-*`` temporary folder outlives its parse child.

A parent that dies while its child parses (SIGKILL, a Celery pool process's ``os._exit``) used to
leave the child to finish, fail to answer and exit without removing its folder; a child whose
converter hangs lived on. Now the child learns of its parent's death at once (``PR_SET_PDEATHSIG``),
stops what it started and removes its folder on every way out; and a folder whose parent and child
were both killed outright is swept by the next child's parent. Real processes, real signals.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from govbudget.parsers.outcome import ParseOutcome, failed_outcome
from govbudget.tasks import parse_sandbox
from govbudget.tasks.parse_child import TMPDIR_PREFIX
from govbudget.tasks.parse_sandbox import Limits

LIMITS = Limits(memory_mb=1024, cpu_seconds=30)

PARENT = """
import sys
from govbudget.tasks.parse_sandbox import Limits, _current
from tests.test_faults_sandbox_tmpdirs import {target}
w = _current(Limits(memory_mb=1024, cpu_seconds=30))
print(w.tmpdir, w.proc.pid, flush=True)
w.run({target}, sys.argv[1].encode(), None, "0" * 64)
"""


def slow_parse(data: bytes, *, filename: str | None, sha256: str) -> ParseOutcome:
    """Target: says it started (a file named by `data`), then parses for a few seconds."""
    Path(data.decode()).write_text(str(os.getpid()))
    time.sleep(3)
    return failed_outcome(sha256=sha256, fmt="unknown", parser="slow", errors=["done"])


def hung_converter(data: bytes, *, filename: str | None, sha256: str) -> ParseOutcome:
    """Target: starts a converter that never returns (a stuck LibreOffice) and waits for it."""
    proc = subprocess.Popen(["sleep", "300"])
    Path(data.decode()).write_text(str(proc.pid))
    proc.wait()
    raise AssertionError("not reached")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _wait_for(predicate, seconds: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    """Poll briefly; nothing about speed is asserted."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def _parent_mid_parse(target: str, started: Path) -> tuple[subprocess.Popen[str], Path, int]:
    """A parent process whose child is in the middle of `target` when this returns."""
    parent = subprocess.Popen([sys.executable, "-c", PARENT.format(target=target), str(started)],
                              stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    folder, child = parent.stdout.readline().split()
    assert _wait_for(started.exists), "the child never started parsing"
    return parent, Path(folder), int(child)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_parent_killed_mid_parse_leaves_no_folder(tmp_path: Path, how: signal.Signals) -> None:
    parent, folder, child = _parent_mid_parse("slow_parse", tmp_path / "started")
    assert folder.name.startswith(TMPDIR_PREFIX) and folder.exists()
    os.kill(parent.pid, how)
    parent.wait()
    assert _wait_for(lambda: not _alive(child)), "the orphaned child kept running"
    assert _wait_for(lambda: not folder.exists()), f"{folder} outlived its child"


def test_a_parent_killed_while_its_converter_hangs_takes_child_and_converter_down(tmp_path: Path) -> None:
    started = tmp_path / "converter.pid"
    parent, folder, child = _parent_mid_parse("hung_converter", started)
    converter = int(started.read_text())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    assert _wait_for(lambda: not _alive(child)), "the orphaned child waited on its converter"
    assert _wait_for(lambda: not _alive(converter)), "the converter outlived the child"
    assert _wait_for(lambda: not folder.exists())


def test_folders_of_dead_parents_and_children_are_swept_when_a_child_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both killed outright (SIGKILL, the OOM killer): nobody cleaned up, the next worker does."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    parent = subprocess.Popen([sys.executable, "-c", PARENT.format(target="slow_parse"), str(tmp_path / "s")],
                              stdout=subprocess.PIPE, text=True, env=dict(os.environ, TMPDIR=str(tmp_path)))
    assert parent.stdout is not None
    folder, child = parent.stdout.readline().split()
    assert _wait_for((tmp_path / "s").exists)
    os.kill(int(child), signal.SIGKILL)  # the child first: it cannot clean up, then its parent
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    assert _wait_for(lambda: not _alive(int(child)))
    stale = Path(folder)
    assert stale.parent == tmp_path and stale.exists()
    legacy = tmp_path / f"{TMPDIR_PREFIX}abc123"  # an older version's name says no owner: left alone
    legacy.mkdir()
    live = tmp_path / f"{TMPDIR_PREFIX}{os.getpid()}-x"  # a live parent's: left alone
    live.mkdir()

    worker = parse_sandbox._Worker(LIMITS)
    try:
        assert Path(worker.tmpdir).parent == tmp_path
        assert not stale.exists()
        assert legacy.exists() and live.exists() and Path(worker.tmpdir).exists()
        outcome = worker.run(parse_sandbox.parse_bytes, b"plain text", "a.txt", "1" * 64)
        assert isinstance(outcome, ParseOutcome)
    finally:
        worker.stop()
    assert not Path(worker.tmpdir).exists()


def test_a_child_that_cannot_start_leaves_no_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(parse_sandbox.sys, "executable", str(tmp_path / "no-such-python"))
    with pytest.raises(FileNotFoundError):
        parse_sandbox._Worker(LIMITS)
    assert not list(tmp_path.glob(f"{TMPDIR_PREFIX}*"))
