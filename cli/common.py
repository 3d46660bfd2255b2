"""What every command module shares: the stderr console, the common options, JSON Lines output."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from govbudget.tasks.settings import Settings

if TYPE_CHECKING:
    from govbudget.tasks.runtime import Services

console = Console(stderr=True)

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Where the embedded archive and catalog live.")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def settings(**overrides: object) -> Settings:
    """Flags given on the command line, then ``GOVBUDGET_*`` variables, then embedded defaults."""
    return Settings.from_env(**overrides)


def services(data_dir: Path | None = None, **overrides: object) -> Services:
    """The archive, catalog and queue the workers use, configured from ``settings``."""
    from govbudget.tasks.runtime import configure

    return configure(settings(data_dir=data_dir, **overrides))


def print_jsonl(rows: object) -> None:
    for row in rows:  # type: ignore[attr-defined]
        sys.stdout.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")


def print_json(value: object) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")
