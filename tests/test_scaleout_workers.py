"""Scale-out on real services: two parse workers, one SIGKILLed in the middle of parsing.

Real Redis (the shared server, a database of our own), PostgreSQL, moto's S3 over HTTP. The broker's
visibility timeout is 5 s so the killed worker's unacknowledged task comes back quickly; afterwards
every archived file must have exactly one parse result and the store and catalog must agree.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from govbudget.storage.attempts import parse_attempts, unfinished_parses
from govbudget.storage.keys import CONTENT_PREFIX
from govbudget.tasks.crawl import crawl_config, run_crawl
from govbudget.tasks.runtime import configure
from govbudget.tasks.settings import Settings
from tests.e2e_checks import wait_for_parses
from tests.storage_fixtures import start_celery_worker, stop_process

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(tmp_path: Path, redis_url: str, pg_database_url: str, moto_s3: dict[str, str]) -> Settings:
    return Settings.from_env(
        {},
        data_dir=tmp_path / "data",
        allow_loopback=True,
        broker_url=redis_url,
        database_url=pg_database_url,
        storage_url=f"s3://scaleout-{uuid.uuid4().hex[:10]}",
        s3_endpoint=moto_s3["endpoint"],
        s3_access_key=moto_s3["access_key"],
        s3_secret_key=moto_s3["secret_key"],
        visibility_timeout=5,
    )


def _kill_when_parsing(svc: Any, worker: str, proc: Any, done: threading.Event, out: dict[str, Any]) -> None:
    """SIGKILL `proc` as soon as the catalog shows it started a parse it has not finished."""
    while not done.is_set():
        parsing = unfinished_parses(svc.catalog, worker)
        if parsing:
            os.kill(proc.pid, signal.SIGKILL)
            out["sha256"] = parsing[0]
            return
        time.sleep(0.01)


def test_sigkilled_worker_mid_parse_leaves_exactly_one_result_per_object(
    settings: Settings, simulator: Any, tmp_path: Path
) -> None:
    host = socket.gethostname()
    env = settings.to_env()
    victim = start_celery_worker(env, "victim", tmp_path / "victim.log")
    survivor = start_celery_worker(env, "survivor", tmp_path / "survivor.log")
    svc = configure(settings)
    site = next(s for s in simulator.sites if not s.needs_browser)
    killed: dict[str, Any] = {}
    done = threading.Event()
    killer = threading.Thread(target=_kill_when_parsing, args=(svc, f"victim@{host}", victim, done, killed))
    try:
        killer.start()
        summary = run_crawl(svc, crawl_config(settings, [site.start_url], region_code=site.region_code))
        tally = wait_for_parses(svc.catalog, summary.crawl_id)  # the crawl does not wait for workers
    finally:
        done.set()
        killer.join()
        stop_process(survivor)
        stop_process(victim)

    assert killed, "the victim never started a parse: " + (tmp_path / "victim.log").read_text()[-2000:]
    assert victim.returncode == -signal.SIGKILL
    expected = {h for u, h in simulator.disclosure_urls().items() if u.startswith(site.start_url)}
    assert set(summary.files) == expected
    assert tally["pending"] == 0, "the killed worker's task was not redone"
    redone = parse_attempts(svc.catalog, killed["sha256"])
    assert redone is not None
    assert redone.started >= 2 and redone.finished >= 1, "the interrupted parse ran again"
    assert "survivor" in (redone.worker or "")

    per_object: dict[str, int] = {}
    for row in svc.catalog.parse_results():
        per_object[row.sha256] = per_object.get(row.sha256, 0) + 1
    assert per_object == dict.fromkeys(expected, 1), "missing or duplicated parse results"
    catalog_keys = sorted(d["storage_key"] for d in svc.catalog.documents())
    assert sorted(svc.store.iter_keys(CONTENT_PREFIX)) == catalog_keys
    log = (tmp_path / "survivor.log").read_text(errors="replace")
    assert "govbudget.parse_object" in log and "succeeded" in log
