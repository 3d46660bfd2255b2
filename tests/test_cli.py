"""The command line as a user runs it: a real ``govbudget`` process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from govbudget.cli import app

# Every command the app has, sub-commands of groups included ("schedule show", "corpus write").
COMMANDS = sorted(
    [c.name or c.callback.__name__ for c in app.registered_commands if c.callback]
    + [f"{g.name} {c.name or c.callback.__name__}" for g in app.registered_groups
       for c in g.typer_instance.registered_commands if c.callback]
)


def _run(
    *args: str, env_extra: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVBUDGET_")}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "govbudget.cli", *args],
        capture_output=True, text=True, env=env, timeout=timeout,
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = _run(*command.split(), "--help")
    assert result.returncode == 0, result.stderr
    assert "Example" in result.stdout


def test_loopback_is_refused_without_permission(tmp_path: Path) -> None:
    result = _run("crawl", "http://127.0.0.1:9/", "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert "loopback" in result.stderr and "--allow-loopback" in result.stderr


def test_private_address_is_refused_even_with_loopback_allowed(tmp_path: Path) -> None:
    result = _run("crawl", "http://169.254.169.254/", "--allow-loopback", "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert "link-local" in result.stderr


def test_worker_without_broker_says_what_is_missing() -> None:
    result = _run("worker")
    assert result.returncode == 2 and "GOVBUDGET_BROKER_URL" in result.stderr


def test_parse_prints_schema_records(tmp_path: Path) -> None:
    from govbudget.corpus.render_pdf import render_pdf

    pdf = tmp_path / "邯郸市医疗保障局2022年部门预算.pdf"
    pdf.write_bytes(render_pdf("002"))
    result = _run("parse", str(pdf), "--jsonl")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert next(iter(records[0])) == "type" and records[0]["type"] == "document"
    assert records[0]["department"] == "邯郸市医疗保障局" and records[0]["fiscal_year"] == 2022
    items = [r for r in records if r["type"] == "line_item"]
    assert any(
        r["code"] == "2101501" and r["measure"] == "basic" and r["amount"] == "903.22" for r in items
    )


def test_demo_then_docs_and_records(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    result = _run("demo", "--data-dir", str(data), "--json")
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["files_new"] > 0 and summary["files_archived"] >= summary["files_new"]
    assert summary["pages_fetched"] > 0
    assert summary["parsed_ok"] + summary["parsed_partial"] + summary["parsed_failed"] > 0

    docs = [json.loads(line) for line in _run("docs", "--jsonl", "--data-dir", str(data)).stdout.splitlines()]
    keys = {"sha256", "url", "referrer", "link_text", "title", "doc_kind", "fiscal_year", "phase",
            "department", "region_code", "format", "size", "fetched_at", "storage_key", "parse_status",
            "region_source"}
    assert docs and all(set(d) == keys for d in docs)
    assert {d["doc_kind"] for d in docs} >= {"page", "budget"}
    budget = next(d for d in docs if d["doc_kind"] == "budget" and d["format"] == "pdf")
    records = _run("records", "--jsonl", "--doc", budget["sha256"], "--data-dir", str(data)).stdout
    assert next(json.loads(line)["type"] for line in records.splitlines()) == "document"
