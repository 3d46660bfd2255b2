"""End to end: files per minute for crawl + archive + parse of the whole simulator, with peak memory.

The embedded default (local store, SQLite, parsing in process) through `tasks.crawl.run_crawl`, the
same call `govbudget crawl` makes. Peak memory is sampled every 0.2 s over this process and all its
descendants (the crawl process and Chromium's process tree). The target is judged on the summed PSS,
the memory the tree really holds; summed RSS is shown beside it and errs high, because it counts
every page Chromium's processes share once per process.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import Any

import psutil

from bench.harness import Context, Row, Section, rounds, tree_memory
from govbudget.tasks.crawl import crawl_config, run_crawl
from govbudget.tasks.runtime import configure
from govbudget.tasks.settings import Settings

LIMIT = 1.5 * 2**30


class PeakMemory:
    """Samples the process tree's PSS and RSS in a thread; keeps the highest sum of each."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak_pss = 0
        self.peak_rss = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            self.sample(me)
            self._stop.wait(self.interval)

    def sample(self, proc: psutil.Process) -> None:
        pss, rss = tree_memory(proc)
        self.peak_pss = max(self.peak_pss, pss)
        self.peak_rss = max(self.peak_rss, rss)
        self.samples += 1

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run(ctx: Context, sim: Any) -> Section:
    peaks: list[PeakMemory] = []
    last: dict[str, Any] = {}

    def once() -> float:
        tmp = Path(tempfile.mkdtemp(prefix="bench-e2e-", dir=ctx.workdir))
        svc = configure(Settings.from_env({}, data_dir=tmp / "data", allow_loopback=True))
        with PeakMemory() as mem:
            summary = run_crawl(svc, crawl_config(svc.settings, sim.start_urls))
        peaks.append(mem)
        last.update(summary.as_dict())
        return summary.files_archived / summary.seconds * 60

    med = rounds(ctx, {"ours": once})
    pss = max(p.peak_pss for p in peaks)
    rss = max(p.peak_rss for p in peaks)
    section = Section("End to end", f"whole simulator ({len(sim.start_urls)} sites): "
                                    f"{last['files_archived']} files, {last['pages_fetched']} pages, "
                                    f"parsed ok/partial/failed "
                                    f"{last['parsed_ok']}/{last['parsed_partial']}/{last['parsed_failed']}, "
                                    f"{last['browser_requests']} browser requests")
    section.rows.append(Row("files per minute", med["ours"], float("nan"), "(no baseline)", "files/min"))
    section.rows.append(Row("peak memory (PSS), process tree incl. Chromium", pss / 2**20, LIMIT / 2**20,
                            "limit", "MiB", None, "< 1.5 GB", pss < LIMIT))
    section.rows.append(Row("peak memory (RSS, shared pages counted per process)", rss / 2**20,
                            float("nan"), "(shown for comparison)", "MiB"))
    section.notes.append(f"highest of {len(peaks)} runs, sampled every 0.2 s "
                         f"({sum(p.samples for p in peaks)} samples); PSS splits each shared page between "
                         "the processes mapping it, RSS counts it in each, so RSS errs high for Chromium")
    return section
