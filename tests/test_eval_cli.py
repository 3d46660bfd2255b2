"""`govbudget eval-parse` and `govbudget corpus write` as a user runs them: a real process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govbudget.corpus.build import write_corpus
from govbudget.corpus.evaluate import evaluate
from govbudget.corpus.scoring import summarise
from tests.cli_process import run_cli


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seed 002 and one variant as XLSX and HTML: cheap to render and to parse."""
    out = tmp_path_factory.mktemp("corpus")
    write_corpus(out, 1, renderings=["xlsx", "html"], seeds=["002"])
    return out


@pytest.mark.parametrize("command", [("eval-parse",), ("corpus", "write")])
def test_help_has_an_example(command: tuple[str, ...]) -> None:
    result = run_cli(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Example" in result.stdout


def test_json_report_matches_the_scorer(small_corpus: Path) -> None:
    result = run_cli("eval-parse", str(small_corpus), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    overall, by_format = summarise(evaluate(small_corpus).scores)
    assert report["overall"]["line_items"] == overall.line_items.as_dict()
    assert set(report["formats"]) == set(by_format) == {"xlsx", "html"}
    expected = sum(1 for p in small_corpus.glob("*.truth.jsonl") for line in p.read_text().splitlines()
                   if json.loads(line)["type"] == "line_item")
    li = report["overall"]["line_items"]
    assert li["tp"] + li["fn"] == expected > 0
    assert len(report["files"]) == 4 and report["unscored"] == []
    assert set(report["overall"]["metadata"]) == {"department", "fiscal_year", "phase", "scope", "unit_code"}


def test_table_report_and_threshold_exit_code(small_corpus: Path) -> None:
    result = run_cli("eval-parse", str(small_corpus), "--min-f1", "1.01")  # an F1 no parser can reach
    assert result.returncode == 1
    assert "overall" in result.stdout and "xlsx" in result.stdout and "F1" in result.stdout
    assert "below threshold" in result.stderr and "line-item F1" in result.stderr
    assert run_cli("eval-parse", str(small_corpus), "--min-f1", "0").returncode == 0


def test_files_without_truth_are_listed_and_broken_truth_is_an_error(tmp_path: Path) -> None:
    write_corpus(tmp_path, 0, renderings=["html"], seeds=["001"])
    (tmp_path / "stray.html").write_bytes(b"<html><body>no truth for me</body></html>")
    report = json.loads(run_cli("eval-parse", str(tmp_path), "--json").stdout)
    assert report["unscored"] == ["stray.html"] and len(report["files"]) == 1
    (tmp_path / "stray.html.truth.jsonl").write_text('{"type": "document"}\nnot json\n', encoding="utf-8")
    broken = run_cli("eval-parse", str(tmp_path))
    assert broken.returncode == 2 and "stray.html.truth.jsonl line 2" in broken.stderr


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    result = run_cli("eval-parse", str(tmp_path))
    assert result.returncode == 2 and "nothing to score" in result.stderr


def test_corpus_write_command(tmp_path: Path) -> None:
    result = run_cli("corpus", "write", str(tmp_path), "--variants", "1", "-r", "html", "--seed", "004")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "manifest.jsonl", "s004-v0-html.html", "s004-v0-html.html.truth.jsonl", "s004-v1-html.html",
        "s004-v1-html.html.truth.jsonl"]
    bad = run_cli("corpus", "write", str(tmp_path), "-r", "pptx")
    assert bad.returncode == 2 and "unknown rendering" in bad.stderr
