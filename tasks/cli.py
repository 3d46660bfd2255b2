"""The ``govbudget`` command line.

Every command reads the same settings (flags, then ``GOVBUDGET_*`` variables, then the embedded
defaults) and runs the same code paths the workers run, so what a researcher sees on a laptop is
what the cluster does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from govbudget.tasks.progress import CrawlProgress
from govbudget.tasks.settings import Settings

app = typer.Typer(
    help="Archive and parse Chinese government budget disclosures (部门预算/决算公开).",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Where the embedded archive and catalog live.")
]


def _settings(**overrides: object) -> Settings:
    return Settings.from_env(**overrides)


def _print_jsonl(rows: object) -> None:
    for row in rows:  # type: ignore[attr-defined]
        sys.stdout.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")


@app.command()
def crawl(
    urls: Annotated[list[str] | None, typer.Argument(
        help="Start URLs (a home page or a column); default: the region's known entry points.")] = None,
    region: Annotated[str | None, typer.Option(
        "--region", help="GB/T 2260 code or name of the region (e.g. 440904 or 电白区).")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Only disclosures of this fiscal year.")] = None,
    data_dir: DataDir = None,
    allow_loopback: Annotated[
        bool, typer.Option("--allow-loopback", help="Allow 127.0.0.0/8 and ::1 (local simulator).")
    ] = False,
    render: Annotated[
        list[str] | None, typer.Option("--render-host", help="Host whose pages always need a browser.")
    ] = None,
    ignore_robots: Annotated[list[str] | None, typer.Option(
        "--ignore-robots", help="Host whose robots.txt is not applied (a source that agreed).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Crawl from start URLs, archive every disclosure and the pages leading to it, parse the files.

    With --region and no URL, the region's entry points from the registry (`govbudget sources`) are
    crawled. Example: govbudget crawl --region 茂名市 --year 2022
    """
    from govbudget.tasks.crawl import CrawlFailed, run_crawl
    from govbudget.tasks.runtime import configure
    from govbudget.tasks.url_gate import UnsafeUrl

    region_code, start_urls, robots_off = _region_start(region, list(urls or []))
    settings = _settings(data_dir=data_dir, allow_loopback=allow_loopback or None)
    svc = configure(settings)
    try:
        with CrawlProgress(console) as progress:
            summary = run_crawl(
                svc, start_urls, region_code=region_code, fiscal_year=year, render_hosts=render or [],
                on_event=progress.update, ignore_robots_hosts=[*robots_off, *(ignore_robots or [])],
            )
    except UnsafeUrl as exc:
        console.print(f"[red]refused:[/red] {exc}")
        raise typer.Exit(2) from exc
    except CrawlFailed as exc:
        console.print(f"[red]crawl failed:[/red] {exc}")
        raise typer.Exit(1) from exc
    _show_summary(summary.as_dict(), as_json)


def _region_start(region: str | None, urls: list[str]) -> tuple[str | None, list[str], list[str]]:
    """(region code, start URLs, hosts whose robots.txt the registry says to skip) for ``crawl``."""
    if region is None:
        if not urls:
            console.print("[red]nothing to crawl:[/red] give start URLs or --region CODE|NAME")
            raise typer.Exit(2)
        return None, urls, []
    from urllib.parse import urlsplit

    from govbudget.crawler.regions import UnknownRegion, entry_points, resolve

    try:
        code = resolve(region).code
    except UnknownRegion as exc:
        console.print(f"[red]unknown region:[/red] {exc}")
        raise typer.Exit(2) from exc
    if urls:
        return code, urls, []
    known = entry_points(code)
    if not known:
        below = {e.region_code for e in entry_points(code, include_children=True)}
        hint = f" (divisions under it that have some: {', '.join(sorted(below))})" if below else ""
        console.print(f"[red]no entry points known for {code}[/red]{hint}: give start URLs")
        raise typer.Exit(2)
    off = sorted({urlsplit(e.url).hostname or "" for e in known if not e.obey_robots} - {""})
    return code, [e.url for e in known], off


def _show_summary(summary: dict[str, object], as_json: bool) -> None:
    if as_json:
        shown = {k: v for k, v in summary.items() if k != "files"}
        sys.stdout.write(json.dumps(shown, ensure_ascii=False) + "\n")
        return
    table = Table(title="crawl summary", show_header=False)
    for key in (
        "crawl_id", "pages_fetched", "files_archived", "files_new", "files_already_archived",
        "parsed_ok", "parsed_partial", "parsed_failed", "parse_pending", "refused_urls",
        "browser_requests", "seconds", "log_file",
    ):
        table.add_row(key, str(summary[key]))
    Console().print(table)
    if summary["files_new"] == 0:
        Console().print("nothing new archived: every file was already in the archive")


@app.command()
def parse(
    files: Annotated[list[Path], typer.Argument(help="Local files to parse.", exists=True, dir_okay=False)],
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Print SCHEMA.md records as JSON Lines.")] = True,
) -> None:
    """Parse local files offline (no archive, no network) and print their records.

    Example: govbudget parse 邯郸市医疗保障局2022年部门预算.pdf --jsonl > records.jsonl
    """
    from govbudget.parsers import parse_bytes

    failed = 0
    for path in files:
        outcome = parse_bytes(path.read_bytes(), filename=path.name)
        failed += outcome.status == "failed"
        if jsonl:
            _print_jsonl(outcome.records)
        reasons = "; ".join(outcome.errors)
        console.print(f"{path}: {outcome.status} ({len(outcome.records)} records) {reasons}")
    if failed == len(files):
        raise typer.Exit(1)


@app.command()
def docs(
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON object per archived object.")] = True,
    data_dir: DataDir = None,
) -> None:
    """List every archived object (files and pages) with its provenance and parse status.

    Example: govbudget docs --jsonl | jq 'select(.doc_kind=="budget")'
    """
    from govbudget.tasks.runtime import configure

    svc = configure(_settings(data_dir=data_dir))
    _print_jsonl(svc.catalog.documents())


@app.command()
def records(
    doc: Annotated[str | None, typer.Option("--doc", help="Only records of this sha256.")] = None,
    record_type: Annotated[str | None, typer.Option("--type", help="Only this record type.")] = None,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Print records as JSON Lines.")] = True,
    data_dir: DataDir = None,
) -> None:
    """Print the stored parse records (SCHEMA.md).

    Example: govbudget records --jsonl --doc 3f5a... --type line_item
    """
    from govbudget.tasks.runtime import configure

    svc = configure(_settings(data_dir=data_dir))
    _print_jsonl(svc.catalog.records(sha256=doc, type=record_type))


@app.command()
def demo(
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Start the local portal simulator, crawl it with the embedded default, show what was kept.

    Example: govbudget demo --data-dir /tmp/govbudget-demo
    """
    from govbudget.simulator.server import PortalSimulator
    from govbudget.tasks.crawl import run_crawl
    from govbudget.tasks.runtime import configure

    settings = _settings(data_dir=data_dir, allow_loopback=True)
    svc = configure(settings)
    with PortalSimulator() as sim:
        console.print(f"portal simulator on {sim.base_url} ({len(sim.start_urls)} sites)")
        with CrawlProgress(console) as progress:
            summary = run_crawl(svc, sim.start_urls, on_event=progress.update)
    _show_summary(summary.as_dict(), as_json)
    if not as_json:
        _show_documents(svc.catalog.documents())


def _show_documents(rows: object) -> None:
    table = Table(title="archived disclosures")
    for col in ("doc_kind", "fiscal_year", "department", "format", "parse_status", "sha256"):
        table.add_column(col)
    for row in rows:  # type: ignore[attr-defined]
        if row["doc_kind"] != "page":
            table.add_row(*(str(row[c] or "") for c in ("doc_kind", "fiscal_year", "department",
                                                         "format", "parse_status")), row["sha256"][:12])
    Console().print(table)


@app.command()
def worker(
    queues: Annotated[str, typer.Option("--queues", "-Q", help="Queues to consume.")] = "parse,crawl",
    concurrency: Annotated[int, typer.Option("--concurrency", "-c", help="Worker processes.")] = 2,
    loglevel: Annotated[str, typer.Option("--loglevel", help="Celery log level.")] = "INFO",
) -> None:
    """Start a Celery worker with the project's settings (needs GOVBUDGET_BROKER_URL).

    Example: GOVBUDGET_BROKER_URL=redis://127.0.0.1:6379/0 govbudget worker -Q parse -c 4
    """
    from govbudget.tasks.app import app as celery_app
    from govbudget.tasks.runtime import configure

    settings = _settings()
    if settings.embedded_queue:
        console.print("[red]a worker needs a broker:[/red] set GOVBUDGET_BROKER_URL (e.g. redis://127.0.0.1:6379/0)")
        raise typer.Exit(2)
    configure(settings)
    celery_app.worker_main(
        ["worker", "-Q", queues, "--concurrency", str(concurrency), "--loglevel", loglevel,
         "--without-gossip", "--without-mingle"]
    )


# Command groups kept in their own modules (``tasks/cli_<topic>.py``), each with a
# ``register(app)`` function; add a module name here to plug one in.
COMMAND_MODULES: list[str] = ["cli_eval", "cli_archive", "cli_dataset", "cli_discovery"]


def _register_command_modules() -> None:
    from importlib import import_module

    for name in COMMAND_MODULES:
        import_module(f"govbudget.tasks.{name}").register(app)


_register_command_modules()

if __name__ == "__main__":
    app()
