"""The whole path: simulator → crawl → archive → dispatch → parse → records.

Once on the embedded default (local folder, SQLite, tasks in process) and once on real services
(a Celery worker process on the local Redis, PostgreSQL, moto's S3 server over HTTP).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from govbudget.tasks.crawl import crawl_config, run_crawl
from govbudget.tasks.runtime import configure
from govbudget.tasks.settings import Settings
from tests.e2e_checks import (
    assert_archive_matches_simulator,
    assert_handan_2022_line_items,
    wait_for_parses,
    zip_members,
)


def _crawl_twice_and_check(settings: Settings, sim: Any) -> None:
    svc = configure(settings)
    events: list[dict[str, Any]] = []
    first = run_crawl(svc, crawl_config(settings, sim.start_urls), on_event=events.append)
    expected = sim.expected_disclosures()
    assert first.files_new == len(expected)
    assert first.files_archived == len(sim.disclosure_urls())  # one file is linked from two sites
    # the summary says how parsing stood when the crawl ended: with a broker, workers may still be at it
    assert first.parsed_ok + first.parsed_partial + first.parsed_failed + first.parse_queued == len(expected)
    if settings.embedded_queue:  # parsed in process as the files arrived
        assert first.parse_pending == 0
        members = [e for e in events if e["event"] == "archived" and e.get("member")]
        assert first.members_archived == len(members) == zip_members(sim)
        assert all(e["kind"] == "file" and e["referrer"].endswith(".zip") for e in members)
    tally = wait_for_parses(svc.catalog, first.crawl_id)
    assert tally["ok"] + tally["partial"] + tally["failed"] == len(expected)
    assert sum(svc.catalog.parse_tally(first.crawl_id, members=True).values()) == zip_members(sim)
    assert first.browser_requests >= 1, "the JS-only list must have gone through the browser"
    assert_archive_matches_simulator(svc.catalog, sim)
    assert_handan_2022_line_items(svc.catalog, sim)

    objects_before = sorted(svc.store.iter_keys("raw/"))
    second = run_crawl(svc, crawl_config(settings, sim.start_urls))
    assert second.files_new == 0
    assert second.files_already_archived == len(sim.disclosure_urls())
    assert second.parse_pending == 0 and second.members_archived == 0  # nothing new to parse
    assert sorted(svc.store.iter_keys("raw/")) == objects_before, "a re-crawl stored a copy"
    for sha in expected:
        assert len(list(svc.catalog.captures(sha))) >= 2, "a re-fetch adds a capture"


def test_embedded_default(tmp_path: Path, simulator: Any) -> None:
    settings = Settings.from_env({}, data_dir=tmp_path / "data", allow_loopback=True)
    _crawl_twice_and_check(settings, simulator)


@pytest.mark.integration
def test_real_services(
    tmp_path: Path, simulator: Any, redis_url: str, pg_database_url: str, moto_s3: dict[str, str]
) -> None:
    settings = Settings.from_env(
        {},
        data_dir=tmp_path / "data",
        allow_loopback=True,
        broker_url=redis_url,
        database_url=pg_database_url,
        storage_url="s3://govbudget-e2e",
        s3_endpoint=moto_s3["endpoint"],
        s3_access_key=moto_s3["access_key"],
        s3_secret_key=moto_s3["secret_key"],
    )
    worker = _start_worker(settings, tmp_path / "worker.log")
    try:
        _crawl_twice_and_check(settings, simulator)
        svc = configure(settings)
        assert svc.store.describe().startswith("s3://govbudget-e2e")
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    log = (tmp_path / "worker.log").read_text(encoding="utf-8", errors="replace")
    assert "govbudget.parse_object" in log and "succeeded" in log, log[-2000:]


def _start_worker(settings: Settings, log_path: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVBUDGET_")}
    env.update(settings.to_env())
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "govbudget.cli", "worker", "-Q", "parse", "-c", "2"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if "ready." in log_path.read_text(errors="replace"):
            return proc
        if proc.poll() is not None:
            raise AssertionError(log_path.read_text(errors="replace"))
        time.sleep(0.3)
    proc.kill()
    raise AssertionError("worker did not become ready: " + log_path.read_text(errors="replace"))
