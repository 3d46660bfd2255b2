"""Provenance commands: ``export-warc`` (captures as WARC), ``verify`` (re-hash the object archive),
``repair`` (mend what verify reports) and ``refetch`` (re-crawl a region and say what changed at each
document)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from govbudget.cli.common import AsJson, DataDir, console, print_json, services


def _parse_since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(text), datetime.min.time())
        except ValueError as exc:
            raise typer.BadParameter(f"not an ISO date: {text!r} (e.g. 2024-03-01)") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def export_warc(
    out: Annotated[Path, typer.Argument(help="The WARC file to write (.warc.gz).")],
    region: Annotated[str | None, typer.Option("--region", help="Only captures of this region.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Only captures from this date (ISO).")] = None,
    cdxj: Annotated[Path | None, typer.Option("--cdxj", help="Index file (default: OUT with .cdxj).")] = None,
    data_dir: DataDir = None,
) -> None:
    """Write captures as a WARC 1.1 file (request, response, revisit records) plus a CDXJ index.

    Example: govbudget export-warc --region 130400 handan.warc.gz
    """
    from govbudget.storage.warc_export import export_warc as write_warc

    if not out.name.endswith(".warc.gz"):
        raise typer.BadParameter("the output name must end in .warc.gz")
    svc = services(data_dir)
    report = write_warc(
        svc.store, svc.catalog, out, region_code=region, since=_parse_since(since), cdxj_path=cdxj
    )
    if report.captures == 0:
        console.print("[yellow]no captures matched: the WARC holds only its warcinfo record[/yellow]")
    print_json(vars(report))


def verify(
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Re-hash every archived object against its key; list mismatched, missing, non-regular (a
    symlink in place of an object, say), unreadable, orphaned (in the store, not in the catalog) and
    uncaptured objects; exit 1 if there is any.

    Example: govbudget verify --json
    """
    from govbudget.storage.catalog import CatalogUnavailable
    from govbudget.storage.verify import verify_archive

    svc = services(data_dir)
    try:
        report = verify_archive(svc.store, svc.catalog)
    except CatalogUnavailable as exc:
        console.print(f"[red]verify: the catalog is unreachable:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    if as_json:
        print_json(report.as_dict())
    else:
        _show_verify(report)
    if not report.healthy:
        raise typer.Exit(1)


_VERIFY_LABELS = {
    "mismatched": "MISMATCH", "missing": "MISSING", "not_regular": "NOT A FILE", "unreadable": "UNREADABLE",
    "orphans": "ORPHAN", "uncaptured": "UNCAPTURED",
}


def _show_verify(report: Any) -> None:
    from rich.markup import escape

    for name, label in _VERIFY_LABELS.items():
        for problem in getattr(report, name):
            what = problem.get("sha256") if name != "orphans" else problem["key"]
            console.print(f"[red]{label}[/red] {escape(str(what))}: {escape(problem['reason'])}",
                          highlight=False)
    for error in report.errors:
        console.print(f"[red]ERROR[/red] {escape(error)}", highlight=False)
    counts = ", ".join(f"{name} {len(getattr(report, name))}" for name in _VERIFY_LABELS)
    console.print(f"checked {report.checked}, ok {report.ok}, {counts}")


def repair(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be done; change nothing.")
    ] = False,
    delete_orphans: Annotated[
        bool, typer.Option("--delete-orphans", help="Delete orphans that cannot be adopted (logged).")
    ] = False,
    allow_loopback: Annotated[bool, typer.Option("--allow-loopback", help="Allow 127.0.0.0/8.")] = False,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Mend what verify reports: damaged objects restored from a copy or fetched again from their
    latest capture's URL (then re-parsed), orphans adopted when the store says where they came from
    (else kept, or deleted with --delete-orphans); parses killed or ended by a limit are queued again
    when that limit has been raised since. Exit 1 unless verify is clean afterwards.

    Example: govbudget repair --dry-run
    """
    from govbudget.storage.catalog import CatalogUnavailable
    from govbudget.storage.leases import LeaseBusy
    from govbudget.tasks.repair import repair as run_repair

    svc = services(data_dir, allow_loopback=allow_loopback or None)
    try:
        report = run_repair(svc, dry_run=dry_run, delete_orphans=delete_orphans)
    except LeaseBusy as exc:
        console.print(f"[red]repair refused:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    except CatalogUnavailable as exc:
        console.print(f"[red]repair: the catalog is unreachable:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    if as_json:
        print_json(report.as_dict())
    else:
        table = Table(title="repair (dry run)" if dry_run else "repair")
        for col in ("action", "target", "detail", "result"):
            table.add_column(col)
        for step in report.steps:
            table.add_row(step.action, step.target, *(Text(t) for t in (step.detail, step.result)))
        Console().print(table)
        if report.after is not None:
            console.print("after the repair:")
            _show_verify(report.after)
    if not dry_run and not report.healthy:
        raise typer.Exit(1)


def refetch(
    region: Annotated[str, typer.Option("--region", help="GB/T 2260 code of the region.")],
    year: Annotated[int | None, typer.Option("--year", help="Only this fiscal year.")] = None,
    start_url: Annotated[
        list[str] | None, typer.Option("--start-url", help="Entry point (default: the region's last ones).")
    ] = None,
    allow_loopback: Annotated[bool, typer.Option("--allow-loopback", help="Allow 127.0.0.0/8.")] = False,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Re-crawl one region's entry points ignoring freshness caches; report each document as
    unchanged, changed (new version), new or gone (kept, marked with the date last seen).

    Example: govbudget refetch --region 130400 --year 2022
    """
    from govbudget.storage.leases import LeaseBusy
    from govbudget.tasks.crawl import CrawlFailed
    from govbudget.tasks.crawl_region import NoEntryPoints, crawl_region_now
    from govbudget.tasks.url_gate import UnsafeUrl

    svc = services(data_dir, allow_loopback=allow_loopback or None)
    try:
        result = crawl_region_now(svc, region, fiscal_year=year, start_urls=start_url or None, fresh=True)
    except (NoEntryPoints, LeaseBusy, UnsafeUrl) as exc:
        console.print(f"[red]refetch refused:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    except CrawlFailed as exc:
        console.print(f"[red]crawl failed:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from exc
    if as_json:
        print_json({k: v for k, v in result.items() if k != "files"})
        return
    _show_changes(result)


def _show_changes(result: dict[str, Any]) -> None:
    table = Table(title=f"refetch {result['region_code']}: {result['changes']}")
    for col in ("state", "url", "sha256", "previous", "last seen"):
        table.add_column(col)
    for doc in result["documents"]:
        table.add_row(
            doc["state"],
            doc["url"],
            (doc["sha256"] or "")[:12],
            (doc["previous_sha256"] or "")[:12],
            doc["last_seen_at"],
        )
    Console().print(table)
    if result["store_retries"]:
        Console().print(f"archive store retried {result['store_retries']} times: {result['store_retried']}")


def register(app: typer.Typer) -> None:
    """Add ``export-warc``, ``verify``, ``repair`` and ``refetch``."""
    app.command("export-warc")(export_warc)
    app.command()(verify)
    app.command()(repair)
    app.command()(refetch)
