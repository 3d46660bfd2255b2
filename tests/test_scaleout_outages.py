"""Outages during a crawl: Redis restarted, and the S3 endpoint stopped for 30 seconds while archiving.

Both services are private to this test (a redis-server on a free port without persistence, moto's S3
server on a fixed free port), never the shared ones. The crawl must finish, lose nothing, store
nothing twice, and say in its summary what the archive step retried. Parse jobs the Redis restart
threw away are found again by the reconciler.
"""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from govbudget.storage.keys import CONTENT_PREFIX
from govbudget.tasks.crawl_region import crawl_region_now
from govbudget.tasks.reconcile import reconcile
from govbudget.tasks.runtime import configure
from govbudget.tasks.settings import Settings
from tests.storage_fixtures import OwnRedis, RestartableMoto, start_celery_worker, stop_process

pytestmark = pytest.mark.integration
S3_OUTAGE_S = 30.0


def _outages(moto: RestartableMoto, redis: OwnRedis, log: list[str]) -> None:
    moto.stop()
    log.append("s3 stopped")
    time.sleep(5)
    redis.restart()
    log.append("redis restarted")
    time.sleep(S3_OUTAGE_S - 5)
    moto.start()
    log.append("s3 started")


def test_crawl_survives_redis_restart_and_s3_outage(
    tmp_path: Path,
    simulator: Any,
    pg_database_url: str,
    own_redis: OwnRedis,
    restartable_moto: RestartableMoto,
) -> None:
    settings = Settings.from_env(
        {},
        data_dir=tmp_path / "data",
        allow_loopback=True,
        broker_url=own_redis.url,
        database_url=pg_database_url,
        storage_url=f"s3://outage-{uuid.uuid4().hex[:10]}",
        s3_endpoint=restartable_moto.endpoint,
        s3_access_key="testing",
        s3_secret_key="testing-secret",
        visibility_timeout=5,
    )
    worker = start_celery_worker(settings.to_env(), "outage", tmp_path / "worker.log")
    svc = configure(settings)
    site = next(s for s in simulator.sites if not s.needs_browser)
    log: list[str] = []
    outage: list[threading.Thread] = []

    def on_event(event: dict[str, Any]) -> None:
        # The outage starts with the first object archived (the start page), so every file of the
        # crawl meets it: a site's files are archived within milliseconds of each other, and an
        # outage started on the first file could miss them all.
        if event.get("event") == "archived" and not outage:
            thread = threading.Thread(target=_outages, args=(restartable_moto, own_redis, log), daemon=True)
            outage.append(thread)
            thread.start()

    try:
        result = crawl_region_now(
            svc, site.region_code, start_urls=[site.start_url], on_event=on_event
        )
        outage[0].join(timeout=60)
        assert log[:3] == ["s3 stopped", "redis restarted", "s3 started"]
        # Celery 5.7/kombu 5.7 can exit with "Unrecoverable error" when the broker goes away while a
        # message is unacked; deploy/compose.yaml restarts such a worker, and so does this test.
        if worker.poll() is not None:
            log.append(f"worker exited {worker.returncode}, restarted")
            worker = start_celery_worker(settings.to_env(), "outage2", tmp_path / "worker2.log")
        deadline = time.monotonic() + 120
        requeued = 0
        while time.monotonic() < deadline:
            pending = reconcile(svc, min_age_s=0)["requeued"]
            requeued += int(pending)  # type: ignore[call-overload]
            if not pending:
                break
            time.sleep(10)
    finally:
        stop_process(worker)

    # The summary says what was retried, per URL.
    assert result["store_retries"] > 0
    assert result["store_retried"] and all(
        r["url"].startswith(site.start_url) for r in result["store_retried"]
    )
    # Nothing lost: every disclosure of the site archived, readable, and parsed exactly once.
    expected = {h for u, h in simulator.disclosure_urls().items() if u.startswith(site.start_url)}
    assert set(result["files"]) == expected
    assert result["changes"]["new"] == len(expected)
    for sha in expected:
        assert svc.store.size(f"{CONTENT_PREFIX}{sha[:2]}/{sha[2:4]}/{sha}") is not None
    parsed = [row.sha256 for row in svc.catalog.parse_results()]
    assert sorted(parsed) == sorted(expected), f"requeued {requeued}; worker log in {tmp_path}"
    # Nothing stored twice: one object per digest, one capture per URL fetched in this crawl.
    catalog_keys = sorted(d["storage_key"] for d in svc.catalog.documents())
    assert sorted(svc.store.iter_keys(CONTENT_PREFIX)) == catalog_keys
    urls = [row.url for row in svc.catalog.captures()]
    assert len(urls) == len(set(urls)) == result["pages_fetched"] + result["files_archived"]
