"""Dispatch: per-task overhead of our `parse_object` vs a no-op task, same app, same Redis, same worker.

A private `redis-server` on a free port (never a database others use), one worker process with
concurrency 1. Ours parses tiny archived files (a few bytes, so the figure is the task machinery:
store read, catalog lookups, parse result upsert), the no-op does nothing but mark itself done.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

from bench.harness import Context, Row, Section, rounds
from govbudget.storage.fetch import Fetch
from govbudget.tasks.runtime import configure
from govbudget.tasks.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(workdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    return proc, f"redis://127.0.0.1:{port}/0"


def wait_until(done, timeout: float = 300) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while not done():
        if time.monotonic() > end:
            raise TimeoutError("the worker did not finish the tasks in time")
        time.sleep(0.005)


def run(ctx: Context) -> Section:
    count = 10 if ctx.tiny else (100 if ctx.quick else 400)
    tmp = Path(tempfile.mkdtemp(prefix="bench-dispatch-", dir=ctx.workdir))
    redis_proc, broker = start_redis(tmp)
    env = {**os.environ, "GOVBUDGET_BROKER_URL": broker, "GOVBUDGET_DATA_DIR": str(tmp / "data"),
           "PYTHONPATH": str(ROOT)}
    settings = Settings.from_env({k: v for k, v in env.items() if k.startswith("GOVBUDGET_")})
    svc = configure(settings)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "bench.dispatch_app", "worker", "-Q", "parse", "-c", "1",
         "-P", "prefork", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(tmp / "worker.log", "wb"))  # noqa: SIM115
    client = redis.Redis.from_url(broker)
    from bench.dispatch_app import noop, parse_object

    try:
        noop.apply_async(args=[-1], queue="parse")  # the worker is up once this is done
        wait_until(lambda: int(client.get("bench:noop:done") or 0) >= 1, timeout=120)
        batch = [0]

        def ours() -> float:
            batch[0] += 1
            shas = [svc.archive.archive(Fetch(url=f"http://p.example/{batch[0]}/{i}.txt",
                                              body=f"tiny {batch[0]} {i}".encode())).sha256
                    for i in range(count)]
            t0 = time.perf_counter()
            for sha in shas:
                parse_object.apply_async(args=[sha], queue="parse")
            wait_until(lambda: all(svc.catalog.parse_status(s) for s in shas[-1:])
                       and sum(1 for s in shas if svc.catalog.parse_status(s)) == count)
            return (time.perf_counter() - t0) / count

        def baseline() -> float:
            client.set("bench:noop:done", 0)
            t0 = time.perf_counter()
            for i in range(count):
                noop.apply_async(args=[i], queue="parse")
            wait_until(lambda: int(client.get("bench:noop:done") or 0) >= count)
            return (time.perf_counter() - t0) / count

        med = rounds(ctx, {"ours": ours, "noop": baseline})
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        redis_proc.terminate()
        redis_proc.wait(timeout=30)
    section = Section("Dispatch", f"{count} tasks per round, one worker (concurrency 1), private Redis")
    section.rows.append(Row("ms per task (enqueue → done)", med["ours"] * 1000, med["noop"] * 1000,
                            "no-op Celery task", "ms", med["noop"] / med["ours"]))
    section.notes.append("ratio = no-op / ours; ours includes store read, parse of a tiny file and the "
                         "catalog upsert (embedded SQLite), so ours − no-op is the task's own work")
    return section
