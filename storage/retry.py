"""Backoff for transient store failures: keep the bytes in hand and try again instead of losing them.

An archive step that gives up on the first `StoreUnavailable` loses a file the crawler already paid
to fetch; one that retries forever stalls a crawl on a dead endpoint. `Backoff` retries with growing,
jittered delays up to a total wait, then re-raises so the caller records a real failure.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from govbudget.storage.object_store import StoreUnavailable

T = TypeVar("T")


@dataclass
class RetryLog:
    """What was retried: one line per failed try (operation and reason), and the seconds waited."""

    events: list[str] = field(default_factory=list)
    waited_s: float = 0.0

    @property
    def count(self) -> int:
        return len(self.events)


@dataclass(frozen=True)
class Backoff:
    """Delays `first_s`, x`factor` each try, capped at `max_delay_s`; give up after `give_up_after_s`."""

    first_s: float = 0.5
    factor: float = 2.0
    max_delay_s: float = 8.0
    give_up_after_s: float = 300.0
    sleep: Callable[[float], None] = time.sleep

    def call(self, fn: Callable[[], T], what: str, log: RetryLog) -> T:
        """Run `fn`, retrying `StoreUnavailable`; every retry is appended to `log`."""
        delay = self.first_s
        deadline = time.monotonic() + self.give_up_after_s
        while True:
            try:
                return fn()
            except StoreUnavailable as exc:
                if time.monotonic() + delay > deadline:
                    raise
                log.events.append(f"{what}: {exc}")
                pause = delay * random.uniform(0.8, 1.2)
                self.sleep(pause)
                log.waited_s += pause
                delay = min(delay * self.factor, self.max_delay_s)


NO_RETRY = Backoff(give_up_after_s=0.0)
