"""The ``govbudget`` command line.

Every command reads the same settings (flags, then ``GOVBUDGET_*`` variables, then the embedded
defaults) and runs the same code paths the workers run, so what a researcher sees on a laptop is
what the cluster does. One module per group of commands, each exposing ``register(app)``; a command
parses its arguments, calls the function of the folder that owns the work, and prints.
"""

from __future__ import annotations

from importlib import import_module
from typing import Annotated

import typer

app = typer.Typer(
    help="Archive and parse Chinese government budget disclosures (部门预算/决算公开).",
    no_args_is_help=True,
    add_completion=False,
)

# Command groups, in the order ``govbudget --help`` lists them; add a module name to plug one in.
COMMAND_MODULES: list[str] = ["crawl", "sources", "parse", "dataset", "demo", "worker", "evaluate",
                              "provenance", "versions"]



def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        from govbudget.parsers.version import PARSER_VERSION

        typer.echo(f"govbudget {version('govbudget')} (parser {PARSER_VERSION})")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True, help="Print the package and parser versions.",
    )] = False,
) -> None:
    pass


for _name in COMMAND_MODULES:
    import_module(f"{__name__}.{_name}").register(app)
