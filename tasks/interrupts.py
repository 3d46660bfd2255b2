"""SIGTERM and SIGINT as an exception, so a crawl or a parse cleans up before the process goes.

By default SIGTERM ends a Python process on the spot: no ``finally`` runs, so a crawl's child (in a
session of its own) crawls on as an orphan, its run stays ``running`` and a parse under way counts
as a crash. Inside `interruptible` both signals raise `Interrupted` in the main thread instead; the
code on the way out stops what it started and records why, and the exception ends the process with
the conventional status 128 + signal number (130 for SIGINT, 143 for SIGTERM).

`Interrupted` is a ``SystemExit``: ``except Exception`` never swallows it, an uncaught one exits
quietly with its status, and a Celery pool process that meets it exits, so its task is redelivered
(``task_reject_on_worker_lost``) as if the signal had killed it, only after the cleanup.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGTERM, signal.SIGINT)
# Dispositions nobody claimed: the process's default, and the KeyboardInterrupt Python installs.
_UNCLAIMED = (signal.SIG_DFL, signal.default_int_handler)


class Interrupted(SystemExit):
    """SIGTERM or SIGINT arrived; ``code`` is the exit status it stands for (128 + its number)."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum

    @property
    def signame(self) -> str:
        return signal.Signals(self.signum).name

    def __str__(self) -> str:
        return f"interrupted by {self.signame}"


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Within (a ``with`` block or a decorated function), SIGTERM and SIGINT raise `Interrupted`.

    Only unclaimed signals are taken, and only in the main thread (the only one Python delivers
    signals to): a handler someone else installed (Celery's warm shutdown in its main process) or
    an ignored signal (SIGINT in Celery's pool processes) is left alone, and so is an outer
    `interruptible`, which stays in charge. After the first signal a second one forces the
    signal's old fate at once (death by SIGTERM, KeyboardInterrupt for SIGINT), so a clean-up that
    hangs can still be cut short. Leaving the block restores the previous handlers.
    """
    handlers = _Handlers()
    try:
        yield
    finally:
        handlers.restore()


class _Handlers:
    """The signals one `interruptible` block took, with the handlers they had before."""

    def __init__(self) -> None:
        self.taken: dict[int, Any] = {}
        self.received: int | None = None
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in SIGNALS:
            previous = signal.getsignal(signum)
            if previous in _UNCLAIMED:
                self.taken[signum] = previous
                signal.signal(signum, self.handle)

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is None:
            self.received = signum
            raise Interrupted(signum)
        self.restore()  # a second signal: what it would have done without us, now
        if signal.getsignal(signum) is signal.default_int_handler:
            raise KeyboardInterrupt
        os.kill(os.getpid(), signum)

    def restore(self) -> None:
        taken, self.taken = self.taken, {}
        for signum, previous in taken.items():
            signal.signal(signum, previous)
