"""The Celery application: queues named for the kind of work, safe delivery settings.

With no broker URL the app runs tasks eagerly in the calling process (the embedded default); with
``GOVBUDGET_BROKER_URL`` they go to real workers. Delivery follows Celery's own advice for
idempotent work: late acks, one message prefetched at a time, requeue when a worker dies.

Crawl and parse work go to separate queues (``crawl``: few, browser-equipped workers; ``parse``: many
CPU workers), beat fires the seasonal schedules of ``schedules.py`` plus the reconciler, and
publishing retries with the shared backoff (`publish_backoff`) for ``Settings.publish_outage_s``.
"""

from __future__ import annotations

import logging

from celery import Celery

from govbudget.storage.retry import Backoff
from govbudget.tasks.schedules import TIMEZONE, beat_schedule, load_config
from govbudget.tasks.settings import Settings

log = logging.getLogger(__name__)

PARSE_QUEUE = "parse"
TASK_TIME_LIMIT_S = 900
CRAWL_QUEUE = "crawl"

app = Celery(
    "govbudget",
    include=["govbudget.tasks.parse_task", "govbudget.tasks.crawl_region", "govbudget.tasks.reconcile"],
)


def publish_backoff(outage_s: float) -> Backoff:
    """How publishing waits out a broker outage of up to `outage_s` seconds: the crawl's dispatch runs
    it itself (``tasks.dispatch``); every other publish gets it as kombu's retry policy."""
    return Backoff(first_s=0.5, factor=2.0, max_delay_s=10.0, give_up_after_s=outage_s, jitter=0.25)


def configure_app(settings: Settings) -> Celery:
    """Point the app at the settings' broker (or eager mode) with the house delivery rules."""
    _drop_connection_pools()
    app.conf.update(
        broker_url=settings.broker_url or "memory://",
        task_always_eager=settings.embedded_queue,
        # Eager retries only run when the Retry is not propagated (Celery's apply() re-applies it).
        task_eager_propagates=False,
        task_store_eager_result=False,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_default_queue=PARSE_QUEUE,
        task_routes={
            "govbudget.parse_object": {"queue": PARSE_QUEUE},
            "govbudget.reconcile": {"queue": PARSE_QUEUE},
            "govbudget.crawl_region": {"queue": CRAWL_QUEUE},
            "govbudget.crawl_season": {"queue": CRAWL_QUEUE},
        },
        task_publish_retry=True,
        task_publish_retry_policy=publish_backoff(settings.publish_outage_s).kombu_retry_policy(),
        beat_schedule=beat_schedule(load_config(settings.schedules_file)),
        timezone=TIMEZONE,
        task_time_limit=TASK_TIME_LIMIT_S,
        task_soft_time_limit=840,
        broker_connection_retry_on_startup=True,
        broker_transport_options=transport_options(settings.visibility_timeout),
        worker_hijack_root_logger=False,
        enable_utc=True,
    )
    problem = visibility_problem(settings)
    if problem is not None:
        log.warning("%s", problem)
    return app


def visibility_problem(settings: Settings) -> str | None:
    """Why the settings' visibility timeout makes Redis run tasks twice, or None.

    Redis redelivers a task still unacknowledged after ``visibility_timeout`` (late acks), even while
    a worker runs it; below the task time limit a long task is run again by another worker.
    """
    if settings.embedded_queue or settings.visibility_timeout >= TASK_TIME_LIMIT_S:
        return None
    timeout = settings.visibility_timeout
    return (f"visibility_timeout {timeout} s is below the task time limit of {TASK_TIME_LIMIT_S} s: Redis "
            f"hands a task still running after {timeout} s to another worker (a parse redelivered so "
            "waits for the running one and skips its work, but a worker is held meanwhile)")


def transport_options(visibility_timeout: int) -> dict[str, float]:
    """Redis transport options: how long an unacked task waits before redelivery, and how often
    workers scan for such tasks (kombu's default scan period, about 100 s, would dominate a short
    visibility timeout)."""
    options: dict[str, float] = {"visibility_timeout": visibility_timeout}
    if visibility_timeout < 100:
        options.update(unacked_restore_interval=max(1.0, visibility_timeout / 5), unacked_restore_throttle=1)
    return options


def _drop_connection_pools() -> None:
    """Forget pools opened for an earlier broker URL (a process may be reconfigured, e.g. in tests).

    Celery has no public call for this: ``app.close()`` also deregisters the app, after which
    tasks publish through the default app (amqp://localhost), so the two caches are reset here.
    """
    # Only references are dropped: the pools themselves are kombu's, shared per broker URL.
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


configure_app(Settings.from_env())
