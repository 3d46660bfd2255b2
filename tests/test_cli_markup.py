"""Messages print URLs as they are: Rich markup never eats a bracketed IPv6 host."""

from __future__ import annotations

from pathlib import Path

from tests.cli_process import run_cli


def test_a_refused_ipv6_start_url_is_printed_whole(tmp_path: Path) -> None:
    result = run_cli("crawl", "http://[fd00::2]:18391/list/", "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 2, result.stderr
    [line] = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert "http://[fd00::2]:18391/list/" in line
