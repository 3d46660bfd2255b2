"""`held_lease`: hold a catalog lease for the length of a block, renewing it from a heartbeat thread.

A region crawl takes `crawl:<code>` so two workers (on one machine or many) never crawl the same
region at once. The lease has a short time-to-live renewed every third of it while the crawl runs,
so a worker that dies (SIGKILL, lost machine) frees the region within one ttl, not hours later.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from govbudget.storage.catalog import Catalog
from govbudget.storage.leases import acquire_lease, lease_holder, release_lease, renew_lease

log = logging.getLogger(__name__)
DEFAULT_TTL_S = 120.0


class LeaseBusy(RuntimeError):
    """Someone else holds the lease; the message says who and until when."""


def make_holder() -> str:
    """A holder id naming this host and process (what an operator wants to see in a busy message)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@contextmanager
def held_lease(
    catalog: Catalog, name: str, *, ttl_s: float = DEFAULT_TTL_S, holder: str | None = None
) -> Iterator[str]:
    """Acquire `name` or raise `LeaseBusy`; renew it in the background; release it on exit."""
    holder = holder or make_holder()
    if not acquire_lease(catalog, name, holder, ttl_s):
        current = lease_holder(catalog, name)
        who = f"{current.holder} until {current.expires_at.isoformat()}" if current else "another worker"
        raise LeaseBusy(f"{name} is held by {who}")
    stop = threading.Event()

    def heartbeat() -> None:
        while not stop.wait(ttl_s / 3):
            try:
                if not renew_lease(catalog, name, holder, ttl_s):
                    log.error("lease %s was lost (expired and taken over)", name)
                    return
            except Exception:  # a database hiccup: try again next beat, the ttl leaves room
                log.exception("renewing lease %s failed", name)

    thread = threading.Thread(target=heartbeat, name=f"lease-{name}", daemon=True)
    thread.start()
    try:
        yield holder
    finally:
        stop.set()
        thread.join(timeout=5)
        release_lease(catalog, name, holder)
