"""``parse``: parse local files offline and print their records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from govbudget.cli.common import console, print_jsonl, settings


def parse(
    files: Annotated[list[Path], typer.Argument(help="Local files to parse.", exists=True, dir_okay=False)],
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Print SCHEMA.md records as JSON Lines.")] = True,
) -> None:
    """Parse local files offline (no archive, no network) and print their records.

    Each file is parsed as a worker parses it: in a child process capped by GOVBUDGET_PARSE_MEMORY_MB
    and GOVBUDGET_PARSE_CPU_SECONDS. One line per file says how it went; the exit code is 1 when any
    file failed. Example: govbudget parse 邯郸市医疗保障局2022年部门预算.pdf --jsonl > records.jsonl
    """
    from govbudget.tasks.parse_task import parse_limited

    current = settings()
    failed = 0
    for path in files:
        outcome = parse_limited(path.read_bytes(), path.name, current)
        failed += outcome.status == "failed"
        if jsonl:
            print_jsonl(outcome.records)
        line = f"{path}: {outcome.status} ({len(outcome.records)} records)"
        if outcome.errors:
            line += ": " + "; ".join(outcome.errors)
        console.print(" ".join(line.split()), soft_wrap=True, markup=False, highlight=False)
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``parse``."""
    app.command()(parse)
