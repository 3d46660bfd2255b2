"""Sending work to the queue: the one place that knows how a sha256 becomes a parse job."""

from __future__ import annotations

import logging
from typing import Any

from celery.result import EagerResult

from govbudget.tasks.app import PARSE_QUEUE
from govbudget.tasks.parse_task import parse_object

log = logging.getLogger(__name__)


def enqueue_parse(sha256: str) -> list[dict[str, Any]]:
    """Queue ``parse_object(sha256)``; in the embedded default it runs here and now.

    Returns the ``archived`` events of the ZIP/RAR members an in-process parse archived (none when
    a worker does the parsing: its members reach the catalog, not this process).

    An eager run that still fails after its retries leaves the object without a parse result,
    exactly like a dead worker would: the crawl summary counts it as pending and a re-run or the
    reconciler picks it up. It is logged here because no worker log will show it.
    """
    result = parse_object.apply_async(args=[sha256], queue=PARSE_QUEUE)
    if not isinstance(result, EagerResult):
        return []
    if result.failed():
        log.error("parse_object(%s) failed in process: %r", sha256, result.result)
        return []
    return list(result.result["members"])
