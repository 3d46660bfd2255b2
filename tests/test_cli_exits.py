"""Exits that mean something (issue #12 item 4): every mistake a user can make on the command line
is one line on stderr and a non-zero exit, never a silent success, a new empty archive or a traceback."""

from __future__ import annotations

import json
import socket
from importlib.metadata import version
from pathlib import Path

import pytest

from govbudget.parsers.version import PARSER_VERSION
from tests.cli_process import run_cli


def _one_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released: connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_version_prints_package_and_parser_versions() -> None:
    result = run_cli("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"govbudget {version('govbudget')} (parser {PARSER_VERSION})"


def test_a_crawl_that_fetched_nothing_exits_4_with_one_line_reason(tmp_path: Path) -> None:
    data = tmp_path / "new-archive"  # crawl creates its data folder
    result = run_cli("crawl", f"http://127.0.0.1:{_closed_port()}/", "--allow-loopback", "--json",
                     "--data-dir", str(data))
    assert result.returncode == 4, result.stderr[-2000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["pages_fetched"] == summary["files_archived"] == 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("nothing fetched: 0 pages and 0 files from 1 start URL (")
    assert summary["log_file"] in last and "Traceback" not in result.stderr
    assert data.is_dir()


def test_an_unknown_record_type_lists_the_valid_ones(tmp_path: Path) -> None:
    result = run_cli("records", "--type", "line_items", "--data-dir", str(tmp_path))
    assert result.returncode == 2 and result.stdout == ""
    assert _one_line(result.stderr) == (
        "unknown record type 'line_items': one of document, table, line_item, indicator, fact, check")
    exact = run_cli("records", "--type", "line_item", "--data-dir", str(tmp_path))
    assert exact.returncode == 0, exact.stderr


def test_an_unknown_measure_lists_the_valid_ones(tmp_path: Path) -> None:
    result = run_cli("panel", "--measure", "bogus", "--data-dir", str(tmp_path))
    assert result.returncode == 2 and result.stdout == ""
    line = _one_line(result.stderr)
    assert line.startswith("unknown measure 'bogus': one of total, subtotal, basic, project,")
    assert line.endswith(", other")


@pytest.mark.parametrize("command", [
    ["report"], ["panel"], ["export", "--out", "{tmp}/out"],
])
def test_an_unknown_region_exits_2_in_one_line(command: list[str], tmp_path: Path) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    result = run_cli(*args, "--region", "999999", "--data-dir", str(tmp_path))
    assert result.returncode == 2 and result.stdout == ""
    assert _one_line(result.stderr) == "unknown region: no GB/T 2260 division has code '999999'"
    assert not (tmp_path / "out").exists()


def test_a_known_region_with_nothing_archived_is_no_error(tmp_path: Path) -> None:
    result = run_cli("report", "--region", "130400", "--json", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("command", [["docs"], ["records"], ["report"], ["verify"], ["docs", "--skipped"]])
def test_a_missing_data_dir_is_refused_not_created(command: list[str], tmp_path: Path) -> None:
    missing = tmp_path / "mistyped"
    result = run_cli(*command, "--data-dir", str(missing))
    assert result.returncode == 2 and result.stdout == ""
    assert _one_line(result.stderr) == (
        f"--data-dir {missing} does not exist (crawl or demo create an archive there)")
    assert not missing.exists()


@pytest.mark.parametrize("command", [
    ["docs"], ["report"], ["crawl", "http://127.0.0.1:9/", "--allow-loopback"],
])
def test_a_data_dir_that_is_a_file_is_one_line(command: list[str], tmp_path: Path) -> None:
    a_file = tmp_path / "catalog.txt"
    a_file.write_text("not a folder\n")
    result = run_cli(*command, "--data-dir", str(a_file))
    assert result.returncode == 2
    assert _one_line(result.stderr) == f"--data-dir {a_file} is a file, not a folder"
    assert a_file.read_text() == "not a folder\n"


def test_parse_with_one_bad_file_of_two_exits_1(tmp_path: Path) -> None:
    from govbudget.corpus.render_xlsx import render_xlsx

    good = tmp_path / "邯郸市医疗保障局2022年部门预算.xlsx"
    good.write_bytes(render_xlsx("002"))
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x00\x01 not a document \xff" * 10)
    result = run_cli("parse", str(good), str(bad))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{good}: ok") or lines[0].startswith(f"{good}: partial")
    assert lines[1].startswith(f"{bad}: failed (")
    assert any(json.loads(row)["type"] == "line_item" for row in result.stdout.splitlines())
