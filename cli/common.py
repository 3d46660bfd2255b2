"""What every command module shares: the stderr console, the common options, JSON Lines output."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

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


def services(data_dir: Path | None = None, *, create: bool = False, **overrides: object) -> Services:
    """The archive, catalog and queue the workers use, configured from ``settings``.

    The data folder must exist unless `create` (``crawl`` and ``demo`` make it): a mistyped
    ``--data-dir`` is one line and exit 2, never a new empty archive; a file there is one line too.
    """
    from govbudget.tasks.runtime import configure

    current = settings(data_dir=data_dir, **overrides)
    check_data_dir(current, create=create, given=data_dir is not None)
    return configure(current)


def check_data_dir(current: Settings, *, create: bool, given: bool = True) -> None:
    """Exit 2 with one line when the data folder is a file, cannot be made, or (unless `create`) is
    missing while something lives in it (the embedded store or catalog, or a ``--data-dir`` given)."""
    path = current.data_dir
    where = f"--data-dir {path}" if given else f"the data folder {path} (GOVBUDGET_DATA_DIR)"
    if path.exists() and not path.is_dir():
        fail(f"{where} is a file, not a folder")
    if path.is_dir():
        return
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            fail(f"{where} cannot be created: {exc.strerror or exc}")
        return
    if given or not (current.storage_url and current.database_url):
        fail(f"{where} does not exist (crawl or demo create an archive there)")


def fail(message: str, code: int = 2) -> NoReturn:
    """One line on stderr, as printed (no markup), then exit `code`."""
    console.print(message, soft_wrap=True, markup=False, highlight=False)
    raise typer.Exit(code)


def print_jsonl(rows: object) -> None:
    for row in rows:  # type: ignore[attr-defined]
        sys.stdout.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")


def print_json(value: object) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")


_DEVTOOLS = ("govbudget.corpus", "govbudget.simulator", "reportlab")


@contextmanager
def needs_devtools(command: str) -> Iterator[None]:
    """Around the import of the test tooling (``devtools/``, not in the runtime install): when it is
    missing, say so in one line and exit 2 instead of a traceback."""
    try:
        yield
    except ModuleNotFoundError as exc:
        missing = next((m for m in _DEVTOOLS if exc.name == m or (exc.name or "").startswith(f"{m}.")), None)
        if missing is None:
            raise
        console.print(f"govbudget {command} needs the dev tools, missing here ({missing}): "
                      "pip install -e ./devtools in a checkout, or bash bootstrap.sh install",
                      soft_wrap=True, markup=False, highlight=False)
        raise typer.Exit(2) from None
