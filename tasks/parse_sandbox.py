"""Run one parse in a child process whose memory and CPU time the kernel caps (issue #7).

A pathological file (pdfminer recursing without end, a table that asks for gigabytes) must fail
alone, never take the worker with it. Parses run in a long-lived child (``parse_child``) that caps
its address space (``RLIMIT_AS``) once and grants itself ``RLIMIT_CPU`` seconds afresh before each
file; it leads its own session and process group, so LibreOffice or antiword started by a parser
die with it when the parent's wall-clock limit strikes. Whatever ends a parse early
becomes a ``failed`` outcome with a reason a person can act on; the raw file stays archived, a new
child takes over and the worker goes on. Such an outcome also records the limits it ran under
(`limits_note`), so ``govbudget repair`` can retry it once the settings raise them.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from govbudget.parsers import detect_format, parse_bytes
from govbudget.parsers.outcome import ParseOutcome, failed_outcome
from govbudget.tasks.parse_child import SANDBOX_PARSER, TMPDIR_PREFIX

Target = Callable[..., ParseOutcome]


@dataclass(frozen=True)
class Limits:
    """Per-parse caps; ``wall_seconds`` also catches a child that sleeps or waits on a converter."""

    memory_mb: int = 2048
    cpu_seconds: int = 120
    wall: int | None = None  # seconds; None means 3 x cpu_seconds + 30

    @property
    def wall_seconds(self) -> int:
        """Generous against CPU time: LibreOffice's own CPU is not counted in the child's."""
        return self.wall if self.wall is not None else 3 * self.cpu_seconds + 30


LIMITS_NOTE = "sandbox limits: memory {memory_mb} MiB, cpu {cpu_seconds} s, wall {wall} s"
_LIMITS_NOTE = re.compile(r"sandbox limits: memory (\d+) MiB, cpu (\d+) s, wall (\d+) s")


def limits_note(limits: Limits) -> str:
    """The line a parse ended by the sandbox adds to its errors: the limits it ran under."""
    return LIMITS_NOTE.format(memory_mb=limits.memory_mb, cpu_seconds=limits.cpu_seconds,
                              wall=limits.wall_seconds)


def recorded_limits(errors: list[str]) -> Limits | None:
    """The limits a failed result's `limits_note` recorded, or None (no note: an older result)."""
    for error in errors:
        match = _LIMITS_NOTE.fullmatch(str(error))
        if match:
            memory_mb, cpu_seconds, wall = (int(g) for g in match.groups())
            return Limits(memory_mb=memory_mb, cpu_seconds=cpu_seconds, wall=wall)
    return None


def _noting_limits(outcome: ParseOutcome, limits: Limits) -> ParseOutcome:
    note = limits_note(limits)
    if note not in outcome.errors:
        outcome.errors.append(note)
        if isinstance(outcome.document.get("errors"), list):
            outcome.document["errors"] = list(outcome.errors)
    return outcome


class _Worker:
    """One long-lived limited child (``python -m govbudget.tasks.parse_child``) parsing files in turn.

    A plain subprocess, not ``multiprocessing``: Celery's prefork pool processes are daemonic and
    billiard's objects cannot be pickled into a multiprocessing child, and a ``ProcessPoolExecutor``
    would hide which signal killed its worker (the reason we must report). The child pays its
    imports once and is reused for ``MAX_TASKS`` parses, replaced when it dies, runs out of time or
    memory. Messages are ``multiprocessing.connection`` frames over its stdin and stdout.

    The child and everything it starts keep their temporary files in a folder of its own
    (``TMPDIR``), removed when the child is stopped: a parser killed mid-conversion cannot clean up
    after itself, and LibreOffice's profile and copies would otherwise pile up over a season. A child
    whose parent dies removes the folder itself (``parse_child``); a folder whose parent and child
    were both SIGKILLed is swept when the next child starts (`sweep_stale_tmpdirs`).
    """

    MAX_TASKS = 200

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        sweep_stale_tmpdirs(tempfile.gettempdir())
        # named for its parent, so a sweep can tell whether anyone still owns it
        self.tmpdir = tempfile.mkdtemp(prefix=f"{TMPDIR_PREFIX}{os.getpid()}-")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p),
                   TMPDIR=self.tmpdir, TEMP=self.tmpdir, TMP=self.tmpdir)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "govbudget.tasks.parse_child", str(limits.memory_mb),
                 str(os.getpid())],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, start_new_session=True,
            )
        except BaseException:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            raise
        _write_owner(self.tmpdir, self.proc.pid)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.send_conn = Connection(os.dup(self.proc.stdin.fileno()), readable=False)
        self.recv_conn = Connection(os.dup(self.proc.stdout.fileno()), writable=False)
        self.proc.stdin.close()
        self.proc.stdout.close()
        self.tasks = 0
        self.owner = os.getpid()  # a forked copy of this object (prefork pools) must not use its pipes
        # Runs on stop(), when the thread that owns this worker ends (its thread-local goes), or at
        # exit; never in a forked copy of this process, whose parent still owns the child.
        self._finalizer = weakref.finalize(self, _terminate, self.owner, self.proc, self.tmpdir,
                                           (self.send_conn, self.recv_conn))

    def run(self, target: Target, data: bytes, filename: str | None, sha256: str) -> ParseOutcome | str:
        """The outcome, or the reason there is none (the child is then stopped)."""
        self.tasks += 1
        try:
            self.send_conn.send((target, data, filename, sha256, self.limits.cpu_seconds))
            if not self.recv_conn.poll(self.limits.wall_seconds):
                self.stop()
                return f"parser exceeded its wall-clock limit of {self.limits.wall_seconds} s"
            raw = self.recv_conn.recv_bytes()
        except (EOFError, OSError):
            self.stop()
            return _death_reason(self.proc.returncode, self.limits)
        except BaseException:  # interrupted (SIGTERM, Ctrl-C) mid-file: its late reply must answer no one
            self.stop()
            raise
        try:
            reply: tuple[ParseOutcome, bool] = _ReplyUnpickler(io.BytesIO(raw)).load()
        except (pickle.UnpicklingError, ValueError, EOFError, TypeError) as exc:
            self.stop()
            return f"parser process sent an unreadable result: {exc}"
        outcome, spent = reply
        if spent:  # the child hit its memory limit: its heap may be in any state, start afresh
            self.stop()
            outcome = _noting_limits(outcome, self.limits)
        return outcome

    @property
    def usable(self) -> bool:
        return self.proc.poll() is None and self.tasks < self.MAX_TASKS

    def stop(self) -> None:
        """Kill the child's process group (the child and any converter it started), reap it and
        remove its temporary folder."""
        self._finalizer()


_OWNER_FILE = ".owner"  # in a child's folder: "<pid namespace> <parent pid> <child pid>"


def _pid_namespace() -> str | None:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return None


def _write_owner(tmpdir: str, child: int) -> None:
    with contextlib.suppress(OSError), open(os.path.join(tmpdir, _OWNER_FILE), "w", encoding="ascii") as f:
        f.write(f"{_pid_namespace()} {os.getpid()} {child}\n")


def _pid_alive(pid: int) -> bool:
    """True while `pid` runs; a zombie (dead, not yet reaped by whoever inherited it) is not alive."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except (OSError, IndexError):
        return True  # cannot tell: leave its folder be


def sweep_stale_tmpdirs(root: str) -> list[str]:
    """Remove the child folders under `root` whose parent and child are both dead; return them.

    A child removes its own folder on every way out but SIGKILL (the OOM killer, say, taking it and
    its parent), so such folders are swept when a parent starts its next child. Only
    folders that say who owned them are touched (``<prefix><parent pid>-*`` with an ``.owner`` file
    naming the child and the pid namespace, so a process elsewhere that happens to have the same
    number is never taken for the owner); anything else under the prefix is left alone.
    """
    namespace = _pid_namespace()
    if namespace is None:
        return []  # no /proc: owners cannot be told apart, sweep nothing
    removed = []
    try:
        names = os.listdir(root)
    except OSError:
        return []
    for name in names:
        if not name.startswith(TMPDIR_PREFIX):
            continue
        folder = os.path.join(root, name)
        try:
            with open(os.path.join(folder, _OWNER_FILE), encoding="ascii") as f:
                ns, parent, child = f.read().split()
            pids = (int(parent), int(child))
        except (OSError, ValueError):
            continue  # not ours to judge: an older version's folder, or one being created
        if ns != namespace or any(_pid_alive(pid) for pid in pids):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _terminate(owner: int, proc: subprocess.Popen[bytes], tmpdir: str,
               conns: tuple[Connection, Connection]) -> None:
    if os.getpid() != owner:
        return
    for conn in conns:
        conn.close()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    shutil.rmtree(tmpdir, ignore_errors=True)


class _ReplyUnpickler(pickle.Unpickler):
    """Unpickles only what an outcome is made of.

    The child is the untrusted side: a parser exploited by a hostile file must not get to run code
    in the worker by answering with a crafted pickle.
    """

    ALLOWED = frozenset({
        ("govbudget.parsers.outcome", "ParseOutcome"), ("govbudget.parsers.outcome", "Member"),
        ("decimal", "Decimal"), ("datetime", "date"), ("datetime", "datetime"),
    })

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refused {module}.{name}")
        return super().find_class(module, name)


# One child per thread: a child answers one request at a time over one pipe, so two threads (a
# Celery worker with ``--pool threads``) sharing it could each read the other's outcome.
_local = threading.local()


def _current(limits: Limits) -> _Worker:
    worker: _Worker | None = getattr(_local, "worker", None)
    if worker is not None and worker.owner != os.getpid():
        worker = None  # inherited across a fork: the parent process owns that child
    if worker is not None and (not worker.usable or worker.limits != limits):
        worker.stop()
        worker = None
    if worker is None:
        worker = _Worker(limits)
    _local.worker = worker
    return worker


def parse_sandboxed(data: bytes, *, filename: str | None, sha256: str, limits: Limits,
                    target: Target = parse_bytes) -> ParseOutcome:
    """``target(data, filename=..., sha256=...)`` in a limited child; never raises for the child's fate."""
    result = _current(limits).run(target, data, filename, sha256)
    if isinstance(result, ParseOutcome):
        return result
    _local.worker = None
    return failed_outcome(sha256=sha256, fmt=detect_format(data, filename), parser=SANDBOX_PARSER,
                          errors=[result, limits_note(limits)])


def _death_reason(exitcode: int | None, limits: Limits) -> str:
    if exitcode is not None and exitcode < 0:
        sig = -exitcode
        if sig == signal.SIGXCPU:
            return f"parser exceeded its CPU-time limit of {limits.cpu_seconds} s"
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = "unknown"
        hint = f" (it may have hit its {limits.memory_mb} MiB memory limit)" if sig == signal.SIGABRT else ""
        return f"parser process died with signal {sig} ({name}){hint}"
    return f"parser process exited with code {exitcode} before returning a result"
