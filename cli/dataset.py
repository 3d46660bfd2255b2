"""Dataset commands: ``docs`` and ``records`` (the catalog as JSON Lines), ``export``, ``panel``,
``report`` and ``serve`` (the dashboard).

They only read the archive and catalog that crawls filled, with the same settings as every command.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from govbudget.cli.common import DataDir, console, fail, print_jsonl, services

Region = Annotated[str | None, typer.Option(
    "--region", help="GB/T 2260 code or name (130400, 邯郸市, 临漳县); 130000 includes 130400.")]
Years = Annotated[str | None, typer.Option("--years", help="A fiscal year or range, e.g. 2020-2024.")]


def _selection(region: str | None, years: str | None):  # type: ignore[no-untyped-def]
    from govbudget.crawler.regions import UnknownRegion, division, resolve
    from govbudget.exports.collect import Selection, SelectionError

    try:
        if region is not None and not region.strip().isdigit():
            region = resolve(region).code  # a name (邯郸市) as `crawl --region` takes it
        selection = Selection.parse(region, years)
        if selection.region is not None:
            division(selection.region)
    except SelectionError as exc:
        fail(str(exc))
    except UnknownRegion as exc:
        fail(f"unknown region: {exc}")
    return selection


def docs(
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON object per archived object.")] = True,
    failed: Annotated[bool, typer.Option(
        "--failed", help="Instead: the files crawls failed to fetch (url, reason, crawl_id, archived_since)."
    )] = False,
    skipped: Annotated[bool, typer.Option(
        "--skipped", help="Instead: the URLs crawls refused or skipped (url, reason, size, crawl_id)."
    )] = False,
    data_dir: DataDir = None,
) -> None:
    """List every archived object (files and pages) with its provenance and parse status.

    With --failed, the files crawl runs gave up on after their retries and the deferred pass, with
    the reason (HTTP status or exception), one JSON object each. With --skipped, the URLs they
    refused (a private address, a scheme) or skipped (past a size cap), one JSON object each.

    Example: govbudget docs --jsonl | jq 'select(.doc_kind=="budget")'
    """
    if failed:
        from govbudget.tasks.crawl import failed_files

        print_jsonl(failed_files(services(data_dir).catalog))
        return
    if skipped:
        from govbudget.tasks.crawl import skipped_urls

        print_jsonl(skipped_urls(services(data_dir).catalog))
        return
    print_jsonl(services(data_dir).catalog.documents())


def records(
    doc: Annotated[str | None, typer.Option("--doc", help="Only records of this sha256.")] = None,
    record_type: Annotated[str | None, typer.Option("--type", help="Only this record type.")] = None,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Print records as JSON Lines.")] = True,
    data_dir: DataDir = None,
) -> None:
    """Print the stored parse records (SCHEMA.md).

    Example: govbudget records --jsonl --doc 3f5a... --type line_item
    """
    from govbudget.exports.fields import RESOURCE_BY_TYPE

    if record_type is not None and record_type not in RESOURCE_BY_TYPE:
        fail(f"unknown record type {record_type!r}: one of {', '.join(RESOURCE_BY_TYPE)}")
    print_jsonl(services(data_dir).catalog.records(sha256=doc, type=record_type))


def export(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the files and datapackage.json to.")],
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
    region: Region = None,
    years: Years = None,
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Export every record type (documents, tables, line_items, indicators, facts, checks), with provenance.

    Example: govbudget export --format parquet --out dataset/ --region 130400 --years 2020-2024
    """
    from govbudget.crawler.regions import division_row
    from govbudget.exports.fields import RESOURCES
    from govbudget.exports.writer import FORMATS, ExportError
    from govbudget.exports.writer import export as run_export

    if fmt not in FORMATS:  # before the data folder is opened: the first mistake is the one named
        fail(f"format must be one of {FORMATS}, got {fmt!r}")
    selection = _selection(region, years)
    svc = services(data_dir)
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("exporting", total=len(RESOURCES))
        try:
            summary = run_export(
                svc.catalog, out, fmt, selection, describe_region=division_row,
                on_resource=lambda name, rows: progress.update(
                    task, advance=1, description=f"{name}: {rows} rows"
                ),
            )
        except ExportError as exc:
            fail(str(exc))
    if as_json:
        sys.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False) + "\n")
        return
    table = Table(title=f"export to {out} ({fmt})")
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, rows in summary.rows.items():
        table.add_row(f"{name}.{fmt}", str(rows))
    Console().print(table)
    if summary.problems.total:
        console.print(f"[yellow]{summary.problems.total} values did not fit their column[/yellow] "
                      f"(kept in `extra`): {summary.problems.counts}")


def panel(
    measure: Annotated[str, typer.Option("--measure", help="Column: total, basic, project, ...")] = "total",
    classification: Annotated[
        str, typer.Option("--classification", help="function, economic_dept or economic_gov.")
    ] = "function",
    level: Annotated[int, typer.Option("--level", help="Code level: 1 类, 2 款, 3 项.")] = 2,
    table_kind: Annotated[
        str | None, typer.Option("--table", help="Table to read (default: expenditure_summary for function).")
    ] = None,
    phase: Annotated[str, typer.Option("--phase", help="budget or final.")] = "budget",
    out: Annotated[
        Path | None, typer.Option("--out", help="Write .parquet or .csv (default: CSV on stdout).")
    ] = None,
    region: Region = None,
    years: Years = None,
    data_dir: DataDir = None,
) -> None:
    """One row per region × department × fiscal year × subject code; renames and re-codes are flagged.

    Example: govbudget panel --measure total --classification function --level 2 --out panel.parquet
    """
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from govbudget.exports.panel import PanelError, PanelSpec
    from govbudget.exports.panel import panel as build

    selection = _selection(region, years)
    try:
        spec = PanelSpec(measure, classification, level, table_kind, phase)
    except PanelError as exc:
        fail(str(exc))
    svc = services(data_dir)
    with console.status("building the panel"):
        table = build(svc.catalog, spec, selection)
    flagged = sum(1 for f in table.column("flags").to_pylist() if f)
    if out is None:
        pacsv.write_csv(table, sys.stdout.buffer)
    elif out.suffix == ".parquet":
        pq.write_table(table, out)
    elif out.suffix == ".csv":
        pacsv.write_csv(table, out)
    else:
        console.print(f"[red]--out must end in .parquet or .csv, got {out}[/red]")
        raise typer.Exit(2)
    console.print(f"{table.num_rows} panel rows, {flagged} flagged (renamed, recoded or conflict)")


def report(
    region: Region = None,
    years: Years = None,
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole report as JSON.")] = False,
) -> None:
    """Coverage by region × fiscal year, failed checks per document, files since withdrawn.

    Example: govbudget report --region 130000 --years 2021-2024
    """
    from govbudget.exports.report import build_report

    selection = _selection(region, years)
    svc = services(data_dir)
    with console.status("reading the catalog"):
        rep = build_report(svc.catalog, selection)
        provinces = _province_rows(svc.catalog, selection)
    if as_json:
        whole = {**rep.as_dict(), "provinces": [p.as_dict() for p in provinces]}
        sys.stdout.write(json.dumps(whole, ensure_ascii=False, default=str) + "\n")
        return
    out = Console()
    grid = Table(title="coverage: found (ok/partial/failed/unparsed) · missing departments")
    grid.add_column("region")
    for year in rep.years:
        grid.add_column(str(year), justify="center")
    for region_code in rep.regions:
        cells = []
        for year in rep.years:
            c = rep.cell(region_code, year)
            shown = f"{c.found} ({c.ok}/{c.partial}/{c.failed}/{c.unparsed}) · -{c.missing}" if c else ""
            cells.append(shown)
        grid.add_row(region_code, *cells)
    out.print(grid)
    _print_provinces(out, provinces)
    checks = Table(title=f"documents with failed checks: {len(rep.failed_checks)}")
    for col in ("department", "year", "failed", "checks", "sha256"):
        checks.add_column(col)
    for f in rep.failed_checks:
        names = ", ".join(sorted({c.get("check", "?") for c in f["checks"]}))
        checks.add_row(f["department"] or "", str(f["fiscal_year"] or ""), str(f["failed"]), names,
                       f["sha256"][:12])
    out.print(checks)
    _print_amounts_read(out, rep)
    gone = Table(title=f"seen, then withdrawn: {len(rep.withdrawn)}")
    for col in ("department", "year", "first seen", "last seen", "crawls without it", "url"):
        gone.add_column(col)
    for w in rep.withdrawn:
        gone.add_row(w["department"] or "", str(w["fiscal_year"] or ""), w["first_seen"][:19],
                     w["last_seen"][:19], str(w["crawls_without_it"]), w["url"] or "")
    out.print(gone)


def _province_rows(catalog: Any, selection: Any) -> list[Any]:
    """Per province of the selection (all provinces without one): divisions by entry point and disclosures."""
    from govbudget.crawler.regions import entry_points
    from govbudget.exports.collect import file_documents
    from govbudget.exports.region_coverage import province_coverage

    docs = file_documents(catalog, selection)
    wanted = {selection.region[:2] + "0000"} if getattr(selection, "region", None) else None
    return province_coverage(docs, {e.region_code for e in entry_points()}, provinces=wanted)


def _print_provinces(out: Console, provinces: list[Any]) -> None:
    season = next((p.season for p in provinces if p.season is not None), None)
    table = Table(title=f"divisions per province: with an entry point, with disclosures of {season or '-'}")
    for col in ("province", "divisions", "entry point", "disclosures", "both", "neither"):
        table.add_column(col, justify="left" if col == "province" else "right")
    for p in provinces:
        table.add_row(f"{p.province} {p.name}", str(p.divisions), str(p.with_entry_point),
                      str(p.with_disclosures), str(p.with_both), str(p.with_neither))
    out.print(table)


def _print_amounts_read(out: Console, rep: Any) -> None:
    """Per document, the share of the amounts printed in its tables that became line items."""
    summary = rep.amounts_read_summary
    if not summary["documents"]:
        out.print("amounts read: no parsed document has a measured table")
        return
    below = [d for d in rep.amounts_read if d["coverage"] < 1]
    read = Table(title=f"amounts read (coverage): {summary['documents']} documents, "
                       f"min {summary['min']:.4f}, mean {summary['mean']:.4f}; below 100%: {len(below)}")
    for col in ("department", "year", "coverage", "tables below 100%", "sha256"):
        read.add_column(col)
    for d in below:
        tables = "; ".join(f"{t['table_kind']} {t['read']}/{t['printed']}" for t in d["tables_below_full"])
        read.add_row(d["department"] or "", str(d["fiscal_year"] or ""), f"{d['coverage']:.4f}", tables,
                     d["sha256"][:12])
    out.print(read)


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    data_dir: DataDir = None,
) -> None:
    """Serve the dashboard: coverage heat-map, document browser, failed checks, crawl runs.

    Example: govbudget serve --data-dir govbudget-data --port 8000
    """
    import uvicorn

    from govbudget.crawler.regions import all_divisions
    from govbudget.web.app import create_app

    svc = services(data_dir)
    names = {code: d.full_name for code, d in all_divisions().items()}
    console.print(f"dashboard on http://{host}:{port}/ (catalog {svc.catalog.describe()})")
    from govbudget.crawler.regions import entry_points

    app = create_app(svc, region_names=names,
                     entry_point_codes=lambda: {e.region_code for e in entry_points()})
    uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    """Add ``docs``, ``records``, ``export``, ``panel``, ``report`` and ``serve``."""
    for command in (docs, records, export, panel, report, serve):
        app.command()(command)
