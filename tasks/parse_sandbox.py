"""Run one parse in a child process whose memory and CPU time the kernel caps (issue #7).

A pathological file (pdfminer recursing without end, a table that asks for gigabytes) must fail
alone, never take the worker with it. Parses run in a long-lived child forked from a ``forkserver``
that has already imported the readers (``parse_preload``), so a new child costs a fork, not a second
of imports. The child caps its address space (``RLIMIT_AS``) once and grants itself ``RLIMIT_CPU``
seconds afresh before each file; it leads its own process group, so LibreOffice or antiword started
by a parser die with it when the parent's wall-clock limit strikes. Whatever ends a parse early
becomes a ``failed`` outcome with a reason a person can act on; the raw file stays archived, a new
child takes over and the worker goes on.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection

from govbudget.parsers import detect_format, parse_bytes
from govbudget.parsers.outcome import ParseOutcome, failed_outcome

SANDBOX_PARSER = "sandbox"
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


def _context() -> multiprocessing.context.BaseContext:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["govbudget.tasks.parse_preload"])
    return ctx


class _Worker:
    """One long-lived limited child that parses files sent over a pipe, one at a time.

    Not a ``ProcessPoolExecutor``: a pool hides which signal killed its worker (the reason we must
    report) and cannot stop a running task on timeout without reaching into private attributes.
    A child costs one start of the entry script (multiprocessing re-runs ``__main__`` in it), so it
    is reused for ``MAX_TASKS`` parses and replaced only when it dies, runs out of time or memory.
    """

    MAX_TASKS = 200

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.conn, child_conn = _context().Pipe()
        self.proc = _context().Process(target=_serve, args=(child_conn, limits), name="govbudget-parse",
                                       daemon=True)
        self.proc.start()
        child_conn.close()
        self.tasks = 0

    def run(self, target: Target, data: bytes, filename: str | None, sha256: str) -> ParseOutcome | str:
        """The outcome, or the reason there is none (the worker is then finished)."""
        self.tasks += 1
        try:
            self.conn.send((target, data, filename, sha256))
            if not self.conn.poll(self.limits.wall_seconds):
                self.stop()
                return f"parser exceeded its wall-clock limit of {self.limits.wall_seconds} s"
            reply: tuple[ParseOutcome, bool] = self.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self.stop()
            return _death_reason(self.proc.exitcode, self.limits)
        outcome, spent = reply
        if spent:  # the child hit its memory limit: its heap may be in any state, start afresh
            self.stop()
        return outcome

    @property
    def usable(self) -> bool:
        return self.proc.is_alive() and self.tasks < self.MAX_TASKS

    def stop(self) -> None:
        """Kill the child's process group (the child and any converter it started) and reap it."""
        self.conn.close()
        _kill_group(self.proc.pid)
        self.proc.join(5)
        if self.proc.is_alive():  # the group kill raced the child's setpgid: kill it alone
            self.proc.kill()
            self.proc.join()


_worker: _Worker | None = None


def parse_sandboxed(data: bytes, *, filename: str | None, sha256: str, limits: Limits,
                    target: Target = parse_bytes) -> ParseOutcome:
    """``target(data, filename=..., sha256=...)`` in a limited child; never raises for the child's fate."""
    global _worker
    if _worker is not None and (not _worker.usable or _worker.limits != limits):
        _worker.stop()
        _worker = None
    if _worker is None:
        _worker = _Worker(limits)
    result = _worker.run(target, data, filename, sha256)
    if isinstance(result, ParseOutcome):
        return result
    _worker = None
    return failed_outcome(sha256=sha256, fmt=detect_format(data, filename), parser=SANDBOX_PARSER,
                          errors=[result])


def _kill_group(pid: int | None) -> None:
    if pid is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, signal.SIGKILL)


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


def _serve(conn: Connection, limits: Limits) -> None:
    """In the child: own process group, a memory cap, then parse what arrives until the pipe closes."""
    os.setpgid(0, 0)
    mem = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a killed parser leaves no core file behind
    while True:
        try:
            target, data, filename, sha256 = conn.recv()
        except EOFError:
            return
        _limit_cpu(limits.cpu_seconds)
        outcome, spent = _parse_one(target, data, filename, sha256, limits)
        try:
            conn.send((outcome, spent))
        except MemoryError:
            reason = f"parser exceeded its {limits.memory_mb} MiB memory limit while returning its result"
            conn.send((failed_outcome(sha256=sha256, fmt="unknown", parser=SANDBOX_PARSER, errors=[reason]),
                       True))
        del target, data, outcome


def _limit_cpu(seconds: int) -> None:
    """Allow ``seconds`` more CPU time from now; RLIMIT_CPU counts the process's whole life.

    Only the soft limit moves (SIGXCPU, which names the cause); an unprivileged process could never
    raise a lowered hard limit again for the next file.
    """
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = int(usage.ru_utime + usage.ru_stime) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = used + seconds
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _parse_one(target: Target, data: bytes, filename: str | None, sha256: str,
               limits: Limits) -> tuple[ParseOutcome, bool]:
    """The outcome and whether the memory limit was hit (MemoryError, raised or caught as a failure)."""
    reason = f"parser exceeded its {limits.memory_mb} MiB memory limit"
    try:
        outcome: ParseOutcome = target(data, filename=filename, sha256=sha256)
    except MemoryError:
        return failed_outcome(sha256=sha256, fmt="unknown", parser=SANDBOX_PARSER, errors=[reason]), True
    if not any(e.startswith("MemoryError") for e in outcome.errors):
        return outcome, False
    outcome.errors = [reason if e.startswith("MemoryError") else e for e in outcome.errors]
    outcome.document["errors"] = list(outcome.errors)
    return outcome, True
