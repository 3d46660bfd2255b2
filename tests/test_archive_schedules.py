"""Seasonal beat schedules and `govbudget schedule show`."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from govbudget.tasks.schedules import DEFAULT_SEASONS, beat_schedule, load_config, next_runs


def test_default_seasons_fire_in_budget_and_final_months() -> None:
    budget, final = (s.crontab() for s in DEFAULT_SEASONS)
    runs = next_runs(budget, datetime(2025, 11, 30, tzinfo=UTC), 30)
    assert {r.month for r in runs} <= {2, 3, 4} and runs[0].isoformat() == "2026-02-02T03:00:00+08:00"
    assert {r.month for r in next_runs(final, datetime(2025, 5, 1, tzinfo=UTC), 30)} <= {7, 8, 9}
    assert all(a < b for a, b in itertools.pairwise(runs))


def test_per_province_config(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps(
            {
                "regions": {"44": ["440000", "440100"]},
                "provinces": {"44": {"budget": {"months": "1-3", "days": "fri", "hour": 2}}},
            }
        )
    )
    entries = beat_schedule(load_config(path))
    assert set(entries) == {"crawl-44-budget", "crawl-44-final", "reconcile-parses"}
    budget = entries["crawl-44-budget"]
    assert budget["task"] == "govbudget.crawl_season" and budget["args"] == ["44", "budget"]
    assert budget["options"]["expires"] > 0 and budget["options"]["queue"] == "crawl"
    run = next_runs(budget["schedule"], datetime(2026, 1, 1, tzinfo=UTC), 1)[0]
    assert (run.month, run.weekday(), run.hour) == (1, 4, 2)


@pytest.mark.parametrize(
    "bad",
    [
        {"regions": {"44": ["130400"]}},
        {"provinces": {"4": {}}},
        {"provinces": {"44": {"budget": {"colour": "red"}}}},
        {"provinces": {"44": {"budget": {"months": "13"}}}},
    ],
)
def test_bad_config_is_refused(tmp_path: Path, bad: dict[str, object]) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(ValueError):
        load_config(path)


@pytest.mark.parametrize("command", [["export-warc"], ["verify"], ["refetch"], ["schedule", "show"]])
def test_archive_commands_have_help_with_an_example(command: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVBUDGET_")}
    result = subprocess.run(
        [sys.executable, "-m", "govbudget.cli", *command, "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Example" in result.stdout


def test_schedule_show_prints_next_runs() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVBUDGET_")}
    result = subprocess.run(
        [sys.executable, "-m", "govbudget.cli", "schedule", "show", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert len(rows["crawl-*-budget"]["next_runs"]) == 3
    assert datetime.fromisoformat(rows["crawl-*-final"]["next_runs"][0]).month in {7, 8, 9}
