"""End to end: files per minute for crawl + archive + parse of the whole simulator, with peak memory.

The embedded default (local store, SQLite, parsing in process) through `tasks.crawl.run_crawl`, the
same call `govbudget crawl` makes. Peak memory is the resident set of this process plus all its
descendants (the crawl process and Chromium's process tree), sampled every 50 ms.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import Any

import psutil

from bench.harness import Context, Row, Section, rounds, tree_rss
from govbudget.tasks.crawl import run_crawl
from govbudget.tasks.runtime import configure
from govbudget.tasks.settings import Settings

LIMIT = 1.5 * 2**30


class PeakMemory:
    """Samples the process tree's RSS in a thread; `peak` is the highest sum seen."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(me))
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run(ctx: Context, sim: Any) -> Section:
    peaks: list[int] = []
    last: dict[str, Any] = {}

    def once() -> float:
        tmp = Path(tempfile.mkdtemp(prefix="bench-e2e-", dir=ctx.workdir))
        svc = configure(Settings.from_env({}, data_dir=tmp / "data", allow_loopback=True))
        with PeakMemory() as mem:
            summary = run_crawl(svc, sim.start_urls, parse_timeout=600)
        peaks.append(mem.peak)
        last.update(summary.as_dict())
        return summary.files_archived / summary.seconds * 60

    med = rounds(ctx, {"ours": once})
    peak = max(peaks)
    section = Section("End to end", f"whole simulator ({len(sim.start_urls)} sites): "
                                    f"{last['files_archived']} files, {last['pages_fetched']} pages, "
                                    f"parsed ok/partial/failed "
                                    f"{last['parsed_ok']}/{last['parsed_partial']}/{last['parsed_failed']}, "
                                    f"{last['browser_requests']} browser requests")
    section.rows.append(Row("files per minute", med["ours"], float("nan"), "(no baseline)", "files/min"))
    section.rows.append(Row("peak memory, process tree incl. Chromium", peak / 2**20, LIMIT / 2**20,
                            "limit", "MiB", None, "< 1.5 GB", peak < LIMIT))
    return section
