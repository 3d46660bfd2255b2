"""The runtime install lacks the test tooling (devtools/): the commands that need it say so in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Runs the command line with the dev tools' modules made unimportable, as in a runtime install.
_WITHOUT = """
import sys
for name in sys.argv[1].split(","):
    sys.modules[name] = None
sys.argv = ["govbudget", *sys.argv[2:]]
from govbudget.cli import app
app()
"""


def _run_without(missing: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVBUDGET_")}
    return subprocess.run([sys.executable, "-c", _WITHOUT, missing, *args], capture_output=True, text=True,
                          env=env, timeout=300)


@pytest.mark.parametrize(
    ("missing", "command"),
    [
        ("govbudget.simulator", ("demo", "--data-dir", "{tmp}")),
        ("govbudget.simulator", ("eval-sim", "--data-dir", "{tmp}")),
        ("govbudget.corpus", ("eval-parse", "{tmp}")),
        ("govbudget.corpus", ("corpus", "write", "{tmp}")),
        ("reportlab", ("corpus", "write", "{tmp}")),
    ],
)
def test_command_without_devtools_says_so_in_one_line(missing: str, command: tuple[str, ...],
                                                      tmp_path: Path) -> None:
    result = _run_without(missing, *(arg.format(tmp=tmp_path) for arg in command))
    assert result.returncode == 2, result.stderr
    name = command[0] if command[0] != "corpus" else "corpus write"
    assert result.stderr.splitlines() == [
        f"govbudget {name} needs the dev tools, missing here ({missing}): "
        "pip install -e ./devtools in a checkout, or bash bootstrap.sh install"
    ]
    assert result.stdout == ""


def test_other_commands_run_without_devtools(tmp_path: Path) -> None:
    result = _run_without("govbudget.simulator,govbudget.corpus,reportlab", "--help")
    assert result.returncode == 0, result.stderr
    assert "demo" in result.stdout and "eval-parse" in result.stdout
