"""The limited child of ``parse_sandbox``: ``python -m govbudget.tasks.parse_child MEMORY_MB [PARENT_PID]``.

It caps its own address space, then reads ``(target, data, filename, sha256, cpu_seconds)`` frames on
stdin and answers ``(outcome, memory_spent)`` frames on stdout, granting itself ``cpu_seconds`` of
CPU time afresh before each file. Its stdout is reserved for those frames: anything a parser or a
library prints goes to stderr instead. It exits when stdin closes.

It never outlives its parent, nor leaves its temporary folder behind: the kernel sends it SIGTERM
when the parent (the thread that started it) dies (``PR_SET_PDEATHSIG``), even in the middle of a
file, and every way out (stdin closed, SIGTERM, an answer the parent is no longer there to read)
removes the folder and stops the converters it started. Only SIGKILL gets past this; the parent
sweeps such folders (``parse_sandbox.sweep_stale_tmpdirs``).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import shutil
import signal
import sys
from multiprocessing.connection import Connection

from govbudget.parsers.outcome import ParseOutcome, failed_outcome

SANDBOX_PARSER = "sandbox"
TMPDIR_PREFIX = "govbudget-parse-"
_PR_SET_PDEATHSIG = 1


class _ParentGone(BaseException):
    """SIGTERM: the parent died (``PR_SET_PDEATHSIG``) or someone stops the child. A BaseException,
    so that no parser's ``except Exception`` turns it into a failed outcome."""


def main(memory_mb: int, parent: int | None = None) -> None:
    """Serve parses until the parent closes the pipe or dies; clean up on every way out."""
    signal.signal(signal.SIGTERM, _raise_parent_gone)
    terminated = False
    try:
        _die_with_parent(parent)
        _serve(memory_mb)
    except _ParentGone:
        terminated = True
    except BrokenPipeError:  # an answer nobody reads: the parent is gone
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _stop_own_group()  # first, so that no converter writes into the folder as it goes
        _remove_own_tmpdir()
    if terminated:  # die of the signal, as the parent (if any) expects to read from the exit status
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)


def _raise_parent_gone(signum: int, frame: object) -> None:
    raise _ParentGone


def _die_with_parent(parent: int | None) -> None:
    """Ask the kernel for SIGTERM when the parent dies (Linux); if it already has, act now."""
    with contextlib.suppress(OSError, AttributeError):  # elsewhere, stdin's EOF is the only notice
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    if parent is not None and os.getppid() != parent:
        raise _ParentGone


def _stop_own_group() -> None:
    """SIGKILL what a parser started and left running (a converter and its own children): the other
    members of this child's process group, when it leads one (not when started by hand from a shell)."""
    me = os.getpid()
    if os.getpgrp() != me:
        return
    with contextlib.suppress(OSError):
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == me:
                continue
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                    pgrp = int(f.read().rsplit(")", 1)[1].split()[2])  # after the name: state ppid pgrp
            except (OSError, ValueError, IndexError):
                continue
            if pgrp == me:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(int(entry), signal.SIGKILL)


def _serve(memory_mb: int) -> None:
    out = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # print() in a parser must not corrupt the frames
    inp = Connection(os.dup(0), writable=False)
    _warm_up()
    mem = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a killed parser leaves no core file behind
    while True:
        try:
            target, data, filename, sha256, cpu_seconds = inp.recv()
        except EOFError:  # the parent is done with us, or died without stopping us
            return
        _limit_cpu(cpu_seconds)
        outcome, spent = _parse_one(target, data, filename, sha256, memory_mb)
        try:
            out.send((outcome, spent))
        except MemoryError:
            reason = f"parser exceeded its {memory_mb} MiB memory limit while returning its result"
            out.send((failed_outcome(sha256=sha256, fmt="unknown", parser=SANDBOX_PARSER, errors=[reason]),
                      True))
        del target, data, outcome


def _remove_own_tmpdir() -> None:
    """Remove the temporary folder the parent made for this child (``parse_sandbox._Worker``).

    The parent removes it when it stops the child; this covers a parent that exits without doing
    so (a Celery pool process ends with ``os._exit``, which runs no finalizers).
    """
    folder = os.environ.get("TMPDIR", "")
    if os.path.basename(folder).startswith(TMPDIR_PREFIX):
        shutil.rmtree(folder, ignore_errors=True)


def _warm_up() -> None:
    """Import the readers the parsers load lazily, once, before any file's CPU-time window opens."""
    import docx  # noqa: F401
    import lxml.html  # noqa: F401
    import openpyxl  # noqa: F401
    import pdfplumber  # noqa: F401

    import govbudget.parsers
    import govbudget.parsers.readers.docx
    import govbudget.parsers.readers.html
    import govbudget.parsers.readers.pdf
    import govbudget.parsers.readers.sheet  # noqa: F401


def _limit_cpu(seconds: int) -> None:
    """Allow ``seconds`` more CPU time from now; RLIMIT_CPU counts the process's whole life.

    Only the soft limit moves (SIGXCPU at the limit, which names the cause): an unprivileged process
    could never raise a lowered hard limit again for the next file.
    """
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(usage.ru_utime + usage.ru_stime) + 1 + seconds
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _parse_one(target: object, data: bytes, filename: str | None, sha256: str,
               memory_mb: int) -> tuple[ParseOutcome, bool]:
    """The outcome and whether the memory limit was hit (MemoryError, raised or caught as a failure)."""
    reason = f"parser exceeded its {memory_mb} MiB memory limit"
    try:
        outcome: ParseOutcome = target(data, filename=filename, sha256=sha256)  # type: ignore[operator]
    except MemoryError:
        return failed_outcome(sha256=sha256, fmt="unknown", parser=SANDBOX_PARSER, errors=[reason]), True
    if not any(e.startswith("MemoryError") for e in outcome.errors):
        return outcome, False
    outcome.errors = [reason if e.startswith("MemoryError") else e for e in outcome.errors]
    outcome.document["errors"] = list(outcome.errors)
    return outcome, True


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else None)
