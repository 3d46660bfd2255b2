"""The reconciler: find archived files with no parse result and queue them again.

Queued messages can be lost (a broker restarted without persistence, a worker killed before its
redelivery), but the catalog never forgets an archived object. This task asks it which files have no
parse result and re-queues them; the parse task's upserts make a duplicate harmless, and its crash
cap (`parse_task.MAX_CRASHES`) ends files that keep killing workers. Objects younger than `min_age_s`
are left alone: their first parse is most likely still in the queue.
"""

from __future__ import annotations

from datetime import timedelta

from govbudget.storage.fetch import utc_now
from govbudget.tasks.app import PARSE_QUEUE, app
from govbudget.tasks.crawl_runs import close_abandoned_runs
from govbudget.tasks.runtime import Services, services


def find_unparsed(svc: Services, *, min_age_s: float = 0.0, limit: int = 10_000) -> list[str]:
    """Digests of file objects with no parse result, first seen at least `min_age_s` ago."""
    cutoff = utc_now() - timedelta(seconds=min_age_s)
    return svc.catalog.unparsed_files(first_seen_by=cutoff, limit=limit)


def reconcile(svc: Services, *, min_age_s: float = 300.0, limit: int = 10_000) -> dict[str, object]:
    """Queue a parse for every unparsed file older than `min_age_s`; return what was queued."""
    from govbudget.tasks.parse_task import parse_object

    missing = find_unparsed(svc, min_age_s=min_age_s, limit=limit)
    for sha in missing:
        parse_object.apply_async(args=[sha], queue=PARSE_QUEUE)
    return {"requeued": len(missing), "sha256": missing}


@app.task(name="govbudget.reconcile", acks_late=True, ignore_result=True)
def reconcile_task(min_age_s: float = 300.0, limit: int = 10_000) -> dict[str, object]:
    """Celery entry point (beat runs it every 15 minutes); see `reconcile`. It also closes the crawl
    runs a dead process left ``running`` (``tasks.crawl_runs``)."""
    svc = services()
    result = reconcile(svc, min_age_s=min_age_s, limit=limit)
    result["abandoned_runs"] = close_abandoned_runs(svc.catalog)
    return result
