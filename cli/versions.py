"""Parser versions: ``reparse`` (send archived files through the parsers again) and ``diff`` (what
changed between two parser versions' results)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from govbudget.cli.common import AsJson, DataDir, console, print_json, services


def reparse(
    region: Annotated[
        str | None, typer.Option("--region", help="GB/T 2260 code or name; 130000 includes 130400.")
    ] = None,
    years: Annotated[
        str | None, typer.Option("--years", help="A fiscal year or range, e.g. 2020-2024.")
    ] = None,
    older_than: Annotated[
        str | None, typer.Option("--older-than", help="Only files whose latest result is of an older "
                                 "parser version (no result and unversioned failures count as older).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be queued; queue nothing.")
    ] = False,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Queue archived files for parsing again (to the workers when a broker is set, here otherwise),
    chosen by the region and fiscal year of their captures and the parser version of their latest
    result. Earlier results are kept beside the new ones (see govbudget diff).

    Example: govbudget reparse --region 130400 --years 2020-2024 --older-than 0.3.0
    """
    from govbudget.exports.collect import SelectionError, parse_years
    from govbudget.tasks.reparse import ReparseError
    from govbudget.tasks.reparse import reparse as run_reparse

    try:
        span = parse_years(years) if years else None
        report = run_reparse(services(data_dir), region=region, years=span, older_than=older_than,
                             dry_run=dry_run)
    except (SelectionError, ReparseError) as exc:
        console.print(f"reparse refused: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc
    result = report.as_dict()
    if as_json:
        print_json(result)
    else:
        where = "in process" if report.in_process else "for the workers"
        if dry_run:
            line = f"{len(report.selected)} of {report.considered} files would be queued {where} (dry run)"
        else:
            line = f"{report.queued} of {report.considered} files queued {where}"
            if report.errors:
                line += f"; {len(report.errors)} not queued (the reconciler will take them)"
        print(line)
    if report.errors:
        raise typer.Exit(1)


def diff(
    parser: Annotated[
        list[str],
        typer.Option("--parser", help="Twice: the old and the new parser, name@version or a version."),
    ],
    limit: Annotated[int, typer.Option("--limit", min=0, help="Examples of each kind of change.")] = 10,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Summarise what changed between two parser versions' results: documents whose status changed,
    tables added or removed (by kind), line items added, removed or with a changed amount.

    Example: govbudget diff --parser budget-tables@0.2.0 --parser 0.3.0 --limit 5
    """
    from govbudget.exports.diff import diff_parsers

    if len(parser) != 2:
        console.print("give --parser twice: the old version, then the new one")
        raise typer.Exit(2)
    result = diff_parsers(services(data_dir).catalog, parser[0], parser[1], limit=limit).as_dict()
    if as_json:
        print_json(result)
    else:
        _show_diff(result)


def _show_diff(result: dict[str, Any]) -> None:
    docs, tables, items = result["documents"], result["tables"], result["line_items"]
    out = Console(soft_wrap=True, highlight=False)
    out.print(f"{result['parser_a']} → {result['parser_b']}: {docs['compared']} documents compared "
              f"({docs['only_a']} only in A, {docs['only_b']} only in B)", markup=False)
    summary = Table(title="changes")
    for col in ("what", "change", "count"):
        summary.add_column(col)
    for change, count in docs["status_changes"].items():
        summary.add_row("document status", change, str(count))
    for kind, count in tables["added"].items():
        summary.add_row("table added", kind, str(count))
    for kind, count in tables["removed"].items():
        summary.add_row("table removed", kind, str(count))
    for change in ("added", "removed", "changed", "unchanged"):
        summary.add_row("line items", change, str(items[change]))
    out.print(summary)
    examples = [(change, ex) for change, listed in items["examples"].items() for ex in listed]
    if not examples:
        return
    table = Table(title="line item examples")
    for col in ("change", "sha256", "table", "code", "name", "measure", "A", "B"):
        table.add_column(col)
    for change, ex in examples:
        amounts = [f"{s['amount']} {s['unit'] or ''}".strip() if s else "" for s in (ex["a"], ex["b"])]
        table.add_row(change, ex["sha256"][:12], ex["table_kind"], ex["code"] or "", ex["name"] or "",
                      ex["measure"], *amounts)
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add ``reparse`` and ``diff``."""
    app.command()(reparse)
    app.command()(diff)
