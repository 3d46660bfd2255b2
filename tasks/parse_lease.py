"""One parse of an object at a time, so a task Redis redelivers while it runs is not parsed twice.

Redis hands a task that is still unacknowledged after the broker's visibility timeout to another
worker, even while the first is running it (a parse longer than the timeout: a large PDF, OCR), and
again after every timeout. Parsing again is harmless (results are upserts) but wasteful, and each
copy counts an attempt. So a worker's parse holds the catalog lease ``parse:<sha256>`` while it
runs, renewed by a heartbeat (``storage.leases.held_lease``, `LEASE_TTL_S`). A second task for the
object waits until the lease is free: released by a run that ended, or lapsed within `LEASE_TTL_S`
of its worker's death. Then a *redelivered* copy (``delivery_info["redelivered"]``, which kombu
sets on every message it restores) whose object's last attempt finished and left a result returns
that result instead of parsing again; a copy of a run that died parses (and counts the crash), and
a task published anew (the reconciler, a repair) always parses.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from govbudget.storage.attempts import parse_attempts
from govbudget.storage.catalog import Catalog
from govbudget.storage.leases import LeaseBusy, held_lease

log = logging.getLogger(__name__)

LEASE_TTL_S = 20.0  # renewed every third of it; a dead worker's lease lapses within this
POLL_S = 0.5

Parsed = dict[str, Any]


def lease_name(sha256: str) -> str:
    return f"parse:{sha256}"


@contextmanager
def parse_lease(catalog: Catalog, sha256: str, *, wait_s: float, poll_s: float = POLL_S) -> Iterator[bool]:
    """Hold ``parse:<sha256>`` for the block; while another run holds it, wait (up to `wait_s`, then
    ``LeaseBusy``). Yields whether it had to wait."""
    deadline = time.monotonic() + wait_s
    waited = False
    with ExitStack() as stack:
        while True:
            try:
                stack.enter_context(held_lease(catalog, lease_name(sha256), ttl_s=LEASE_TTL_S))
                break
            except LeaseBusy:
                if time.monotonic() >= deadline:
                    raise
                waited = True
                time.sleep(poll_s)
        yield waited


def finished_status(catalog: Catalog, sha256: str) -> str | None:
    """The status of the object's latest result when its last attempt finished (none running, none
    died since); None otherwise."""
    count = parse_attempts(catalog, sha256)
    if count is None or count.started != count.finished:
        return None
    return catalog.parse_status(sha256)


def parse_once(catalog: Catalog, sha256: str, parse: Callable[[], Parsed], *, redelivered: bool,
               wait_s: float) -> Parsed:
    """`parse()` under the object's lease, unless this redelivered copy finds the parse done."""
    with parse_lease(catalog, sha256, wait_s=wait_s) as waited:
        status = finished_status(catalog, sha256) if redelivered else None
        if status is not None:
            log.warning("parse of %s: a redelivered copy of a parse that has finished (%s%s), not parsed "
                        "again; is the broker's visibility_timeout shorter than a parse?", sha256, status,
                        ", after waiting for it" if waited else "")
            return {"status": status, "members": []}
        return parse()
