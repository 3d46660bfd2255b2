"""Sending work to the queue: the one place that knows how a sha256 becomes a parse job."""

from __future__ import annotations

import logging

from celery.result import EagerResult

from govbudget.tasks.app import PARSE_QUEUE
from govbudget.tasks.parse_task import parse_object

log = logging.getLogger(__name__)


def enqueue_parse(sha256: str) -> None:
    """Queue ``parse_object(sha256)``; in the embedded default it runs here and now.

    An eager run that still fails after its retries leaves the object without a parse result,
    exactly like a dead worker would: the crawl summary counts it as pending and a re-run or the
    reconciler picks it up. It is logged here because no worker log will show it.
    """
    result = parse_object.apply_async(args=[sha256], queue=PARSE_QUEUE)
    if isinstance(result, EagerResult) and result.failed():
        log.error("parse_object(%s) failed in process: %r", sha256, result.result)
