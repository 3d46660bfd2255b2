"""`govbudget export`, `panel`, `report`, `serve`: help with an example, outputs, clear refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from govbudget.cli import app
from tests.test_export_dataset import Dataset, crawled_dataset

runner = CliRunner()


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, simulator: Any) -> Dataset:
    return crawled_dataset(tmp_path_factory, simulator)


@pytest.mark.parametrize("command", ["export", "panel", "report", "serve"])
def test_help_has_an_example(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "Example:" in result.output and f"govbudget {command}" in result.output


def test_export_panel_report_commands(data: Dataset, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    data_dir = str(data.svc.settings.data_dir)
    result = runner.invoke(app, ["export", "--format", "csv", "--out", str(tmp_path / "x"),
                                 "--region", "130400", "--data-dir", data_dir, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["rows"]["line_items"] > 0 and (tmp_path / "x" / "datapackage.json").exists()

    out = tmp_path / "panel.parquet"
    args = ["--measure", "total", "--classification", "function", "--level", "2", "--out", str(out)]
    result = runner.invoke(app, ["panel", *args, "--data-dir", data_dir])
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.num_rows > 0 and set(table.column("level").to_pylist()) == {2}
    assert all(len(code) == 5 for code in table.column("code").to_pylist())

    result = runner.invoke(app, ["report", "--data-dir", data_dir, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    # each file's own region: 邯郸's portal posts a 北戴河区 file, which is 130304's, not 130400's
    assert {c["region_code"] for c in report["coverage"]} >= {"130400", "130304"}


@pytest.mark.parametrize("args, message", [
    (["export", "--out", "o", "--years", "20x"], "YYYY"),
    (["export", "--out", "o", "--region", "13"], "6-digit"),
    (["export", "--out", "o", "--format", "xlsx"], "format must be one of"),
    (["panel", "--classification", "functional"], "classification must be one of"),
    (["panel", "--level", "4"], "levels 1..3"),
])
def test_bad_options_are_refused_clearly(args: list[str], message: str, tmp_path: Path) -> None:
    result = runner.invoke(app, [*args, "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 2 and message in result.output
