"""``parse_object``: read one archived object and store what the parsers make of it.

The task takes a sha256, never bytes: the archive is the source of truth and a retried or
redelivered task reads the same object again. Storing the result is an upsert keyed by sha256,
parser version and record position, so running the task twice leaves the same rows. A file the
parsers cannot read is a *result* (status ``failed`` with reasons), not an exception; only
transient trouble (store or database unreachable) raises and is retried with backoff.

The members of a ZIP/RAR are archived as objects of their own by storage (``Archive.archive_member``,
with the archive's capture as their provenance) and their outcomes saved beside the archive's; the
task returns the ``archived`` events of those members, which an in-process crawl passes on.

Every run counts a start and a finish (``storage.attempts``). A run that dies with its worker never
counts its finish; after ``MAX_CRASHES`` such deaths the file gets a failed result ("gave up")
instead of another try, so a poison file cannot loop between workers forever. A run stopped by
SIGTERM or SIGINT (a worker's shutdown, a Ctrl-C) is finished as interrupted, never counted a crash.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from govbudget.parsers import parse_bytes
from govbudget.parsers.api import with_link
from govbudget.parsers.outcome import ParseOutcome, failed_outcome
from govbudget.storage.attempts import finish_parse_attempt, start_parse_attempt
from govbudget.storage.catalog import CatalogUnavailable
from govbudget.storage.keys import content_key, sha256_hex
from govbudget.storage.object_store import ObjectNotFound, StoreUnavailable
from govbudget.storage.retry import Backoff, Outage, RetryLog
from govbudget.storage.rows import Row
from govbudget.tasks.app import app
from govbudget.tasks.interrupts import Interrupted, interruptible
from govbudget.tasks.parse_lease import LEASE_TTL_S, parse_once
from govbudget.tasks.parse_sandbox import Limits, Target, parse_sandboxed
from govbudget.tasks.regions_of import region_of
from govbudget.tasks.runtime import Services, services
from govbudget.tasks.settings import Settings

TRANSIENT_ERRORS = (StoreUnavailable, CatalogUnavailable, ConnectionError, TimeoutError)
MAX_CRASHES = 3
# The parser label of a failure the task records itself (object missing, bytes not matching their
# digest, the crash cap reached); results saved by older versions under "archive" read the same.
TASK_PARSER = "dispatch"
PARSE_TARGET: Target = parse_bytes  # what the sandboxed child runs; tests swap in a misbehaving parser
# In process, transient errors are waited out like the worker's autoretry does (doubling, jittered
# waits), with real sleeps: Celery's eager mode ignores a retry's countdown and would run them back to back.
EAGER_RETRY = Backoff(first_s=1.0, factor=2.0, max_delay_s=60.0, give_up_after_s=300.0, jitter=0.5)


class GaveUp(RuntimeError):
    """An in-process parse whose transient errors outlasted `EAGER_RETRY` (Celery does not retry it)."""


Parsed = dict[str, Any]  # {"status": "ok"|"partial"|"failed", "members": [archived events]}


@interruptible()
def parse_counted(svc: Services, sha256: str, worker: str | None = None) -> Parsed:
    """``parse_archived`` with start/finish counting and the crash cap; SIGTERM or SIGINT ends the
    attempt as interrupted (``tasks.interrupts``), then the process goes as the signal meant."""
    if not svc.catalog.has_object(sha256):
        return parse_archived(svc, sha256)
    count = start_parse_attempt(svc.catalog, sha256, worker)
    interrupted = False
    try:
        if count.crashes >= MAX_CRASHES:
            reason = f"gave up: the worker died {count.crashes} times while parsing this file"
            outcome = failed_outcome(sha256=sha256, fmt="unknown", parser=TASK_PARSER, errors=[reason])
            _save(svc, sha256, outcome, None)
            return {"status": outcome.status, "members": []}
        return parse_archived(svc, sha256)
    except (Interrupted, KeyboardInterrupt):
        interrupted = True
        raise
    finally:
        finish_parse_attempt(svc.catalog, sha256, interrupted=interrupted)


def parse_archived(svc: Services, sha256: str) -> Parsed:
    """Parse the object stored under ``sha256``, save the outcome and archive its members.

    Returns the status and the ``archived`` events of the members (``member: true``).
    """
    captures = list(svc.catalog.captures(sha256))
    latest = captures[-1] if captures else None
    filename = urlsplit(latest.final_url or latest.url).path if latest else None
    try:
        data = svc.store.get(content_key(sha256))
    except ObjectNotFound:
        outcome = failed_outcome(
            sha256=sha256, fmt="unknown", parser=TASK_PARSER, errors=["object missing from the store"]
        )
    else:
        if sha256_hex(data) != sha256:
            outcome = failed_outcome(
                sha256=sha256, fmt="unknown", parser=TASK_PARSER,
                errors=["stored bytes do not match their sha256 key"],
            )
        else:
            outcome = parse_limited(data, filename, svc.settings, sha256=sha256)
            outcome = with_link(outcome, _link_hints(latest))
    events = []
    for member in outcome.members:  # before the archive's own result, which says the task is done
        fmt = member.outcome.document.get("format")
        fetch, archived = svc.archive.archive_member(latest, sha256, member.name, member.data, format=fmt)
        _save(svc, archived.sha256, member.outcome, latest)
        events.append({"event": "archived", **archived.event(fetch)})
    _save(svc, sha256, outcome, latest)
    return {"status": outcome.status, "members": events}


def _link_hints(capture: Row | None) -> dict[str, Any] | None:
    """What the crawl read from the file's link (its text, and the year, phase and department it gave
    the capture), compared with what the file says (`parsers.checks.agreement`); None: no link."""
    if capture is None:
        return None
    return {name: capture.get(name) for name in ("link_text", "fiscal_year", "phase", "department")}


def parse_limited(data: bytes, filename: str | None, settings: Settings, *,
                  sha256: str | None = None) -> ParseOutcome:
    """Parse ``data`` in the sandboxed child under the settings' memory and CPU limits.

    The one parse path: the worker (``parse_archived``) and ``govbudget parse`` both come here, so a
    file that exhausts a limit is the same ``failed`` outcome, with the same reason, everywhere.
    """
    limits = Limits(memory_mb=settings.parse_memory_mb, cpu_seconds=settings.parse_cpu_seconds)
    return parse_sandboxed(data, filename=filename, sha256=sha256 or sha256_hex(data), limits=limits,
                           target=PARSE_TARGET)


def _save(svc: Services, sha256: str, outcome: ParseOutcome, capture: Row | None) -> None:
    """Save one outcome with the file's own region: the place its document names, else its link's,
    its portal's or its crawl's (`tasks.regions_of`), kept on the document record and the result."""
    code, source = region_of(svc, outcome.document, capture)
    outcome.document["region_code"] = code
    outcome.document["region_source"] = source
    svc.catalog.save_parse_result(sha256, outcome.parser, outcome.status, outcome.errors, outcome.records)
    svc.catalog.set_region(sha256, outcome.parser, code, source)


@app.task(
    name="govbudget.parse_object",
    bind=True,
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
)
def parse_object(self: Any, sha256: str) -> Parsed:
    """Celery entry point; see ``parse_counted`` (its result is JSON, as Celery passes it). One run per
    object at a time: a copy Redis redelivers while the parse runs waits for it, then skips work done
    (``parse_lease``)."""
    if self.request.is_eager:
        return parse_in_process(sha256)
    svc = services()
    return parse_once(svc.catalog, sha256,
                      lambda: parse_counted(svc, sha256, worker=getattr(self.request, "hostname", None)),
                      redelivered=bool((self.request.delivery_info or {}).get("redelivered")),
                      wait_s=float(app.conf.task_time_limit or 0) + LEASE_TTL_S)


def parse_in_process(
    sha256: str, *, backoff: Backoff | None = None, log: RetryLog | None = None, outage: Outage | None = None
) -> Parsed:
    """``parse_counted`` here and now, transient errors retried with the sleeps of `backoff` (default
    `EAGER_RETRY`; each try is a counted attempt); raises `GaveUp` once they outlast it. `log` collects
    the retries; calls sharing `outage` share its budget (a crawl waits out one outage once, not per file)."""
    try:
        return (backoff or EAGER_RETRY).call(
            lambda: parse_counted(services(), sha256), f"parse {sha256}", log or RetryLog(),
            retry_on=TRANSIENT_ERRORS, outage=outage,
        )
    except TRANSIENT_ERRORS as exc:
        raise GaveUp(f"{type(exc).__name__}: {exc}") from exc
