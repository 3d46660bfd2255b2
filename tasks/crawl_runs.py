"""Who runs a crawl, and closing the runs whose process is gone.

A run is opened ``running`` with its owner ("host:pid" of the process that runs it, a CLI or a crawl
task) and closed by that process when it ends, however it ends: finished, failed or interrupted
(``tasks.interrupts``). A process that never gets to close its run (SIGKILL, out of memory, a power
cut) leaves it ``running``; the next crawl and the reconciler close such runs as ``abandoned``:
those whose owner ran on this host and is no longer alive, and, from any host, those whose owner has
not beaten (``tasks.crawl_process.BEAT_S``) for `STALE_AFTER_S`.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from govbudget.storage.catalog import Catalog
from govbudget.storage.fetch import utc_now

# Many beats: a live owner that missed this many is a catalog outage or a frozen machine at worst.
STALE_AFTER_S = 600.0
ABANDONED = "abandoned"


def crawl_owner() -> str:
    """This process as a run's owner: "host:pid"."""
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_gone(owner: str | None) -> bool:
    """True when `owner` ran on this host and no such process is alive now (a zombie is not)."""
    host, _, pid = (owner or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except FileNotFoundError:
        return True
    except OSError:  # no /proc here: ask the kernel
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False


def close_abandoned_runs(catalog: Catalog, *, stale_after_s: float = STALE_AFTER_S,
                         now: datetime | None = None) -> list[str]:
    """Close as ``abandoned`` the runs left ``running`` by a process that is gone; their ids."""
    cutoff = (now or utc_now()) - timedelta(seconds=stale_after_s)
    me = crawl_owner()
    closed = []
    for run in catalog.running_crawls():
        if run.owner == me:  # this process is alive; a run of its own is another thread's
            continue
        last_beat = run.heartbeat_at or run.started_at
        if owner_gone(run.owner):
            reason = f"its process {run.owner} is gone"
        elif last_beat < cutoff:
            reason = f"no heartbeat from {run.owner or 'its process'} since {last_beat.isoformat()}"
        else:
            continue
        if catalog.close_running_crawl(run.id, ABANDONED, reason):
            closed.append(run.id)
    return closed
