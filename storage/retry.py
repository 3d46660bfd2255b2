"""The one backoff policy for transient failures that no framework retries for us.

Celery retries a worker's task (``autoretry_for``) and Scrapy retries downloads (RetryMiddleware);
everything else that waits out an outage uses `Backoff`: the archive's store writes (keep the bytes
in hand and try again instead of losing them), publishing a parse job while the broker restarts, and
an in-process parse (Celery's eager mode ignores countdowns, so its retries would run back to back).

A `Backoff` waits `first_s`, then `factor` times longer each try up to `max_delay_s`, each wait
jittered by ±`jitter`, and gives up once the failures have lasted `give_up_after_s`: then the error
is re-raised so the caller records a real failure. Calls that share an `Outage` share that budget: when
one call has already waited out the whole budget, the next tries once instead of waiting it out again.
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


@dataclass
class Outage:
    """The current run of failures of one service, shared by the calls that use it: when it began
    (monotonic seconds; None while it answers) and whether a call already gave up waiting it out."""

    since: float | None = None
    waited_out: bool = False


@dataclass(frozen=True)
class Backoff:
    """Waits `first_s`, x`factor` each try, capped at `max_delay_s`, each ±`jitter` (a fraction);
    gives up once the failures have lasted `give_up_after_s`."""

    first_s: float = 0.5
    factor: float = 2.0
    max_delay_s: float = 8.0
    give_up_after_s: float = 300.0
    jitter: float = 0.2
    sleep: Callable[[float], None] = time.sleep

    def delays(self) -> list[float]:
        """The waits between tries before jitter: they add up to at most `give_up_after_s`."""
        waits: list[float] = []
        wait, total = self.first_s, 0.0
        while wait > 0 and total + wait <= self.give_up_after_s:
            waits.append(wait)
            total += wait
            wait = min(wait * self.factor, self.max_delay_s)
        return waits

    def jittered(self, wait: float) -> float:
        return wait * random.uniform(1.0 - self.jitter, 1.0 + self.jitter)

    def call(
        self,
        fn: Callable[[], T],
        what: str,
        log: RetryLog,
        *,
        retry_on: tuple[type[BaseException], ...] = (StoreUnavailable,),
        outage: Outage | None = None,
    ) -> T:
        """Run `fn`, retrying the `retry_on` errors; every retry is appended to `log`.

        Re-raises the last error once the outage (this call's, or `outage` shared with other calls)
        has lasted `give_up_after_s` or the schedule is used up.
        """
        waits = iter(self.delays())
        began = time.monotonic()
        while True:
            try:
                result = fn()
            except retry_on as exc:
                now = time.monotonic()
                if outage is not None:
                    if outage.waited_out:
                        raise
                    if outage.since is None:
                        outage.since = now
                    began = outage.since
                wait = next(waits, None)
                pause = 0.0 if wait is None else self.jittered(wait)
                if wait is None or now + pause > began + self.give_up_after_s:
                    if outage is not None:
                        outage.waited_out = True
                    raise
                log.events.append(f"{what}: {exc}")
                self.sleep(pause)
                log.waited_s += pause
                continue
            if outage is not None:
                outage.since, outage.waited_out = None, False
            return result

    def kombu_retry_policy(self) -> dict[str, float]:
        """This schedule as kombu's ``retry_policy``, whose waits grow linearly (``interval_start``, plus
        ``interval_step`` each try, up to ``interval_max``, ``max_retries`` of them): the same first and
        longest wait, reached after as many tries, and as many tries as fit in `give_up_after_s`."""
        waits = self.delays()
        if not waits:
            return {"max_retries": 0, "interval_start": 0.0, "interval_step": 0.0, "interval_max": 0.0}
        start, peak = waits[0], max(waits)
        step = (peak - start) / max(1, waits.index(peak))
        tries, total, wait = 0, 0.0, start
        while total + wait <= self.give_up_after_s:
            tries, total, wait = tries + 1, total + wait, min(wait + step, peak)
        return {"max_retries": tries, "interval_start": start, "interval_step": step, "interval_max": peak}


NO_RETRY = Backoff(give_up_after_s=0.0)
