"""``sources``: the entry-point registry — list it, show what is missing, and ``discover`` it anew."""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from govbudget.cli.common import console, print_json

app = typer.Typer(help="The registry of portal entry points per region, and its discovery.",
                  invoke_without_command=True, no_args_is_help=False)


def _scope(name: str | None) -> str | None:
    from govbudget.crawler.regions import UnknownRegion, resolve

    if not name:
        return None
    try:
        return resolve(name).code
    except UnknownRegion as exc:
        console.print(f"[red]unknown region:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc


@app.callback()
def sources(
    ctx: typer.Context,
    region: Annotated[str | None, typer.Option(
        "--region", "--province", help="GB/T 2260 code or name; it and the divisions under it.")] = None,
    missing: Annotated[bool, typer.Option(
        "--missing", help="List the divisions that have no active entry point instead.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per row.")] = False,
) -> None:
    """List the known portal entry points of the region registry, with where each URL came from.

    Examples: govbudget sources --region 茂名市; govbudget sources --missing --province 河北省
    """
    if ctx.invoked_subcommand is not None:
        return
    from govbudget.crawler.discovery.run import divisions_under
    from govbudget.crawler.regions import entry_points
    from govbudget.regions import division

    code = _scope(region)
    rows = entry_points(code, include_children=True)
    if missing:
        have = {e.region_code for e in rows}
        gaps = [d for d in divisions_under(division(code) if code else None) if d.code not in have]
        for d in gaps:
            if as_json:
                print_json({"region_code": d.code, "name": d.full_name, "level": d.level})
            else:
                console.print(f"{d.code} {d.full_name} ({d.level})", markup=False, highlight=False)
        if not as_json:
            total = len(gaps) + len({e.region_code for e in rows})
            console.print(f"{len(gaps)} of {total} divisions have no entry point", markup=False)
        return
    if as_json:
        for e in rows:
            print_json(asdict(e))
        return
    table = Table(title=f"entry points ({len(rows)})")
    for col in ("code", "region", "url", "method", "source"):
        table.add_column(col, overflow="fold")
    for e in rows:
        table.add_row(e.region_code, e.region_name, e.url, e.method, e.source_url)
    Console(width=None if sys.stdout.isatty() else 200).print(table)
    if not rows:
        console.print("no entry points known for this region")


@app.command()
def discover(
    province: Annotated[str | None, typer.Option(
        "--province", help="Code or name of the province (or city) to discover; default: all.")] = None,
    depth: Annotated[int, typer.Option("--depth", min=1, max=6, help="Hops from a home page.")] = 3,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Registry to update (default: GOVBUDGET_ENTRY_POINTS or the shipped one).")] = None,
    hosts: Annotated[bool, typer.Option("--hosts/--no-hosts", help="Try hosts built from names.")] = True,
    allow_loopback: Annotated[bool, typer.Option(
        "--allow-loopback", help="Allow 127.0.0.0/8 (a local simulator).")] = False,
    max_pages: Annotated[int, typer.Option("--max-pages", min=1, help="Pages fetched at most.")] = 5000,
    seeds: Annotated[list[str] | None, typer.Option(
        "--seed", help="A national directory page listing the provinces' columns (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Every entry point and attempt as JSON.")] = False,
) -> None:
    """Find each division's budget-disclosure column on the web and record it with its evidence.

    Methods in order: directory links, shared platforms keyed by division code, home-page
    navigation, host names built from the name. Re-running keeps what still verifies, marks what
    stopped answering, and records re-codes. GOVBUDGET_HTTP_PROXY routes every request through a
    forward proxy. Example: govbudget sources discover --province 河北省
    """
    from govbudget.crawler.discovery import discover as run_discovery
    from govbudget.crawler.discovery.fetch import PageFetcher
    from govbudget.crawler.regions.history import merge
    from govbudget.crawler.regions.registry import read_csv, registry_path, write_csv
    from govbudget.regions import division

    code = _scope(province)
    path = out or registry_path()
    old = read_csv(path, strict=False) if path.exists() else []
    fetcher = PageFetcher(proxy=os.environ.get("GOVBUDGET_HTTP_PROXY") or None, allow_loopback=allow_loopback,
                          max_pages=max_pages)
    try:
        scope = division(code) if code else None
        starts = [(e.region_code, e.url) for e in old if e.active] + [("", url) for url in seeds or []]
        run = run_discovery(fetcher, scope, starts, depth=depth, use_hosts=hosts)
        if fetcher.fetched and not fetcher.answered:  # an outage is no evidence that every URL died
            console.print(f"[red]no page answered[/red] ({fetcher.fetched} requests): the network or the "
                          "proxy is down; the registry is left as it was")
            raise typer.Exit(1)
        today = dt.date.today().isoformat()
        rows = merge(old, run.found, scope=code, today=today, still_answers=lambda e: fetcher.get(e.url).ok)
    finally:
        fetcher.close()
    write_csv(rows, path)
    if as_json:
        for hit in run.found:
            print_json({"region_code": hit.division.code, "url": hit.url, "method": hit.method,
                        "source_url": hit.source_url, "confidence": hit.confidence, "evidence": hit.evidence})
        for attempt in run.attempts:
            print_json({"attempt": True, **asdict(attempt)})
        return
    by_method: dict[str, int] = {}
    for hit in run.found:
        by_method[hit.method] = by_method.get(hit.method, 0) + 1
    covered = len({h.division.code for h in run.found})
    console.print(f"{covered} of {len(run.divisions)} divisions have an entry point "
                  f"({', '.join(f'{m} {n}' for m, n in sorted(by_method.items())) or 'none found'}); "
                  f"{len(run.attempts)} attempts failed or were refused; {run.pages_fetched} pages fetched; "
                  f"registry written to {path}", markup=False, highlight=False)


def register(root: typer.Typer) -> None:
    """Add the ``sources`` group."""
    root.add_typer(app, name="sources")
