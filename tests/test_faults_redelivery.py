"""Issue #11: a parse redelivered by Redis while it still runs is not parsed again.

With a visibility timeout shorter than a parse, Redis hands the unacknowledged task to another
worker (and again, every timeout) while the first still parses. Real Redis, PostgreSQL and two real
Celery workers (solo pools) with a 2 s visibility timeout and a parse that takes 8 s: the file is
parsed exactly once (one attempt started), and the copies say they were redelivered and skipped.

The workers run this module's app (``-A tests.test_faults_redelivery:app``): the real app, whose
sandboxed parse first sleeps (`slow_parse`) when ``FAULTS_SLOW_PARSE_S`` is set.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from govbudget.parsers import parse_bytes
from govbudget.parsers.outcome import ParseOutcome
from govbudget.tasks.app import app  # the workers' app (with the slow parse, below)
from govbudget.tasks.settings import Settings

SLOW_ENV = "FAULTS_SLOW_PARSE_S"
SLOW_S = 8


def slow_parse(data: bytes, *, filename: str | None, sha256: str) -> ParseOutcome:
    """What the sandboxed child runs in this test's workers: a parse that takes `SLOW_S` longer."""
    time.sleep(float(os.environ.get(SLOW_ENV, "0")))
    return parse_bytes(data, filename=filename, sha256=sha256)


if os.environ.get(SLOW_ENV):  # imported by a worker this test started
    from govbudget.tasks import parse_task

    parse_task.PARSE_TARGET = slow_parse

__all__ = ["app", "slow_parse"]


def _start_worker(env: dict[str, str], name: str, log_path: Path) -> subprocess.Popen[bytes]:
    """A real Celery worker on this module's app (solo pool), once it says it is ready."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GOVBUDGET_")}
    full_env.update(env)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tests.test_faults_redelivery:app", "worker", "-Q",
             "parse", "-P", "solo", "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "-l", "INFO"],
            env=full_env, stdout=log, stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if "ready." in log_path.read_text(errors="replace"):
            return proc
        if proc.poll() is not None:
            pytest.fail(log_path.read_text(errors="replace")[-3000:])
        time.sleep(0.2)
    proc.kill()
    pytest.fail("worker did not become ready: " + log_path.read_text(errors="replace")[-3000:])


def _drained(redis_url: str) -> bool:
    """No parse message queued and none delivered but unacknowledged (kombu's Redis keys)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    return client.llen("parse") == 0 and client.hlen("unacked") == 0


@pytest.mark.integration
def test_a_parse_redelivered_while_it_runs_is_parsed_once(
    tmp_path: Path, redis_url: str, pg_database_url: str
) -> None:
    from govbudget.corpus.render_xlsx import render_xlsx
    from govbudget.storage.attempts import parse_attempts
    from govbudget.storage.fetch import Fetch
    from govbudget.tasks.parse_task import parse_object
    from govbudget.tasks.runtime import configure
    from tests.storage_fixtures import stop_process

    settings = Settings.from_env({}, data_dir=tmp_path / "data", broker_url=redis_url,
                                 database_url=pg_database_url, visibility_timeout=2)
    svc = configure(settings)
    sha = svc.archive.archive(Fetch(url="http://portal.example/budget.xlsx", body=render_xlsx("002"),
                                    kind="file")).sha256
    env = {**settings.to_env(), SLOW_ENV: str(SLOW_S)}
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    workers = [_start_worker(env, "first", logs[0]), _start_worker(env, "second", logs[1])]
    try:
        parse_object.apply_async(args=[sha], queue="parse")
        deadline = time.monotonic() + 180
        quiet = 0
        while quiet < 6:  # the result is in and no copy is left anywhere, for 3 s on end
            assert time.monotonic() < deadline, "the parse and its copies did not settle"
            done = svc.catalog.parse_status(sha) is not None and _drained(redis_url)
            quiet = quiet + 1 if done else 0
            time.sleep(0.5)
    finally:
        for proc in workers:
            stop_process(proc)
    text = "".join(p.read_text(errors="replace") for p in logs)

    count = parse_attempts(svc.catalog, sha)
    assert count is not None
    assert (count.started, count.finished) == (1, 1), text[-4000:]
    assert svc.catalog.parse_status(sha) == "ok"
    assert len(list(svc.catalog.parse_results(sha))) == 1
    skips = [line for line in text.splitlines() if "redelivered copy" in line and sha in line]
    assert skips, "no copy was redelivered: the test proved nothing\n" + text[-4000:]
    assert text.count("govbudget.parse_object") >= 2  # the first run and at least one copy
    assert "Traceback" not in text


def test_visibility_timeout_below_the_task_time_limit_is_warned_about(caplog: Any) -> None:
    from govbudget.tasks.app import configure_app, visibility_problem

    broker = "redis://127.0.0.1:6379/0"
    assert visibility_problem(Settings(broker_url=broker, visibility_timeout=3600)) is None
    assert visibility_problem(Settings(visibility_timeout=5)) is None  # no broker: nothing is redelivered
    problem = visibility_problem(Settings(broker_url=broker, visibility_timeout=300))
    assert problem == ("visibility_timeout 300 s is below the task time limit of 900 s: Redis hands a "
                       "task still running after 300 s to another worker (a parse redelivered so waits "
                       "for the running one and skips its work, but a worker is held meanwhile)")
    try:
        with caplog.at_level(logging.WARNING, logger="govbudget.tasks.app"):
            configure_app(Settings(broker_url=broker, visibility_timeout=300))
        assert [r.getMessage() for r in caplog.records if r.name == "govbudget.tasks.app"] == [problem]
    finally:
        configure_app(Settings.from_env())
