"""What every benchmark shares: medians of interleaved runs, result rows, the machine description.

Ours and the baseline run alternately inside each round, so a burst of load from other processes
on a shared machine hits both sides of a ratio rather than one.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psutil


@dataclass
class Context:
    """Run-wide options: `quick` shrinks inputs and rounds so the harness can be checked in seconds."""

    quick: bool = False
    tiny: bool = False  # the smoke test: quick, and inputs cut down further (figures meaningless)
    rounds: int = 5
    workdir: str = "/tmp"

    @property
    def n(self) -> int:
        return 1 if self.quick or self.tiny else self.rounds


@dataclass
class Row:
    """One compared figure: ours vs the baseline, their ratio (oriented so > 1 favours ours) and a target."""

    metric: str
    ours: float
    baseline: float
    baseline_name: str
    unit: str
    ratio: float | None = None
    target: str = ""
    met: bool | None = None


@dataclass
class Section:
    name: str
    what: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def rounds(ctx: Context, sides: dict[str, Callable[[], float]]) -> dict[str, float]:
    """Run each side once per round (alternating) and return the median of what each returned."""
    values: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(ctx.n):
        for name, fn in sides.items():
            values[name].append(fn())
    return {name: statistics.median(v) for name, v in values.items()}


def machine() -> dict[str, str]:
    """Enough about the machine to read the figures: CPU, cores, memory, load, Python."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu)
    except OSError:
        pass
    load = os.getloadavg()
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{cpu}, {psutil.cpu_count()} cores",
        "memory": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "load average at start": f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def tree_memory(proc: psutil.Process) -> tuple[int, int]:
    """(PSS, RSS) summed over a process and all its descendants.

    RSS counts a page once per process that maps it, so Chromium's renderers, which share most of
    their pages, are counted several times over. PSS (proportional set size, from
    /proc/<pid>/smaps_rollup) splits each shared page between the processes sharing it: summed over
    the tree it is the memory the tree really holds.
    """
    pss = rss = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            info = p.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)  # PSS is Linux-only; elsewhere RSS is the best we have
    return pss, rss
