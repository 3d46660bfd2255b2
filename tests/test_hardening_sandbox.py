"""Parsing in a limited child process (issue #7): a pathological file fails alone.

The misbehaving parsers below are real parsers plugged in through the registry *inside the child*
(the child runs ``with_test_parsers``), so the limits are enforced by the kernel on a real process:
an address-space cap that makes allocation fail, a CPU-time cap that sends SIGXCPU, a signal that
kills the child, a converter that never returns. After each, the same worker parses a real file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from govbudget.corpus.render_xlsx import render_xlsx
from govbudget.parsers import parse_bytes
from govbudget.parsers.outcome import ParseOutcome, failed_outcome
from govbudget.parsers.registry import register
from govbudget.storage.fetch import Fetch
from govbudget.storage.keys import content_key
from govbudget.tasks import parse_sandbox, parse_task
from govbudget.tasks.parse_sandbox import Limits, limits_note, parse_sandboxed
from govbudget.tasks.parse_task import parse_object
from govbudget.tasks.runtime import Services, configure
from govbudget.tasks.settings import Settings

MEMORY_MB = 1024
NOTE = limits_note(Limits(memory_mb=MEMORY_MB, cpu_seconds=1))  # what a failure by the sandbox records
PID_FILE_ENV = "GOVBUDGET_TEST_CONVERTER_PID_FILE"


class MisbehavingParser:
    """Claims files that start with its magic word, then does what the word says."""

    name = "misbehaving"
    version = "test"
    formats = frozenset({"unknown"})

    def score(self, data: bytes, fmt: str) -> float:
        return 100.0 if data.split(b"\n")[0] in (b"MEMORY-HOG", b"CPU-HOG", b"SUICIDE", b"HANG") else 0.0

    def parse(self, data: bytes, *, fmt: str, sha256: str, filename: str | None) -> ParseOutcome:
        word = data.split(b"\n")[0]
        if word == b"MEMORY-HOG":
            blocks = []
            for _ in range(4 * MEMORY_MB // 64):  # four times the cap, 64 MiB at a time
                blocks.append(bytearray(64 * 1024 * 1024))
        elif word == b"CPU-HOG":
            n = 0
            while True:
                n += 1
        elif word == b"SUICIDE":
            os.kill(os.getpid(), signal.SIGKILL)
        elif word == b"HANG":  # a converter that never returns, like a stuck LibreOffice
            proc = subprocess.Popen(["sleep", "300"])
            Path(data.split(b"\n")[1].decode()).write_text(str(proc.pid))
            proc.wait()
        return failed_outcome(sha256=sha256, fmt=fmt, parser="misbehaving@test", errors=["survived"])


# A hanging parser's wall clock: long enough for a new child to start and import on a loaded machine
# (it counts from the request), short enough to keep the test quick.
HANG_WALL_S = 10

def with_test_parsers(data: bytes, *, filename: str | None, sha256: str) -> ParseOutcome:
    """What the child runs: the real ``parse_bytes`` with the misbehaving parser registered."""
    register(MisbehavingParser())
    return parse_bytes(data, filename=filename, sha256=sha256)


@pytest.fixture
def svc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Services:
    monkeypatch.setattr(parse_task, "PARSE_TARGET", with_test_parsers)
    return configure(Settings.from_env({}, data_dir=tmp_path / "data", parse_memory_mb=MEMORY_MB,
                                       parse_cpu_seconds=1))


def _archive(svc: Services, body: bytes, name: str) -> str:
    return svc.archive.archive(Fetch(url=f"http://portal.example/{name}", body=body, kind="file")).sha256


def _document(svc: Services, sha: str) -> dict[str, Any]:
    [document] = list(svc.catalog.records(sha256=sha, type="document"))
    return document


def _next_parse_succeeds(svc: Services) -> None:
    sha = _archive(svc, render_xlsx("002"), "budget.xlsx")
    parse_object.delay(sha)
    assert svc.catalog.parse_status(sha) == "ok"
    assert any(r["type"] == "line_item" for r in svc.catalog.records(sha256=sha))


def test_memory_hog_fails_with_the_memory_reason_and_the_worker_goes_on(svc: Services) -> None:
    body = b"MEMORY-HOG\n"
    sha = _archive(svc, body, "hog.bin")
    parse_object.delay(sha)
    assert svc.catalog.parse_status(sha) == "failed"
    assert _document(svc, sha)["errors"] == [f"parser exceeded its {MEMORY_MB} MiB memory limit", NOTE]
    assert svc.store.get(content_key(sha)) == body
    _next_parse_succeeds(svc)


def test_cpu_hog_fails_with_the_cpu_reason_and_the_worker_goes_on(svc: Services) -> None:
    sha = _archive(svc, b"CPU-HOG\n", "spin.bin")
    parse_object.delay(sha)
    assert svc.catalog.parse_status(sha) == "failed"
    assert _document(svc, sha)["errors"] == ["parser exceeded its CPU-time limit of 1 s", NOTE]
    _next_parse_succeeds(svc)


def test_a_killed_parser_is_a_failed_result_not_a_dead_worker(svc: Services) -> None:
    sha = _archive(svc, b"SUICIDE\n", "boom.bin")
    parse_object.delay(sha)
    assert _document(svc, sha)["errors"] == ["parser process died with signal 9 (SIGKILL)", NOTE]
    _next_parse_succeeds(svc)


def test_wall_clock_limit_kills_the_parser_and_the_converter_it_started(tmp_path: Path) -> None:
    pid_file = tmp_path / "converter.pid"
    body = b"HANG\n" + str(pid_file).encode()
    limits = Limits(memory_mb=MEMORY_MB, cpu_seconds=5, wall=HANG_WALL_S)
    outcome = parse_sandboxed(body, filename=None, sha256="a" * 64, limits=limits, target=with_test_parsers)
    assert outcome.status == "failed"
    assert outcome.errors == [f"parser exceeded its wall-clock limit of {HANG_WALL_S} s", limits_note(limits)]
    converter = int(pid_file.read_text())
    for _ in range(50):  # reaped by init once killed; poll briefly, no timing asserted
        if not _alive(converter):
            break
        time.sleep(0.1)
    assert not _alive(converter), "the converter started by the parser outlived the timeout"
    good = parse_sandboxed(render_xlsx("002"), filename="b.xlsx", sha256="b" * 64, limits=limits)
    assert good.status == "ok"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_child_really_runs_under_the_limits() -> None:
    limits = Limits(memory_mb=MEMORY_MB, cpu_seconds=7)
    outcome = parse_sandboxed(b"", filename=None, sha256="c" * 64, limits=limits, target=report_limits)
    as_soft, cpu_soft, pid = outcome.errors
    assert int(as_soft) == MEMORY_MB * 1024 * 1024
    assert int(cpu_soft) >= 7
    assert int(pid) != os.getpid()
    assert parse_sandbox._local.worker.proc.pid == int(pid)


def test_a_killed_parser_leaves_no_temporary_files(tmp_path: Path) -> None:
    """What a parser (or the LibreOffice it started) wrote to the temp folder goes when it is killed."""
    note = tmp_path / "litter.path"
    limits = Limits(memory_mb=MEMORY_MB, cpu_seconds=5, wall=HANG_WALL_S)
    outcome = parse_sandboxed(str(note).encode(), filename=None, sha256="f" * 64, limits=limits,
                              target=litter)
    assert outcome.errors == [f"parser exceeded its wall-clock limit of {HANG_WALL_S} s", limits_note(limits)]
    litter_dir = Path(note.read_text())
    assert litter_dir.parent.name.startswith("govbudget-parse-")  # the child's own TMPDIR
    assert not litter_dir.parent.exists()


def litter(data: bytes, *, filename: str | None, sha256: str) -> ParseOutcome:
    """Target that leaves a converter-like working folder behind, then hangs."""
    import tempfile

    work = Path(tempfile.mkdtemp(prefix="govbudget-lo-"))
    (work / "input.doc").write_bytes(b"x" * 1024)
    Path(data.decode()).write_text(str(work))
    time.sleep(300)
    raise AssertionError("not reached")


def test_each_thread_parses_in_its_own_child() -> None:
    """Threads (Celery's threads pool) never share a child: each gets its own outcomes back."""
    from concurrent.futures import ThreadPoolExecutor

    limits = Limits(memory_mb=MEMORY_MB, cpu_seconds=30)

    def parse_three(n: int) -> list[tuple[str, str]]:
        shas = [f"{n}{k}".ljust(64, "0") for k in range(3)]
        outs = [parse_sandboxed(sha.encode(), filename=None, sha256=sha, limits=limits, target=slow_echo)
                for sha in shas]
        return [(sha, out.errors[0]) for sha, out in zip(shas, outs, strict=True)] + [
            ("pid", out.errors[1]) for out in outs]

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(parse_three, range(3)))
    pids = set()
    for pairs in results:
        echoes = [(sent, got) for sent, got in pairs if sent != "pid"]
        assert all(sent == got for sent, got in echoes), echoes
        thread_pids = {pid for tag, pid in pairs if tag == "pid"}
        assert len(thread_pids) == 1  # one child served all of this thread's files
        pids |= thread_pids
    assert len(pids) == 3


def test_a_thread_that_ends_takes_its_child_with_it() -> None:
    """Threads come and go (pools recycle them); their children must not outlive them."""
    import threading

    limits = Limits(memory_mb=MEMORY_MB, cpu_seconds=30)
    seen: list[ParseOutcome] = []
    thread = threading.Thread(target=lambda: seen.append(
        parse_sandboxed(b"x", filename=None, sha256="9" * 64, limits=limits, target=slow_echo)))
    thread.start()
    thread.join()
    pid = int(seen[0].errors[1])
    for _ in range(50):  # reaped by the finalizer as the thread's local goes; poll briefly
        if not _alive(pid):
            break
        time.sleep(0.1)
    assert not _alive(pid), "the ended thread's parse child is still running"


def test_a_child_whose_parent_goes_removes_its_temporary_folder(tmp_path: Path) -> None:
    """A parent that exits without stopping its child (os._exit in a Celery pool process)."""
    script = (
        "import os, sys\n"
        "from govbudget.tasks.parse_sandbox import Limits, _current\n"
        "w = _current(Limits(memory_mb=1024, cpu_seconds=30))\n"
        "print(w.tmpdir, w.proc.pid, flush=True)\n"
        "os._exit(0)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         check=True)
    folder, pid = out.stdout.split()
    for _ in range(100):  # the child sees its stdin close, cleans up and exits; poll briefly
        if not _alive(int(pid)) and not Path(folder).exists():
            break
        time.sleep(0.1)
    assert not Path(folder).exists()
    assert not _alive(int(pid))


def slow_echo(data: bytes, *, filename: str | None, sha256: str) -> ParseOutcome:
    """Target that answers with what it was sent and its pid, after a pause that lets threads overlap."""
    time.sleep(0.2)
    return failed_outcome(sha256=sha256, fmt="unknown", parser="echo",
                          errors=[data.decode(), str(os.getpid())])


def report_limits(data: bytes, *, filename: str | None, sha256: str) -> ParseOutcome:
    """Target that reports the child's own limits and pid as its 'errors'."""
    import resource

    errors = [str(resource.getrlimit(resource.RLIMIT_AS)[0]), str(resource.getrlimit(resource.RLIMIT_CPU)[0]),
              str(os.getpid())]
    return failed_outcome(sha256=sha256, fmt="unknown", parser="probe", errors=errors)


def test_limits_come_from_the_environment() -> None:
    settings = Settings.from_env({"GOVBUDGET_PARSE_MEMORY_MB": "512", "GOVBUDGET_PARSE_CPU_SECONDS": "30"})
    assert (settings.parse_memory_mb, settings.parse_cpu_seconds) == (512, 30)
    assert (Settings().parse_memory_mb, Settings().parse_cpu_seconds) == (2048, 120)


def test_a_reply_with_anything_but_outcome_types_is_refused() -> None:
    """The parent unpickles only outcome types: a compromised child cannot smuggle in other objects."""
    limits = Limits(memory_mb=MEMORY_MB, cpu_seconds=30)
    outcome = parse_sandboxed(b"x", filename=None, sha256="d" * 64, limits=limits, target=smuggle)
    assert outcome.status == "failed"
    assert outcome.errors == ["parser process sent an unreadable result: refused pathlib.PosixPath",
                              limits_note(limits)]
    good = parse_sandboxed(render_xlsx("002"), filename="b.xlsx", sha256="e" * 64, limits=limits)
    assert good.status == "ok"


def smuggle(data: bytes, *, filename: str | None, sha256: str) -> ParseOutcome:
    """Target whose outcome carries an object outside the outcome types."""
    outcome = failed_outcome(sha256=sha256, fmt="unknown", parser="smuggler", errors=["x"])
    outcome.document["title"] = Path("/etc/passwd")
    return outcome
