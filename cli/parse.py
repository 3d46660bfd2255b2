"""``parse``: parse local files offline and print their records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from govbudget.cli.common import console, print_jsonl


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
            print_jsonl(outcome.records)
        reasons = "; ".join(outcome.errors)
        console.print(f"{path}: {outcome.status} ({len(outcome.records)} records) {reasons}")
    if failed == len(files):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``parse``."""
    app.command()(parse)
