"""``parse_object``: read one archived object and store what the parsers make of it.

The task takes a sha256, never bytes: the archive is the source of truth and a retried or
redelivered task reads the same object again. Storing the result is an upsert keyed by sha256,
parser version and record position, so running the task twice leaves the same rows. A file the
parsers cannot read is a *result* (status ``failed`` with reasons), not an exception; only
transient trouble (store or database unreachable) raises and is retried with backoff.

Every run counts a start and a finish (``storage.attempts``). A run that dies with its worker never
counts its finish; after ``MAX_CRASHES`` such deaths the file gets a failed result ("gave up")
instead of another try, so a poison file cannot loop between workers forever.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from govbudget.crawler.classify import classify_link
from govbudget.parsers import parse_bytes
from govbudget.parsers.outcome import Member, ParseOutcome, failed_outcome
from govbudget.storage.attempts import finish_parse_attempt, start_parse_attempt
from govbudget.storage.catalog import CatalogUnavailable
from govbudget.storage.fetch import Fetch, member_url
from govbudget.storage.keys import content_key, sha256_hex
from govbudget.storage.object_store import ObjectNotFound, StoreUnavailable
from govbudget.storage.rows import CaptureRow
from govbudget.tasks.app import app
from govbudget.tasks.parse_sandbox import Limits, Target, parse_sandboxed
from govbudget.tasks.runtime import Services, services

TRANSIENT_ERRORS = (StoreUnavailable, CatalogUnavailable, ConnectionError, TimeoutError)
MAX_CRASHES = 3
GAVE_UP_PARSER = "archive"
PARSE_TARGET: Target = parse_bytes  # what the sandboxed child runs; tests swap in a misbehaving parser


def parse_counted(svc: Services, sha256: str, worker: str | None = None) -> str:
    """``parse_archived`` with start/finish counting and the crash cap."""
    if not svc.catalog.has_object(sha256):
        return parse_archived(svc, sha256)
    count = start_parse_attempt(svc.catalog, sha256, worker)
    try:
        if count.crashes >= MAX_CRASHES:
            reason = f"gave up: the worker died {count.crashes} times while parsing this file"
            outcome = failed_outcome(sha256=sha256, fmt="unknown", parser=GAVE_UP_PARSER, errors=[reason])
            cat = svc.catalog
            cat.save_parse_result(sha256, outcome.parser, outcome.status, outcome.errors, outcome.records)
            return outcome.status
        return parse_archived(svc, sha256)
    finally:
        finish_parse_attempt(svc.catalog, sha256)


def parse_archived(svc: Services, sha256: str) -> str:
    """Parse the object stored under ``sha256`` and save the outcome; return its status."""
    captures = list(svc.catalog.captures(sha256))
    latest = captures[-1] if captures else None
    filename = urlsplit(latest.final_url or latest.url).path if latest else None
    try:
        data = svc.store.get(content_key(sha256))
    except ObjectNotFound:
        outcome = failed_outcome(
            sha256=sha256, fmt="unknown", parser="archive", errors=["object missing from the store"]
        )
    else:
        if sha256_hex(data) != sha256:
            outcome = failed_outcome(
                sha256=sha256, fmt="unknown", parser="archive",
                errors=["stored bytes do not match their sha256 key"],
            )
        else:
            outcome = _parse_limited(svc, data, filename, sha256)
    if latest is not None and latest.region_code and not outcome.document.get("region_code"):
        outcome.document["region_code"] = latest.region_code
    svc.catalog.save_parse_result(sha256, outcome.parser, outcome.status, outcome.errors, outcome.records)
    for member in outcome.members:
        _save_member(svc, sha256, latest, member)
    return outcome.status


def _parse_limited(svc: Services, data: bytes, filename: str | None, sha256: str) -> ParseOutcome:
    """Parse in a child capped by the settings' memory and CPU limits, so a bad file fails alone."""
    limits = Limits(memory_mb=svc.settings.parse_memory_mb, cpu_seconds=svc.settings.parse_cpu_seconds)
    return parse_sandboxed(data, filename=filename, sha256=sha256, limits=limits, target=PARSE_TARGET)


def _save_member(svc: Services, archive_sha: str, latest: CaptureRow | None, member: Member) -> None:
    """Archive one archive member as its own object, captured at `<archive url>#<member name>`."""
    base = (latest.final_url or latest.url) if latest is not None else f"archive:{archive_sha}"
    url = member_url(base, member.name)
    # the member's own name says what it is (部门预算, 三公经费, ...), the archive's title the context
    guess = classify_link(member.name, url, (latest.title or "") if latest is not None else "")
    svc.archive.archive(Fetch(
        url=url,
        body=member.data,
        via="http",
        kind="file",
        referrer=base,
        link_text=member.name,
        region_code=latest.region_code if latest is not None else None,
        fiscal_year=guess.fiscal_year or (latest.fiscal_year if latest is not None else None),
        doc_kind=guess.doc_kind,
        title=guess.title,
        department=guess.department,
        phase=guess.phase,
        crawl_id=latest.crawl_id if latest is not None else None,
        format=member.outcome.document.get("format"),
    ))
    outcome = member.outcome
    if latest is not None and latest.region_code and not outcome.document.get("region_code"):
        outcome.document["region_code"] = latest.region_code
    svc.catalog.save_parse_result(member.sha256, outcome.parser, outcome.status, outcome.errors,
                                  outcome.records)


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
def parse_object(self: Any, sha256: str) -> str:
    """Celery entry point; see ``parse_counted``."""
    return parse_counted(services(), sha256, worker=getattr(self.request, "hostname", None))
