"""Issue #11: a start URL is crawled or refused in one line with a non-zero exit, never a silent
0-page success. Decimal, hex and octal IPv4 hosts are written as a browser writes them (dotted quad)
and crawled; an IPv6 host, which the crawler cannot reach, is refused. The real `govbudget` process
against the portal simulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.cli_process import run_cli


def _port(simulator: Any) -> int:
    return urlsplit(simulator.base_url).port


def test_decimal_hex_and_octal_hosts_are_crawled_as_dotted_quads(simulator: Any, tmp_path: Path) -> None:
    from govbudget.tasks.runtime import configure
    from govbudget.tasks.settings import Settings

    port = _port(simulator)
    typed = {"/hd/": f"http://2130706433:{port}/hd/", "/js/": f"http://0x7f000001:{port}/js/",
             "/hw/": f"http://0177.0.0.1:{port}/hw/"}
    result = run_cli("crawl", *typed.values(), "--allow-loopback", "--data-dir", str(tmp_path), "--json")
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["start_urls"] == [f"http://127.0.0.1:{port}{site}" for site in typed]
    catalog = configure(Settings.from_env({}, data_dir=tmp_path)).catalog
    captured = {url for c in catalog.captures() for url in (c.url, c.final_url)}
    for site in typed:  # every start URL was fetched, and its site's disclosures with it
        assert f"http://127.0.0.1:{port}{site}" in captured
        expected = {u for u in simulator.disclosure_urls() if urlsplit(u).path.startswith(site)}
        assert expected and expected <= captured, site


@pytest.mark.parametrize(("host", "allow", "reason"), [
    ("[::1]", True, "IPv6 addresses cannot be crawled (the crawler's resolver is IPv4-only)"),
    ("[::1]", False, "loopback address ::1 refused (allow_loopback is off)"),
    ("[::ffff:7f00:1]", True, "IPv6 addresses cannot be crawled"),
    ("0x7f000001", False, "loopback address 127.0.0.1 refused (allow_loopback is off)"),
    ("4294967296", True, "invalid URL: '4294967296' is not a valid IPv4 address"),
])
def test_unreachable_or_unsafe_start_url_is_refused_in_one_line(
    simulator: Any, tmp_path: Path, host: str, allow: bool, reason: str
) -> None:
    url = f"http://{host}:{_port(simulator)}/hd/"
    result = run_cli("crawl", url, *(["--allow-loopback"] if allow else []), "--data-dir", str(tmp_path))
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"refused: {url}") and reason in lines[0]
    assert not (tmp_path / "logs").exists()  # no crawl process was started
