"""The crawl's progress, fed by its event stream: a Rich display on a terminal, log lines elsewhere.

On a terminal a spinner line is updated as pages and files arrive. When standard error is not a
terminal (a cron job, ``nohup``, a CI log), a live display would print nothing, so one line is
written every `interval` seconds instead, with the counts and the rates per minute, and a last line
when the crawl ends (not when it raised: a refused start, a failure and a signal have their own
line). Any event moves the clock on, the crawl's heartbeats included, so a quiet crawl still gets
its line.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

LOG_INTERVAL_S = 30.0


class CrawlProgress:
    """Counts pages, files, archive members, refused, skipped and failed URLs as events arrive."""

    def __init__(self, console: Console, *, interval: float = LOG_INTERVAL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.console = console
        self.live = console.is_terminal
        self.interval = interval
        self.clock = clock
        self.started = self.last_line = clock()
        self.pages = self.files = self.members = 0
        self.refused = self.skipped = self.failed = 0
        self.progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
            console=console, transient=True, disable=not self.live,
        )
        self.task = self.progress.add_task("starting crawl", total=None)

    def __enter__(self) -> CrawlProgress:
        self.started = self.last_line = self.clock()
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)  # type: ignore[arg-type]
        if not self.live and exc[0] is None:  # a refused start, a failure or a signal says so itself
            self._line("crawl ended")

    def update(self, event: dict[str, Any]) -> None:
        self._count(event)
        if self.live:
            text = f"crawling: {self.pages} pages, {self.files} files archived"
            if self.members:
                text += f" ({self.members} more taken out of ZIP/RAR files)"
            self.progress.update(self.task, description=text)
        elif self.clock() - self.last_line >= self.interval:
            self._line("crawl progress")

    def line(self, label: str = "crawl progress") -> str:
        """The counts and rates as one line (what a non-terminal run prints)."""
        elapsed = max(self.clock() - self.started, 1e-9)
        per_min = 60.0 / elapsed
        text = f"{label}: {self.pages} pages, {self.files} files"
        if self.members:
            text += f" (+{self.members} from ZIP/RAR)"
        text += (f", {self.refused} refused, {self.skipped} skipped, {self.failed} failed; "
                 f"{self.pages * per_min:.1f} pages/min, {self.files * per_min:.1f} files/min; "
                 f"{_duration(elapsed)} elapsed")
        return text

    def _count(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "archived":
            if event.get("kind") == "page":
                self.pages += 1
            elif event.get("member"):
                self.members += 1
            else:
                self.files += 1
        elif kind == "refused":
            self.refused += 1
        elif kind == "skipped":
            self.skipped += 1
        elif kind == "failed":
            self.failed += 1

    def _line(self, label: str) -> None:
        self.last_line = self.clock()
        self.console.print(self.line(label), soft_wrap=True, markup=False, highlight=False)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
