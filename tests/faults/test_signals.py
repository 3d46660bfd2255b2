"""SIGTERM, SIGINT and SIGKILL during a crawl or a parse (issue #11 item 4).

A real ``govbudget crawl`` process against the simulator, every page through Chromium: a signal after
the first archived capture must stop the crawl process with everything it started (no process of the
tree left), record the run ``interrupted`` and exit 143 or 130 with one line. A run whose process was
SIGKILLed is closed by the next crawl. A parse stopped by a signal is an interrupted attempt, not a
crash toward the cap of three.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import psutil
import pytest
import sqlalchemy as sa
from alembic import command

from govbudget.storage.attempts import parse_attempts, start_parse_attempt
from govbudget.storage.catalog import Catalog
from govbudget.storage.engine import make_engine
from govbudget.storage.fetch import utc_now
from govbudget.storage.migrate import alembic_config, upgrade
from govbudget.tasks.crawl_runs import STALE_AFTER_S, close_abandoned_runs, crawl_owner
from govbudget.tasks.runtime import configure
from govbudget.tasks.settings import Settings
from tests.cli_process import run_cli

PROJECT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GOVBUDGET_")}


def _start_crawl(data: Path, simulator: Any) -> subprocess.Popen[str]:
    """`govbudget crawl` over every simulated portal, every page rendered by Chromium (a long crawl)."""
    return subprocess.Popen(
        [sys.executable, "-m", "govbudget.cli", "crawl", *simulator.start_urls, "--allow-loopback",
         "--render-host", "127.0.0.1", "--data-dir", str(data)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
    )


def _captures(data: Path) -> int:
    try:
        with sqlite3.connect(data / "catalog.sqlite3") as db:
            return int(db.execute("SELECT count(*) FROM captures").fetchone()[0])
    except sqlite3.Error:  # not created or not migrated yet
        return 0


def _mid_crawl(proc: subprocess.Popen[str], data: Path) -> list[psutil.Process]:
    """Wait until a capture is archived and Chromium runs; the CLI's descendants then."""
    cli = psutil.Process(proc.pid)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the crawl ended before the signal: {proc.communicate()[1][-3000:]}")
        tree = cli.children(recursive=True)
        if _captures(data) and any("chrom" in _name(p) for p in tree):
            return tree
        time.sleep(0.1)
    proc.kill()
    pytest.fail("no capture with Chromium running after 180 s")


def _name(proc: psutil.Process) -> str:
    try:
        return proc.name()
    except psutil.Error:
        return ""


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    """Those of `procs` still running once they had their chance to die (a zombie is dead)."""
    deadline = time.monotonic() + 30
    while True:
        alive = []
        for p in procs:
            try:
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(p)
            except psutil.NoSuchProcess:
                pass
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def _catalog(data: Path) -> Catalog:
    return Catalog(f"sqlite:///{data / 'catalog.sqlite3'}")


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)],
                         ids=["SIGTERM", "SIGINT"])
def test_a_signal_mid_crawl_stops_the_crawl_tree_and_records_the_run_interrupted(
    signum: int, status: int, tmp_path: Path, simulator: Any
) -> None:
    data = tmp_path / "data"
    proc = _start_crawl(data, simulator)
    tree = _mid_crawl(proc, data)
    os.kill(proc.pid, signum)
    _, stderr = proc.communicate(timeout=120)

    assert proc.returncode == status, stderr[-3000:]
    left = _alive(tree)
    assert not left, f"left running: {[(p.pid, _name(p)) for p in left]}"
    [run] = list(_catalog(data).crawl_runs())
    assert run.status == "interrupted"
    [line] = [ln for ln in stderr.splitlines() if ln.strip()]
    name = signal.Signals(signum).name
    assert line == f"crawl stopped; interrupted by {name}; crawl {run.id} recorded as interrupted"


def test_a_run_left_running_by_a_sigkilled_cli_is_closed_by_the_next_crawl(
    tmp_path: Path, simulator: Any
) -> None:
    data = tmp_path / "data"
    proc = _start_crawl(data, simulator)
    tree = _mid_crawl(proc, data)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    left = _alive(tree)  # the kernel tells the crawl its parent died; it stops, Chromium with it
    for p in left:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    assert not left, f"crawled on after its parent died: {[(p.pid, _name(p)) for p in left]}"
    catalog = _catalog(data)
    [left] = catalog.running_crawls()
    assert left.owner == f"{socket.gethostname()}:{proc.pid}"

    hd = next(s.start_url for s in simulator.sites if s.name == "邯郸市人民政府")
    second = run_cli("crawl", hd, "--allow-loopback", "--data-dir", str(data), "--json")

    assert second.returncode == 0, second.stderr[-3000:]
    closed = catalog.crawl_run(left.id)
    assert closed is not None and closed.status == "abandoned"
    assert closed.summary["closed"] == f"its process {left.owner} is gone"
    assert closed.finished_at is not None
    newest = catalog.crawl_run(json.loads(second.stdout.splitlines()[-1])["crawl_id"])
    assert newest is not None and newest.status == "finished"


PARSE_SCRIPT = """
import sys
from govbudget.storage.fetch import Fetch
from govbudget.tasks import parse_task
from govbudget.tasks.runtime import configure
from govbudget.tasks.settings import Settings
from tests.faults.test_parse_path import slow_parse

svc = configure(Settings.from_env({}, data_dir=sys.argv[1]))
fetch = Fetch(url="http://portal.example/slow.bin", body=sys.argv[2].encode(), kind="file")
sha = svc.archive.archive(fetch).sha256
print(sha, flush=True)
parse_task.PARSE_TARGET = slow_parse  # writes its pid to the file its bytes name, then sleeps
parse_task.parse_counted(svc, sha, worker="w1")
"""


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)],
                         ids=["SIGTERM", "SIGINT"])
def test_an_interrupted_parse_is_not_counted_as_a_crash(signum: int, status: int, tmp_path: Path) -> None:
    data, marker = tmp_path / "data", tmp_path / "child.pid"
    proc = subprocess.Popen([sys.executable, "-c", PARSE_SCRIPT, str(data), str(marker)], cwd=PROJECT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    deadline = time.monotonic() + 120
    while not (marker.exists() and marker.read_text()):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the parse never started: {proc.communicate()[1][-3000:]}")
        time.sleep(0.05)
    child = psutil.Process(int(marker.read_text()))
    os.kill(proc.pid, signum)
    stdout, stderr = proc.communicate(timeout=60)

    assert proc.returncode == status, stderr[-3000:]
    assert not _alive([child]), "the parse child outlived the interrupt"
    sha = stdout.split()[0]
    catalog = _catalog(data)
    count = parse_attempts(catalog, sha)
    assert count is not None
    assert (count.started, count.finished, count.interrupted) == (1, 1, 1)
    assert start_parse_attempt(catalog, sha, "w2").crashes == 0


INTERRUPTIBLE_SCRIPT = """
import json, os, signal, threading, time
from govbudget.tasks.interrupts import Interrupted, interruptible

seen = {}
try:
    with interruptible():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(30)
except Interrupted as exc:
    seen["free"] = [exc.code, exc.signame]
seen["restored"] = signal.getsignal(signal.SIGTERM) is signal.SIG_DFL

signal.signal(signal.SIGINT, signal.SIG_IGN)  # as in Celery's pool processes
with interruptible():
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(0.2)
    seen["ignored_stays_ignored"] = True
signal.signal(signal.SIGINT, signal.default_int_handler)

calls = []
signal.signal(signal.SIGTERM, lambda signum, frame: calls.append(signum))  # as Celery's warm shutdown
with interruptible():
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(0.2)
seen["claimed_stays_claimed"] = calls
signal.signal(signal.SIGTERM, signal.SIG_DFL)

try:
    with interruptible():
        with interruptible():
            pass
        seen["outer_kept"] = signal.getsignal(signal.SIGINT) is not signal.default_int_handler
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(30)
except Interrupted as exc:
    seen["outer"] = exc.code

def off_main():
    with interruptible():
        seen["off_main_untouched"] = signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
thread = threading.Thread(target=off_main)
thread.start()
thread.join()
print(json.dumps(seen))
"""


def test_interruptible_takes_only_unclaimed_signals_in_the_main_thread() -> None:
    done = subprocess.run([sys.executable, "-c", INTERRUPTIBLE_SCRIPT], capture_output=True, text=True,
                          timeout=60, env=_env())
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "free": [143, "SIGTERM"], "restored": True, "ignored_stays_ignored": True,
        "claimed_stays_claimed": [signal.SIGTERM], "outer_kept": True, "outer": 130,
        "off_main_untouched": True,
    }


def test_runs_of_dead_or_silent_owners_are_closed_and_live_ones_kept(catalog: Catalog) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    here = socket.gethostname()
    gone = catalog.start_crawl(["http://a.example/"], owner=f"{here}:{dead.pid}")
    silent = catalog.start_crawl(["http://b.example/"], owner="another-host:1")
    mine = catalog.start_crawl(["http://c.example/"], owner=crawl_owner())
    done = catalog.start_crawl(["http://d.example/"], owner=f"{here}:{dead.pid}")
    catalog.finish_crawl(done, {"pages_fetched": 1}, "finished")
    before = catalog.crawl_run(silent)
    catalog.crawl_heartbeat(silent)
    assert catalog.crawl_run(silent).heartbeat_at >= before.heartbeat_at  # type: ignore[union-attr]

    assert close_abandoned_runs(catalog) == [gone]  # another host's run with a fresh heartbeat is kept
    later = utc_now() + timedelta(seconds=STALE_AFTER_S + 60)
    assert close_abandoned_runs(catalog, now=later) == [silent]  # this process's own run is never closed
    assert [r.id for r in catalog.running_crawls()] == [mine]
    assert catalog.crawl_run(silent).summary["closed"].startswith("no heartbeat from another-host:1 since ")
    assert catalog.crawl_run(done).status == "finished"
    assert catalog.close_running_crawl(done, "abandoned", "late") is False


def test_the_reconciler_closes_runs_left_by_a_dead_process(tmp_path: Path) -> None:
    from govbudget.tasks.reconcile import reconcile_task

    svc = configure(Settings.from_env({}, data_dir=tmp_path / "data"))
    dead = subprocess.Popen(["true"])
    dead.wait()
    run = svc.catalog.start_crawl(["http://a.example/"], owner=f"{socket.gethostname()}:{dead.pid}")
    result = reconcile_task()
    assert result["abandoned_runs"] == [run]
    assert svc.catalog.crawl_run(run).status == "abandoned"  # type: ignore[union-attr]


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
    return request.getfixturevalue("fresh_pg_database")()


def test_0004_adds_run_owners_and_interrupted_counts_and_keeps_every_row(scratch_url: str) -> None:
    engine = make_engine(scratch_url)
    upgrade(engine, "0003_drop_parse_results_attempts")
    stamp = "'2024-03-01 08:00:00'"
    with engine.begin() as conn:
        conn.execute(sa.text(f"INSERT INTO objects VALUES ('{'a' * 64}', 7, 'k', NULL, {stamp})"))
        conn.execute(sa.text(f"INSERT INTO parse_attempts VALUES ('{'a' * 64}', 3, 1, {stamp}, 'w1')"))
        conn.execute(sa.text(
            "INSERT INTO crawl_runs (id, started_at, start_urls, status)"
            f" VALUES ('old-run', {stamp}, '[]', 'running')"
        ))
    upgrade(engine)
    with Catalog(scratch_url) as catalog:
        count = parse_attempts(catalog, "a" * 64)
        assert count is not None and (count.started, count.finished, count.interrupted) == (3, 1, 0)
        [run] = catalog.running_crawls()
        assert (run.id, run.owner, run.heartbeat_at) == ("old-run", None, None)
        assert close_abandoned_runs(catalog) == ["old-run"]  # silent since it started, in 2024

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003_drop_parse_results_attempts")
    columns = {c["name"] for c in sa.inspect(engine).get_columns("crawl_runs")}
    assert "owner" not in columns and "heartbeat_at" not in columns
    assert "interrupted" not in {c["name"] for c in sa.inspect(engine).get_columns("parse_attempts")}
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT status FROM crawl_runs")).scalar() == "abandoned"
        assert conn.execute(sa.text("SELECT started, finished FROM parse_attempts")).one() == (3, 1)
    engine.dispose()
