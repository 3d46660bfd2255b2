"""Run the `govbudget` command line in a real process, as a user does (shared by the CLI tests)."""

from __future__ import annotations

import os
import subprocess
import sys


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """`govbudget ARGS` with no GOVBUDGET_* setting leaking in from the test run (the corpus cache may)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GOVBUDGET_") or k == "GOVBUDGET_CORPUS_CACHE"}
    return subprocess.run([sys.executable, "-m", "govbudget.cli", *args], capture_output=True,
                          text=True, env=env, timeout=600)
