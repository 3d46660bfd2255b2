"""``worker`` (a Celery worker with the project's settings) and ``schedule show`` (Celery beat's entries)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from govbudget.cli.common import AsJson, console, print_json, settings

schedule_app = typer.Typer(help="Seasonal crawl schedules (Celery beat).", no_args_is_help=True)


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

    current = settings()
    if current.embedded_queue:
        console.print("[red]a worker needs a broker:[/red] set GOVBUDGET_BROKER_URL (e.g. redis://127.0.0.1:6379/0)")
        raise typer.Exit(2)
    configure(current)
    celery_app.worker_main(
        ["worker", "-Q", queues, "--concurrency", str(concurrency), "--loglevel", loglevel,
         "--without-gossip", "--without-mingle"]
    )


@schedule_app.command("show")
def schedule_show(
    count: Annotated[int, typer.Option("--count", help="How many next runs per entry.")] = 3,
    as_json: AsJson = False,
) -> None:
    """Print every beat entry (seasonal crawls, reconciler) with its next runs (China time).

    Example: GOVBUDGET_SCHEDULES_FILE=schedules.json govbudget schedule show --count 5
    """
    from govbudget.tasks.schedules import beat_schedule, load_config, next_runs

    try:
        entries = beat_schedule(load_config(settings().schedules_file))
    except (OSError, ValueError) as exc:
        console.print(f"[red]bad schedule file:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    now = datetime.now(UTC)
    rows = [
        {
            "name": name,
            "task": entry["task"],
            "args": entry.get("args", []),
            "crontab": str(entry["schedule"]),
            "expires_s": entry["options"].get("expires"),
            "next_runs": [t.isoformat() for t in next_runs(entry["schedule"], now, count)],
        }
        for name, entry in entries.items()
    ]
    if as_json:
        print_json(rows)
        return
    table = Table(title="beat schedule (Asia/Shanghai)")
    for col in ("entry", "task", "args", "expires", "next runs"):
        table.add_column(col)
    for row in rows:
        table.add_row(
            row["name"],
            row["task"],
            " ".join(row["args"]),
            f"{row['expires_s']} s",
            "\n".join(row["next_runs"]),
        )
    Console().print(table)


def register(app: typer.Typer) -> None:
    """Add ``worker`` and the ``schedule`` group."""
    app.command()(worker)
    app.add_typer(schedule_app, name="schedule")
