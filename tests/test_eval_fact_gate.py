"""`govbudget eval-parse --min-fact-recall`: narrative facts gate a run the way indicators do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govbudget.corpus.build import write_corpus
from tests.cli_process import run_cli


@pytest.fixture(scope="module")
def narrative_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seed 002 as HTML: its 情况说明 states all eight facts."""
    out = tmp_path_factory.mktemp("facts")
    write_corpus(out, 0, renderings=["html"], seeds=["002"])
    return out


def test_fact_recall_is_reported_and_met(narrative_corpus: Path) -> None:
    result = run_cli("eval-parse", str(narrative_corpus), "--json", "--min-fact-recall", "0.95")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["overall"]["fact_recall"] == 1.0
    assert report["below_thresholds"] == []


def test_fact_recall_below_threshold_exits_1(narrative_corpus: Path) -> None:
    result = run_cli("eval-parse", str(narrative_corpus), "--min-fact-recall", "1.01")  # unreachable
    assert result.returncode == 1
    assert "below threshold" in result.stderr and "fact recall 1.0000 < 1.01" in result.stderr


def test_fact_gate_ignored_without_narrative(tmp_path: Path) -> None:
    write_corpus(tmp_path, 0, renderings=["xlsx"], seeds=["002"])  # spreadsheets carry no facts: n/a
    result = run_cli("eval-parse", str(tmp_path), "--json", "--min-fact-recall", "0.95")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["overall"]["fact_recall"] is None
