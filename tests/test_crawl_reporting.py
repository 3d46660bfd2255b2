"""Crawl reporting a user can act on (issue #12 item 5): refused and skipped URLs listed with their
reasons (summary JSON, --show-skipped, docs --skipped), the --max-pages/--delay/--concurrency flags
reaching Scrapy, and progress as log lines when the output is no terminal."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from govbudget.crawler.config import CrawlConfig
from govbudget.crawler.scrapy_settings import crawl_settings
from govbudget.simulator.edge_site import OVERSIZE_BYTES, PRIVATE_TARGETS
from govbudget.tasks.crawl import crawl_config
from govbudget.tasks.progress import CrawlProgress
from govbudget.tasks.settings import Settings
from tests.cli_process import run_cli

REFUSED = {
    "http://169.254.169.254/latest/meta-data/budget.pdf": "link-local address 169.254.169.254 refused",
    "http://10.0.0.8/yjsgk/2023.pdf": "private or reserved address 10.0.0.8 refused",
    "http://192.168.1.10/czyjs/2023.pdf": "private or reserved address 192.168.1.10 refused",
}


@pytest.fixture(scope="module")
def edge_crawl(simulator: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The simulator's edge site crawled once through the CLI, its output not a terminal."""
    data = tmp_path_factory.mktemp("reporting")
    start = simulator.base_url + "/edge/"
    result = run_cli("crawl", start, "--allow-loopback", "--json", "--data-dir", str(data))
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    oversize = simulator.base_url + "/edge/xxgk/fdzdgknr/czyjs/files/W020230301000000000001.pdf"
    return {"data": data, "start": start, "result": result, "summary": summary, "oversize": oversize}


def test_summary_json_lists_refused_urls_with_their_reasons(edge_crawl: dict[str, Any]) -> None:
    assert set(REFUSED) == set(PRIVATE_TARGETS)
    refused = edge_crawl["summary"]["refused"]
    assert {r["url"]: r["reason"] for r in refused} == REFUSED
    assert len(refused) == edge_crawl["summary"]["refused_urls"] == 3


def test_summary_json_lists_oversize_skips_with_reason_and_size(edge_crawl: dict[str, Any]) -> None:
    assert edge_crawl["summary"]["skipped"] == [
        {"url": edge_crawl["oversize"], "reason": "oversize", "size": OVERSIZE_BYTES}]
    assert edge_crawl["summary"]["skipped_oversize"] == 1


def test_docs_skipped_lists_them_from_the_stored_run_summary(edge_crawl: dict[str, Any]) -> None:
    result = run_cli("docs", "--skipped", "--data-dir", str(edge_crawl["data"]))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    crawl_id = edge_crawl["summary"]["crawl_id"]
    assert all(r["crawl_id"] == crawl_id and r["finished_at"] for r in rows)
    assert sorted((r["what"], r["url"], r["reason"], r["size"]) for r in rows) == sorted(
        [("refused", url, reason, None) for url, reason in REFUSED.items()]
        + [("skipped", edge_crawl["oversize"], "oversize", OVERSIZE_BYTES)])


def test_show_skipped_prints_one_line_per_url_with_its_reason(
    edge_crawl: dict[str, Any], tmp_path: Path
) -> None:
    result = run_cli("crawl", edge_crawl["start"], "--allow-loopback", "--show-skipped",
                     "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    listed = [line for line in result.stdout.splitlines() if line.startswith(("refused  ", "skipped  "))]
    assert sorted(listed) == sorted(
        [f"refused  {url}  {reason}" for url, reason in REFUSED.items()]
        + [f"skipped  {edge_crawl['oversize']}  oversize ({OVERSIZE_BYTES} bytes)"])


def test_progress_is_a_log_line_with_counts_and_rates_when_not_a_terminal(edge_crawl: dict[str, Any]) -> None:
    summary = edge_crawl["summary"]
    assert "Traceback" not in edge_crawl["result"].stderr
    [line] = [x for x in edge_crawl["result"].stderr.splitlines() if x.startswith("crawl ended: ")]
    match = re.fullmatch(r"crawl ended: (\d+) pages, (\d+) files \(\+(\d+) from ZIP/RAR\), (\d+) refused, "
                         r"(\d+) skipped, (\d+) failed; [\d.]+ pages/min, [\d.]+ files/min; "
                         r"\d+(m\d\ds|s) elapsed", line)
    assert match, line
    counts = tuple(int(g) for g in match.groups()[:6])
    assert counts == (summary["pages_fetched"], summary["files_archived"], summary["members_archived"],
                      3, 1, summary["files_failed"])


def test_max_pages_stops_the_crawl(simulator: Any, tmp_path: Path) -> None:
    result = run_cli("crawl", simulator.base_url + "/edge/", "--allow-loopback", "--json", "--max-pages", "3",
                     "--concurrency", "1", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["finish_reason"] == "closespider_pagecount"
    assert 0 < summary["pages_fetched"] + summary["files_archived"] <= 3


def test_crawl_flags_reach_the_scrapy_settings() -> None:
    settings = Settings.from_env({"GOVBUDGET_MAX_PAGES": "50", "GOVBUDGET_DOWNLOAD_DELAY": "0.25",
                                  "GOVBUDGET_CONCURRENCY_PER_HOST": "3"})
    from_env = crawl_config(settings, ["https://czj.example.gov.cn/"])
    assert (from_env.max_pages, from_env.download_delay, from_env.concurrency_per_host) == (50, 0.25, 3)
    flagged = crawl_config(settings, ["https://czj.example.gov.cn/"], max_pages=7, download_delay=1.5,
                           concurrency_per_host=2)
    config = CrawlConfig.from_json(flagged.to_json())  # as the crawl process reads it
    scrapy = crawl_settings(config)
    assert scrapy["CLOSESPIDER_PAGECOUNT"] == 7
    assert scrapy["DOWNLOAD_DELAY"] == 1.5
    assert scrapy["CONCURRENT_REQUESTS_PER_DOMAIN"] == 2
    assert scrapy["AUTOTHROTTLE_TARGET_CONCURRENCY"] == 2.0


def test_default_crawl_has_no_page_limit_and_four_per_host() -> None:
    scrapy = crawl_settings(crawl_config(Settings.from_env({}), ["https://czj.example.gov.cn/"]))
    assert (scrapy["CLOSESPIDER_PAGECOUNT"], scrapy["DOWNLOAD_DELAY"]) == (0, 0.0)
    assert scrapy["CONCURRENT_REQUESTS_PER_DOMAIN"] == 4


def test_progress_lines_every_interval_with_counts_and_rates() -> None:
    now = [100.0]
    out = io.StringIO()
    console = Console(file=out, force_terminal=False, width=300)
    page = {"event": "archived", "kind": "page"}
    with CrawlProgress(console, interval=30.0, clock=lambda: now[0]) as progress:
        for _ in range(10):
            progress.update(page)
        progress.update({"event": "archived", "kind": "file"})
        now[0] = 129.0
        progress.update({"event": "heartbeat"})  # 29 s: no line yet
        now[0] = 160.0
        progress.update({"event": "refused", "url": "http://10.0.0.8/a.pdf", "reason": "private"})
        progress.update({"event": "archived", "kind": "file", "member": True})
        now[0] = 220.0
    assert out.getvalue().splitlines() == [
        "crawl progress: 10 pages, 1 files, 1 refused, 0 skipped, 0 failed; 10.0 pages/min, "
        "1.0 files/min; 1m00s elapsed",
        "crawl ended: 10 pages, 1 files (+1 from ZIP/RAR), 1 refused, 0 skipped, 0 failed; "
        "5.0 pages/min, 0.5 files/min; 2m00s elapsed",
    ]
