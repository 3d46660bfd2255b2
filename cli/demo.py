"""``demo``: crawl the local portal simulator with the embedded default and show what was kept."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from govbudget.cli.common import DataDir, console, needs_devtools, services
from govbudget.cli.crawl import show_summary


def demo(
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Start the local portal simulator, crawl it with the embedded default, show what was kept.

    Example: govbudget demo --data-dir /tmp/govbudget-demo
    """
    with needs_devtools("demo"):
        from govbudget.simulator.server import PortalSimulator
    from govbudget.tasks.crawl import crawl_config, run_crawl
    from govbudget.tasks.progress import CrawlProgress

    svc = services(data_dir, create=True, allow_loopback=True)
    with PortalSimulator() as sim:
        console.print(f"portal simulator on {sim.base_url} ({len(sim.start_urls)} sites)")
        with CrawlProgress(console) as progress:
            summary = run_crawl(svc, crawl_config(svc.settings, sim.start_urls), on_event=progress.update)
    show_summary(summary.as_dict(), as_json)
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


def register(app: typer.Typer) -> None:
    """Add ``demo``."""
    app.command()(demo)
