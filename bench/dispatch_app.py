"""The Celery app the dispatch benchmark's worker runs: ours, plus a no-op task on the same app.

The no-op counts itself in Redis (one INCR, ~0.1 ms) so the benchmark knows when all are done;
our `parse_object` is known done by its parse result in the catalog.
"""

from __future__ import annotations

import os

import redis

from govbudget.tasks.app import PARSE_QUEUE, app
from govbudget.tasks.parse_task import parse_object

_counter = redis.Redis.from_url(os.environ.get("GOVBUDGET_BROKER_URL", "redis://127.0.0.1:6379/0"))


@app.task(name="bench.noop", acks_late=True)
def noop(i: int) -> None:
    """Nothing but the completion mark."""
    _counter.incr("bench:noop:done")


__all__ = ["PARSE_QUEUE", "app", "noop", "parse_object"]
