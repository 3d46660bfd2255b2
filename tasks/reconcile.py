"""The reconciler: find archived files with no parse result and queue them again.

Queued messages can be lost (a broker restarted without persistence, a worker killed before its
redelivery, a publish that failed during an outage), but the catalog never forgets an archived object.
This pass asks it which files have no parse result and re-queues them; the parse task's upserts make a
duplicate harmless, and its crash cap (`parse_task.MAX_CRASHES`) ends files that keep killing workers.

Beat runs it every 15 minutes over every unparsed file older than `min_age_s` (younger ones most likely
still have their first job in the queue). Every crawl runs it once more when it ends, restricted to its
own files (``only``) whose job may be lost, with no minimum age (``tasks.crawl``).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from govbudget.storage.fetch import utc_now
from govbudget.tasks.app import app
from govbudget.tasks.crawl_runs import close_abandoned_runs
from govbudget.tasks.dispatch import Dispatcher
from govbudget.tasks.runtime import Services, services


def find_unparsed(svc: Services, *, min_age_s: float = 0.0, limit: int = 10_000) -> list[str]:
    """Digests of file objects with no parse result, first seen at least `min_age_s` ago."""
    cutoff = utc_now() - timedelta(seconds=min_age_s)
    return svc.catalog.unparsed_files(first_seen_by=cutoff, limit=limit)


def reconcile(
    svc: Services,
    *,
    min_age_s: float = 300.0,
    limit: int = 10_000,
    only: Collection[str] | None = None,
    dispatcher: Dispatcher | None = None,
) -> dict[str, object]:
    """Queue a parse for every unparsed file older than `min_age_s` (of `only`, when given: those
    files alone, whatever their age); return what was queued.

    `dispatcher` (a ``tasks.dispatch.Dispatcher``, the crawl's own) sends the jobs, so its backoff,
    outage budget and bookkeeping cover them; by default a new one for `svc`'s settings. A job that
    cannot be sent is logged and stays for the next pass; ``not_queued`` lists them.
    """
    send = dispatcher or Dispatcher(svc.settings)
    if only is not None:
        missing = [sha for sha in only if svc.catalog.parse_status(sha) is None][:limit]
    else:
        missing = find_unparsed(svc, min_age_s=min_age_s, limit=limit)
    for sha in missing:
        send.send(sha)
    failed = [sha for sha in missing if sha in send.errors]
    return {"requeued": len(missing) - len(failed), "sha256": missing, "not_queued": failed}


@app.task(name="govbudget.reconcile", acks_late=True, ignore_result=True)
def reconcile_task(min_age_s: float = 300.0, limit: int = 10_000) -> dict[str, object]:
    """Celery entry point (beat runs it every 15 minutes); see `reconcile`. It also closes the crawl
    runs a dead process left ``running`` (``tasks.crawl_runs``)."""
    svc = services()
    result = reconcile(svc, min_age_s=min_age_s, limit=limit)
    result["abandoned_runs"] = close_abandoned_runs(svc.catalog)
    return result
