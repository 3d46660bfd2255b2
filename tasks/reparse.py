"""``govbudget reparse``: send archived files through the parse task again, after the parsers improved.

Files are chosen from their captures (region, fiscal year) and from the parser version of their latest
result; each goes through the same dispatch as a crawl's files (``dispatch.Dispatcher``: a Celery job
when a broker is set, parsed here and now otherwise). Nothing is replaced: results are keyed by
object and parser label (``name@version``), so a new version's result is stored beside the old one,
which stays for ``govbudget diff``; exports read each object's latest result.

ZIP/RAR members are not selected on their own: their archive's parse archives and parses them again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from packaging.version import InvalidVersion, Version

from govbudget import regions
from govbudget.tasks.dispatch import Dispatcher
from govbudget.tasks.runtime import Services


class ReparseError(ValueError):
    """A selection that cannot be understood (unknown region, malformed version)."""


def parser_version(label: str | None) -> Version | None:
    """The version of a ``name@version`` label; None when it has none (the task's own failures,
    ``dispatch`` or ``sandbox``) or it is not a version."""
    if not label or "@" not in label:
        return None
    try:
        return Version(label.rsplit("@", 1)[1])
    except InvalidVersion:
        return None


def is_older(label: str | None, than: Version) -> bool:
    """Whether a result labelled `label` comes from a parser older than `than`: no result and a label
    without a version count as older than any version."""
    version = parser_version(label)
    return version is None or version < than


def region_code(text: str) -> str:
    """A GB/T 2260 code as given (captures may name one the table lacks), or the code of a
    division's name (``邯郸市``)."""
    from govbudget.regions import UnknownRegion, resolve

    if re.fullmatch(r"\d{6}", text.strip()):
        return text.strip()
    try:
        return resolve(text).code
    except (UnknownRegion, KeyError) as exc:
        raise ReparseError(str(exc)) from exc


def region_prefix(code: str) -> str:
    """The prefix shared by `code` and every region under it; ReparseError for a bad code."""
    try:
        return regions.region_prefix(code)
    except ValueError as exc:
        raise ReparseError(str(exc)) from exc


@dataclass
class ReparseReport:
    """What a re-parse chose and what became of each file."""

    dry_run: bool
    region_code: str | None
    years: tuple[int, int] | None
    older_than: str | None
    considered: int = 0  # files the region and years selected, before the version filter
    selected: list[dict[str, Any]] = field(default_factory=list)  # {"sha256", "parser"} of each
    queued: int = 0  # queued for a worker, or parsed here in the embedded mode
    in_process: bool = True
    errors: dict[str, str] = field(default_factory=dict)  # sha256 -> why it was neither

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "region_code": self.region_code,
            "years": list(self.years) if self.years else None,
            "older_than": self.older_than,
            "considered": self.considered,
            "selected": len(self.selected),
            "queued": self.queued,
            "in_process": self.in_process,
            "errors": self.errors,
            "files": self.selected,
        }


def reparse(
    svc: Services,
    *,
    region: str | None = None,
    years: tuple[int, int] | None = None,
    older_than: str | None = None,
    dry_run: bool = False,
) -> ReparseReport:
    """Re-queue the archived files captured for `region` (code or name, regions under it included)
    and a fiscal year in `years`, whose latest result is older than `older_than` (a version; see
    `is_older`); with `dry_run` only say which."""
    try:
        threshold = Version(older_than) if older_than is not None else None
    except InvalidVersion as exc:
        raise ReparseError(f"not a version: {older_than!r} (e.g. 0.3.0)") from exc
    code = region_code(region) if region is not None else None
    files = svc.catalog.files_with_latest_parser(
        region_prefix=region_prefix(code) if code else None, years=years
    )
    report = ReparseReport(dry_run=dry_run, region_code=code, years=years, older_than=older_than,
                           considered=len(files), in_process=svc.settings.embedded_queue)
    report.selected = [
        {"sha256": row.sha256, "parser": row.parser}
        for row in files
        if threshold is None or is_older(row.parser, threshold)
    ]
    if dry_run:
        return report
    dispatcher = Dispatcher(svc.settings)
    for item in report.selected:
        dispatcher.send(item["sha256"])
    report.errors = dict(dispatcher.errors)
    report.queued = len(report.selected) - len(report.errors)
    return report
