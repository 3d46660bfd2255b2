"""Sending work to the queue: the one place that knows how a sha256 becomes a parse job.

A crawl dispatches through one `Dispatcher`. With a broker, publishing retries with the shared backoff
(``storage.retry.Backoff``, `publish_backoff`) for ``Settings.publish_outage_s``; a publish that still
fails is logged in one line and left to the reconciler pass at the end of the crawl, never raised into
the crawl. In the embedded default the parse runs here and now, its transient failures waited out by
the same policy with real sleeps (``parse_task.parse_in_process``, ``parse_task.EAGER_RETRY``). Each
dispatcher shares one outage budget per service among its calls: a crawl waits out an outage once, and
while it lasts past the budget the following files try once each instead of waiting it out again.

The dispatcher also remembers which Redis instance took each job (its ``run_id``): a Redis restarted
without persistence has lost the jobs queued before, and `maybe_lost` names the files whose jobs may
be gone, so the end-of-crawl reconcile re-queues exactly those instead of every file still queued.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import redis
import redis.exceptions
from kombu.exceptions import OperationalError
from redis.backoff import NoBackoff
from redis.retry import Retry

from govbudget.storage.retry import Outage, RetryLog
from govbudget.tasks.app import PARSE_QUEUE, publish_backoff
from govbudget.tasks.parse_task import parse_in_process, parse_object
from govbudget.tasks.settings import Settings

log = logging.getLogger(__name__)

# What an unreachable broker raises: kombu wraps the transport's errors in OperationalError; the Redis
# client's own (not the builtin ConnectionError) come from reading the broker's run_id.
BROKER_ERRORS = (OperationalError, OSError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

_GONE = "<unreachable>"  # the broker instance when it cannot be asked: matches no job's


class Dispatcher:
    """Parse dispatch for one crawl (or one reconcile pass): publish or parse in process, and keep
    what happened to each file."""

    def __init__(self, settings: Settings) -> None:
        self.embedded = settings.embedded_queue
        self.broker_url = settings.broker_url
        self.publish_backoff = publish_backoff(settings.publish_outage_s)
        self.retries = RetryLog()  # every transient failure waited out, publishing or parsing
        self.errors: dict[str, str] = {}  # sha256 -> why it is neither parsed nor queued
        self.queued_on: dict[str, str | None] = {}  # sha256 -> the broker instance its job went to
        self._broker_down = Outage()
        self._parse_trouble = Outage()  # the store or the catalog, for in-process parses
        self._redis: Any = None

    def send(self, sha256: str) -> list[dict[str, Any]]:
        """Queue (or, embedded, run) the parse of `sha256`; never raises for an outage.

        Returns the ``archived`` events of the ZIP/RAR members an in-process parse archived (none when
        a worker does the parsing: its members reach the catalog, not this process).
        """
        if self.embedded:
            return self._parse_here(sha256)
        self._publish(sha256)
        return []

    def _publish(self, sha256: str) -> None:
        def once() -> str | None:
            instance = self._broker_instance()  # before the publish: a restart in between only duplicates
            parse_object.apply_async(args=[sha256], queue=PARSE_QUEUE, retry=False)
            return instance

        try:
            self.queued_on[sha256] = self.publish_backoff.call(
                once, f"queue {sha256}", self.retries, retry_on=BROKER_ERRORS, outage=self._broker_down
            )
        except Exception as exc:  # an outage past the budget, or anything else: the reconciler's turn
            self.queued_on.pop(sha256, None)
            self.errors[sha256] = f"not queued: {exc}"
            log.warning("parse of %s not queued (%s); the reconciler will queue it", sha256, exc)
        else:
            self.errors.pop(sha256, None)

    def _parse_here(self, sha256: str) -> list[dict[str, Any]]:
        try:
            result = parse_in_process(sha256, log=self.retries, outage=self._parse_trouble)
        except Exception as exc:  # past the retries, or a bug: the file stays unparsed and is reported
            self.errors[sha256] = f"parse failed in process: {exc!r}"
            log.error("parse of %s failed in process: %r", sha256, exc)
            return []
        self.errors.pop(sha256, None)
        return list(result["members"])

    def maybe_lost(self, files: Iterable[str]) -> list[str]:
        """Of `files`, those whose parse may be queued nowhere: not queued (or not parsed, embedded),
        or queued on a Redis that has restarted since (or cannot be asked now)."""
        if self.embedded:
            return [sha for sha in files if sha in self.errors]
        try:
            current = self._broker_instance()
        except BROKER_ERRORS:
            current = _GONE
        return [
            sha for sha in files
            if sha not in self.queued_on or (current is not None and self.queued_on[sha] != current)
        ]

    def _broker_instance(self) -> str | None:
        """The Redis broker's ``run_id`` (new at every start); None for other brokers, which are
        trusted to keep what they accepted (the beat reconciler covers them)."""
        if urlsplit(self.broker_url).scheme not in {"redis", "rediss", "unix"}:
            return None
        if self._redis is None:
            self._redis = redis.Redis.from_url(
                self.broker_url, socket_connect_timeout=5, socket_timeout=10, retry=Retry(NoBackoff(), 0)
            )
        try:
            return str(self._redis.info("server")["run_id"])
        except redis.exceptions.ResponseError:  # INFO not allowed to this user: trust it like the others
            return None


def enqueue_parse(sha256: str) -> list[dict[str, Any]]:
    """Queue ``parse_object(sha256)`` once, outside a crawl; in the embedded default it runs here.

    Returns the ``archived`` events of the members an in-process parse archived. A parse that could
    not be queued or run is logged and left to the reconciler, like a job lost with its broker.
    """
    from govbudget.tasks.runtime import services

    return Dispatcher(services().settings).send(sha256)
