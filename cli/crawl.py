"""``crawl``: start URLs or a region's entry points, into the archive."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from govbudget.cli.common import DataDir, console, fail, print_json, services


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
    max_pages: Annotated[int | None, typer.Option(
        "--max-pages", min=0, help="Stop after this many responses (0: none; GOVBUDGET_MAX_PAGES).")] = None,
    delay: Annotated[float | None, typer.Option(
        "--delay", min=0.0, help="Seconds between requests to one host (GOVBUDGET_DOWNLOAD_DELAY).")] = None,
    concurrency: Annotated[int | None, typer.Option(
        "--concurrency", min=1, help="Requests at once per host (GOVBUDGET_CONCURRENCY_PER_HOST).")] = None,
    show_skipped: Annotated[bool, typer.Option(
        "--show-skipped", help="List the URLs refused or skipped, with the reason.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Crawl from start URLs, archive every disclosure and the pages leading to it, parse the files.

    With --region and no URL, the region's entry points from the registry (`govbudget sources`) are
    crawled. Exits 1 when the crawl fails, 2 when there is nothing to crawl, 3 when files are left
    with no parse result (listed), 4 when nothing at all was fetched.
    Example: govbudget crawl --region 茂名市 --year 2022 --max-pages 500 --delay 1
    """
    from govbudget.tasks.crawl import CrawlFailed, crawl_config, run_crawl
    from govbudget.tasks.interrupts import Interrupted
    from govbudget.tasks.progress import CrawlProgress
    from govbudget.tasks.url_gate import UnsafeUrl

    region_code, start_urls, robots_off = _start(region, list(urls or []))
    svc = services(data_dir, create=True, allow_loopback=allow_loopback or None)
    # --ignore-robots replaces GOVBUDGET_IGNORE_ROBOTS_HOSTS; the registry's agreed sources add to either
    ignore = [*(ignore_robots or svc.settings.ignore_robots_hosts), *robots_off]
    config = crawl_config(svc.settings, start_urls, region_code=region_code, fiscal_year=year,
                          render_hosts=render or None, ignore_robots_hosts=ignore, max_pages=max_pages,
                          download_delay=delay, concurrency_per_host=concurrency)
    try:
        with CrawlProgress(console) as progress:
            summary = run_crawl(svc, config, on_event=progress.update)
    except UnsafeUrl as exc:
        console.print(f"[red]refused:[/red] {escape(str(exc))}", soft_wrap=True)  # one line, however long
        raise typer.Exit(2) from exc
    except CrawlFailed as exc:
        console.print(f"[red]crawl failed:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from exc
    except Interrupted as exc:  # the crawl process is stopped and the run recorded: say so in one line
        console.print("; ".join(["crawl stopped", str(exc), *getattr(exc, "__notes__", ())]),
                      markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(exc.code) from None
    show_summary(result := summary.as_dict(), as_json, show_skipped=show_skipped)
    if reason := summary.nothing_fetched():
        fail(reason, 4)
    _exit_for_parses(result)


def _exit_for_parses(summary: dict[str, Any]) -> None:
    """Exit 3 when files of the crawl have no parse result and nothing will parse them (they are listed);
    files the broker could not take are left to the reconciler with a warning, never a failed exit."""
    errors = summary["dispatch_errors"]
    if summary["parse_unqueued"]:
        console.print(f"[yellow]{summary['parse_unqueued']} files could not be queued (broker unreachable); "
                      "the reconciler queues them when it is back[/yellow]")
    if summary["pending"]:
        console.print(f"[red]{len(summary['pending'])} files have no parse result:[/red]")
        for sha in summary["pending"]:
            console.print(f"  {sha}  {errors.get(sha, '')}".rstrip(), markup=False, highlight=False,
                          soft_wrap=True)
        raise typer.Exit(3)


def _start(region: str | None, urls: list[str]) -> tuple[str | None, list[str], list[str]]:
    """(region code, start URLs, hosts not to apply robots.txt to); exit 2 when there is nothing to crawl."""
    from govbudget.crawler.regions import NoEntryPointsKnown, UnknownRegion, region_start

    if region is None:
        if not urls:
            console.print("[red]nothing to crawl:[/red] give start URLs or --region CODE|NAME")
            raise typer.Exit(2)
        return None, urls, []
    try:
        start = region_start(region, urls)
    except UnknownRegion as exc:
        console.print(f"[red]unknown region:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    except NoEntryPointsKnown as exc:
        hint = f" (divisions under it that have some: {', '.join(exc.below)})" if exc.below else ""
        province = exc.region_code[:2] + "0000"
        console.print(f"[red]no entry points known for {exc.region_code}[/red]{hint}: give start URLs, or "
                      f"find them with `govbudget sources discover --province {province}`")
        raise typer.Exit(2) from exc
    return start.region_code, start.urls, start.ignore_robots_hosts


def show_summary(summary: dict[str, Any], as_json: bool, *, show_skipped: bool = False) -> None:
    """A crawl's summary as one JSON object (without the file list; refused and skipped URLs are in
    it) or as a table, then with `show_skipped` one line per refused or skipped URL and its reason."""
    if as_json:
        print_json({k: v for k, v in summary.items() if k != "files"})
        return
    table = Table(title="crawl summary", show_header=False)
    for key in (
        "crawl_id", "pages_fetched", "files_archived", "files_new", "files_already_archived",
        "members_archived", "parsed_ok", "parsed_partial", "parsed_failed", "parse_pending", "parse_queued",
        "parse_unqueued", "refused_urls", "skipped_oversize", "files_failed",
        "browser_requests", "finish_reason", "seconds", "log_file",
    ):
        table.add_row(key, str(summary[key]))
    out = Console(width=None if sys.stdout.isatty() else 200)
    out.print(table)
    if summary["files_new"] == 0 and summary["files_archived"]:
        out.print("nothing new archived: every file was already in the archive")
    listed = [("refused", e["url"], e["reason"]) for e in summary["refused"]] + [
        ("skipped", e["url"], f"{e['reason']}" + (f" ({e['size']} bytes)" if e.get("size") else ""))
        for e in summary["skipped"]]
    if show_skipped:
        for what, url, reason in listed:
            out.print(f"{what}  {url}  {reason}", soft_wrap=True, markup=False, highlight=False)
    elif listed:
        console.print(f"{len(listed)} URLs refused or skipped: --show-skipped lists them "
                      "(govbudget docs --skipped for every run)", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``crawl``."""
    app.command()(crawl)
