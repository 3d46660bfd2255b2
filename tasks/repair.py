"""``repair``: act on what ``verify`` reports, and retry parses that raised limits may now let pass.

- Damaged objects (``mismatched``, ``missing``, ``not_regular``, ``unreadable``) are restored from
  another copy when there is one: an orphan in the store whose bytes hash to the digest, or, for a
  ZIP/RAR member, its archive (parsed again, which archives its members anew). Otherwise they are
  fetched again from the URL of their latest capture by a crawl of those URLs (Scrapy and the archive
  pipeline, as any crawl; ``fresh``, so no conditional request reads the damaged copy back). The
  archive replaces damaged bytes with identical fetched ones (`Archived.repaired`); a URL that now
  serves other bytes archives a new version, and the old one is reported as not repaired.
- Repaired objects that were captured as files are parsed again (`dispatch.enqueue_parse`).
- Orphans (bytes in the store, not in the catalog) are adopted only when nothing is in doubt: their
  bytes hash to their key, the catalog knows nothing of the digest, and the store kept where they came
  from (S3 metadata, `archive._metadata`), from which their capture is recorded. Any other orphan is
  reported and kept; ``delete_orphans`` removes those, each with a log line. Bytes are never deleted
  otherwise.
- Failed parses ended by the sandbox (a kill, the memory, CPU-time or wall-clock limit) are queued
  again when the limit that ended them is higher in the settings now than the one the result
  recorded (`parse_sandbox.limits_note`).

``dry_run`` plans the same steps and does none of them. A crawl run made by a repair has an id
starting with ``repair-`` and no region, so a region's entry points (`Catalog.last_start_urls`) stay
those of its real crawls; its captures carry no link text or referrer, which is all a direct fetch
of a file knows. A damaged listing page is fetched the same way, and the crawl follows its links as
any crawl does (what it finds is archived once, as ever).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from govbudget.storage.catalog import CaptureRow
from govbudget.storage.fetch import is_archive_member
from govbudget.storage.keys import content_key, sha256_hex
from govbudget.storage.leases import held_lease
from govbudget.storage.object_store import NotRegularObject, ObjectNotFound, StoreError
from govbudget.storage.verify import VerifyReport, check_object, verify_archive
from govbudget.tasks.crawl import CrawlFailed, crawl_config, run_crawl
from govbudget.tasks.dispatch import enqueue_parse
from govbudget.tasks.parse_sandbox import Limits, recorded_limits
from govbudget.tasks.runtime import Services
from govbudget.tasks.url_gate import UnsafeUrl

log = logging.getLogger(__name__)

REPAIR_LEASE = "repair"
REPAIR_CRAWL_PREFIX = "repair-"

# The reasons `parse_sandbox` gives for a parse it ended, and the limit behind each (a signal may be
# the kernel enforcing either limit, or an out-of-memory kill: any raised limit may let it pass).
_ENDED_BY = (
    (re.compile(r"parser exceeded its wall-clock limit of \d+ s"), "wall"),
    (re.compile(r"parser exceeded its CPU-time limit of \d+ s"), "cpu"),
    (re.compile(r"parser exceeded its \d+ MiB memory limit"), "memory"),
    (re.compile(r"parser process died with signal \d+"), "kill"),
)

Progress = Callable[[dict[str, Any]], None]


@dataclass
class Step:
    """One thing repair does (or, in a dry run, would do) and how it went.

    `action`: ``restore`` (from another copy), ``refetch``, ``reparse_container``, ``unrecoverable``,
    ``adopt``, ``keep_orphan``, ``delete_orphan``, ``reparse``, ``requeue_parse``, ``keep_failed``.
    `target` is a digest, or an orphan's key.
    """

    action: str
    target: str
    detail: str
    result: str = "planned"
    ok: bool | None = None  # None: planned, or nothing to judge

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RepairReport:
    """The steps, and verify's report before and (unless a dry run) after them."""

    dry_run: bool
    before: VerifyReport
    steps: list[Step] = field(default_factory=list)
    after: VerifyReport | None = None

    @property
    def healthy(self) -> bool:
        """The archive is clean after the repair (a dry run changes nothing: clean if it was)."""
        report = self.before if self.after is None else self.after
        return report.healthy

    def count(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for step in self.steps:
            counts[step.action] += 1
        return dict(sorted(counts.items()))

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "steps": [s.as_dict() for s in self.steps],
            "counts": self.count(),
            "before": self.before.as_dict(),
            "after": None if self.after is None else self.after.as_dict(),
            "healthy": self.healthy,
        }


def repair(
    svc: Services, *, dry_run: bool = False, delete_orphans: bool = False, on_event: Progress | None = None
) -> RepairReport:
    """Verify the archive, mend what can be mended, re-parse, and verify again (see the module doc).

    Holds the catalog lease ``repair`` (raises `LeaseBusy` while another repair runs).
    """
    if dry_run:
        return _Repair(svc, dry_run=True, delete_orphans=delete_orphans, on_event=on_event).run()
    with held_lease(svc.catalog, REPAIR_LEASE):
        return _Repair(svc, dry_run=False, delete_orphans=delete_orphans, on_event=on_event).run()


class _Repair:
    def __init__(self, svc: Services, *, dry_run: bool, delete_orphans: bool,
                 on_event: Progress | None) -> None:
        self.svc, self.store, self.catalog = svc, svc.store, svc.catalog
        self.dry_run, self.delete_orphans, self.on_event = dry_run, delete_orphans, on_event
        self.report = RepairReport(dry_run=dry_run, before=verify_archive(self.store, self.catalog))
        self.mended: dict[str, str] = {}  # digest → why it is to be parsed again (bytes put back, adopted)
        self.refetch_from: dict[str, tuple[str, str | None]] = {}  # digest → (URL, region) to fetch
        self.container: dict[str, str] = {}  # member digest → the digest of its ZIP/RAR
        self.content_type: dict[str, str | None] = {}  # damaged digest → its catalog content type
        self.parsed: set[str] = set()  # ZIP/RAR parsed again to restore members (not parsed twice)

    def run(self) -> RepairReport:
        before = self.report.before
        damaged = {p["sha256"]: p for p in before.damaged}
        copies, orphan_steps = self._survey_orphans(before.orphans, damaged)
        restores, refetches, containers = self._plan_damaged(damaged, copies)
        failed = self._plan_failed_parses()
        steps = self.report.steps
        steps += restores + refetches + containers + orphan_steps + failed
        if self.dry_run:
            return self.report
        for step in restores:
            self._restore(step, copies[step.target])
        self._refetch(refetches)
        for step in containers:
            self._reparse_container(step)
        for step in orphan_steps:
            self._settle_orphan(step)
        steps += self._reparse(dict(sorted(self.mended.items())))
        for step in failed:
            if step.action == "requeue_parse":
                self._parse_again(step)
        self.report.after = verify_archive(self.store, self.catalog)
        return self.report

    # -- planning -------------------------------------------------------------------------------------

    def _survey_orphans(
        self, orphans: list[dict[str, Any]], damaged: dict[str, Any]
    ) -> tuple[dict[str, str], list[Step]]:
        """Read every orphan once: which damaged digests it is a copy of, and what to do with it."""
        copies: dict[str, str] = {}
        steps: list[Step] = []
        for orphan in orphans:
            key, digest = orphan["key"], orphan["sha256"]
            try:
                data = self.store.get(key)
            except ObjectNotFound:
                continue  # gone since verify listed it
            except NotRegularObject as exc:
                steps.append(self._orphan_kept(key, exc.reason))
                continue
            except (StoreError, OSError, ValueError) as exc:
                steps.append(Step("keep_orphan", key, f"unreadable: {exc}", ok=False))
                continue
            actual = sha256_hex(data)
            if actual in damaged:
                copies.setdefault(actual, key)
            if digest is None:
                steps.append(self._orphan_kept(key, f"not a content key (bytes hash to {actual})"))
            elif actual != digest:
                steps.append(self._orphan_kept(key, f"bytes hash to {actual}, not to its key"))
            elif self.catalog.has_object(digest):
                steps.append(self._orphan_kept(key, "the catalog lists this digest under another key"))
            else:
                capture = self._provenance(key, digest, len(data))
                if capture is None:
                    why = ("the store kept no record of where it came from (a local folder keeps none): "
                           "a crawl of its source records it")
                    steps.append(self._orphan_kept(key, why))
                else:
                    steps.append(Step("adopt", key, f"captured from {capture.url} at "
                                                    f"{capture.fetched_at.isoformat()} (store metadata)"))
        return copies, steps

    def _orphan_kept(self, key: str, reason: str) -> Step:
        if self.delete_orphans:
            return Step("delete_orphan", key, reason)
        return Step("keep_orphan", key, reason, result="kept: --delete-orphans removes it", ok=False)

    def _provenance(self, key: str, digest: str, size: int) -> CaptureRow | None:
        """The capture an orphan's store metadata describes, or None when it names no source."""
        try:
            meta = self.store.metadata(key)
        except (StoreError, OSError):
            return None
        url, fetched = meta.get("source-url"), meta.get("fetched-at")
        if not url or not fetched:
            return None
        try:
            fetched_at = datetime.fromisoformat(fetched)
        except ValueError:
            return None
        if fetched_at.tzinfo is None:
            return None
        content_type = meta.get("content-type") or "application/octet-stream"
        kind = meta.get("kind")
        if kind not in ("file", "page"):  # objects stored before the kind was kept beside them
            kind = "page" if content_type.startswith("text/html") else "file"
        via = meta.get("via") if meta.get("via") in ("http", "browser") else "http"
        return CaptureRow(
            sha256=digest, url=url, final_url=meta.get("final-url"), fetched_at=fetched_at, via=via,
            kind=kind, crawl_id=meta.get("crawl-id"), region_code=meta.get("region-code"),
            headers={"Content-Type": content_type},
        )

    def _plan_damaged(
        self, damaged: dict[str, Any], copies: dict[str, str]
    ) -> tuple[list[Step], list[Step], list[Step]]:
        restores: list[Step] = []
        refetches: list[Step] = []
        containers: list[Step] = []
        unrecoverable: list[Step] = []
        if damaged:
            self.content_type = {r.sha256: r.content_type for r in self.catalog.objects()
                                 if r.sha256 in damaged}
        for sha, problem in damaged.items():
            what = f"{problem['kind']}: {problem['reason']}"
            if problem.get("key") != content_key(sha):
                unrecoverable.append(Step("unrecoverable", sha, f"{what}; fix the catalog row by hand",
                                          result="not repaired", ok=False))
                continue
            if sha in copies:
                restores.append(Step("restore", sha, f"{what}; a copy is in the store under {copies[sha]}"))
                continue
            captures = list(self.catalog.captures(sha))
            if not captures:
                unrecoverable.append(Step("unrecoverable", sha, f"{what}; no capture says where to fetch it",
                                          result="not repaired", ok=False))
                continue
            latest = captures[-1]
            if is_archive_member(latest.url, latest.referrer, latest.link_text):
                container = self._container_of(latest.referrer)
                if container is None:
                    unrecoverable.append(Step("unrecoverable", sha,
                                              f"{what}; its archive {latest.referrer} is not in the catalog",
                                              result="not repaired", ok=False))
                else:
                    self.container[sha] = container
                    containers.append(Step("reparse_container", sha,
                                           f"{what}; member {latest.link_text!r} of {container}"))
                continue
            refetches.append(Step("refetch", sha, f"{what}; from {latest.url}"))
            self.refetch_from[sha] = (latest.url, latest.region_code)
        return restores, refetches, containers + unrecoverable

    def _container_of(self, referrer: str) -> str | None:
        """The digest of the ZIP/RAR a member came from: its archive's latest capture of that URL."""
        if referrer.startswith("archive:"):  # a member of an archive that had no capture
            digest = referrer.removeprefix("archive:")
            return digest if self.catalog.has_object(digest) else None
        capture = self.catalog.last_capture_for_url(referrer)
        return None if capture is None else str(capture.sha256)

    def _plan_failed_parses(self) -> list[Step]:
        now = Limits(memory_mb=self.svc.settings.parse_memory_mb,
                     cpu_seconds=self.svc.settings.parse_cpu_seconds)
        steps: list[Step] = []
        for row in self.catalog.latest_failed_parses():
            errors = [str(e) for e in row.errors or []]
            hit = _limit_hit(errors)
            if hit is None:
                continue
            kind, reason = hit
            then = recorded_limits(errors)
            if then is None:
                steps.append(Step("keep_failed", row.sha256, f"{reason}; the limits it ran under were not "
                                  "recorded (an older result)", result="kept"))
            elif _raised(kind, then, now):
                steps.append(Step("requeue_parse", row.sha256,
                                  f"{reason}; limits then {_show(then)}, now {_show(now)}"))
            else:
                steps.append(Step("keep_failed", row.sha256,
                                  f"{reason}; the limit behind it is not higher now ({_show(now)})",
                                  result="kept"))
        return steps

    # -- doing ----------------------------------------------------------------------------------------

    def _restore(self, step: Step, copy_key: str) -> None:
        try:
            data = self.store.get(copy_key)
            if sha256_hex(data) != step.target:
                raise ValueError(f"the copy under {copy_key} changed since it was read")
            self.store.put(content_key(step.target), data,
                           content_type=self.content_type.get(step.target) or "application/octet-stream")
        except (StoreError, OSError, ValueError) as exc:
            step.result, step.ok = f"failed: {exc}", False
            return
        log.warning("repair: object %s restored from the copy under %s", step.target, copy_key)
        self._judge(step, "restored")

    def _refetch(self, steps: list[Step]) -> None:
        """One crawl per region of the URLs to fetch again; each step judged by the store afterwards."""
        by_region: dict[str | None, list[Step]] = defaultdict(list)
        for step in steps:
            by_region[self.refetch_from[step.target][1]].append(step)
        for group in by_region.values():
            urls = sorted({self.refetch_from[s.target][0] for s in group})
            served: dict[str, str] = {}
            log_file = ""

            def watch(event: dict[str, Any], served: dict[str, str] = served) -> None:
                if event.get("event") == "archived":
                    served[str(event.get("url"))] = str(event.get("sha256"))
                    if event.get("repaired"):
                        self.mended[str(event["sha256"])] = "its bytes were put back"
                if self.on_event is not None:
                    self.on_event(event)

            # No region on the run: its start URLs must not become the region's entry points.
            config = crawl_config(self.svc.settings, urls, fresh=True)
            config = replace(config, crawl_id=f"{REPAIR_CRAWL_PREFIX}{uuid.uuid4()}")
            try:
                log_file = run_crawl(self.svc, config, on_event=watch).log_file
            except (CrawlFailed, UnsafeUrl) as exc:
                for step in group:
                    step.result, step.ok = f"failed: the crawl failed: {exc}"[:2000], False
                continue
            for step in group:
                url = self.refetch_from[step.target][0]
                got = served.get(url)
                if got is not None and got != step.target:
                    step.result, step.ok = (f"not repaired: {url} now serves other bytes ({got}); this "
                                            "version cannot be fetched again"), False
                elif got is None:
                    step.result, step.ok = f"not repaired: {url} was not fetched (see {log_file})", False
                else:
                    self._judge(step, "repaired")

    def _reparse_container(self, step: Step) -> None:
        container = self.container[step.target]
        if container not in self.parsed:
            self.parsed.add(container)
            enqueue_parse(container)
        if not self.svc.settings.embedded_queue:
            step.result, step.ok = f"queued: the parse of {container} archives it again", None
            return
        problem = check_object(self.store, content_key(step.target), step.target)
        if problem is None:
            step.result, step.ok = f"restored from its archive {container}", True
        else:
            step.result, step.ok = f"not repaired: its archive gave it not back ({problem.reason})", False

    def _judge(self, step: Step, done: str) -> None:
        """`done` when the store now holds the object's bytes, else why not; a mended file is re-parsed."""
        problem = check_object(self.store, content_key(step.target), step.target)
        if problem is None:
            step.result, step.ok = done, True
            self.mended[step.target] = "its bytes were put back"
        else:
            step.result, step.ok = f"not repaired: {problem.kind}: {problem.reason}", False

    def _settle_orphan(self, step: Step) -> None:
        if step.action == "adopt":
            digest = step.target.rsplit("/", 1)[-1]
            try:
                data = self.store.get(step.target)
                capture = self._provenance(step.target, digest, len(data))
                if capture is None or sha256_hex(data) != digest:
                    raise ValueError("the object changed since it was read")
                content_type = capture.headers.get("Content-Type")
                self.catalog.record_capture(capture, size=len(data), storage_key=step.target,
                                            content_type=content_type)
            except (StoreError, OSError, ValueError) as exc:
                step.result, step.ok = f"failed: {exc}", False
                return
            log.warning("repair: orphan %s adopted into the catalog (captured from %s)", step.target,
                        capture.url)
            step.result, step.ok = "adopted", True
            if capture.kind == "file":
                self.mended[digest] = "adopted: never parsed"
        elif step.action == "delete_orphan":
            try:
                self.store.delete(step.target)
            except (StoreError, OSError) as exc:
                step.result, step.ok = f"failed: {exc}", False
                return
            log.warning("repair: orphan %s deleted (%s)", step.target, step.detail)
            step.result, step.ok = "deleted", True

    def _reparse(self, mended: dict[str, str]) -> list[Step]:
        """Parse again the mended objects captured as files (pages are kept, not parsed)."""
        steps = []
        for sha, why in mended.items():
            if sha in self.parsed or not any(c.kind == "file" for c in self.catalog.captures(sha)):
                continue
            step = Step("reparse", sha, why)
            self._parse_again(step)
            steps.append(step)
        return steps

    def _parse_again(self, step: Step) -> None:
        enqueue_parse(step.target)
        if not self.svc.settings.embedded_queue:
            step.result = "queued"
            return
        status = self.catalog.parse_status(step.target)
        step.result, step.ok = f"parsed: {status}", status in ("ok", "partial")


def _limit_hit(errors: list[str]) -> tuple[str, str] | None:
    """(which limit, the reason) when a sandbox limit or a kill ended the parse, else None."""
    for error in errors:
        for pattern, kind in _ENDED_BY:
            if pattern.match(error):
                return kind, error
    return None


def _raised(kind: str, then: Limits, now: Limits) -> bool:
    memory = now.memory_mb > then.memory_mb
    cpu = now.cpu_seconds > then.cpu_seconds
    wall = now.wall_seconds > then.wall_seconds
    return {"memory": memory, "cpu": cpu, "wall": wall, "kill": memory or cpu or wall}[kind]


def _show(limits: Limits) -> str:
    return f"{limits.memory_mb} MiB, {limits.cpu_seconds} s CPU"
