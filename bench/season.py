"""Season: the simulated country crawled by region through Celery, at 10, 30 and all divisions.

The deployment's shape: Redis as broker (127.0.0.1:6379, database 13, only our two queues' keys
touched), a PostgreSQL catalog in a database of its own per size (created and dropped here, on the
server at 127.0.0.1:5432), the archive on moto's S3 server, two crawl workers and two parse workers
(each its own ``govbudget worker`` process, concurrency 1). The registry comes from
``sources discover`` run over the country (each province from the national seed, host candidates
included); the crawl reaches the country's virtual hosts through ``GOVBUDGET_HTTP_PROXY``.

Each size is one season: ``crawl_season`` per province (the regions listed in a schedules file), which
fans out one ``crawl_region`` per division on the crawl queue; the crawls queue a parse per file. The
clock stops when every division's run is closed and every archived file has a parse result; it starts
as the seasons are queued, with the workers just launched, so their start-up is a fixed cost inside it.
Figures per size: files per minute, wall seconds per file, catalog bytes per file (the growth of the
catalog database's tables over the season), peak memory of each worker's process tree (PSS, the crawl
child included). Cost per file is judged flat when the largest size is within ±20% of the smallest.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import psycopg
import redis

from bench.harness import Context, Row, Section, tree_memory

ROOT = Path(__file__).resolve().parents[1]
BROKER = "redis://127.0.0.1:6379/13"
PG_SERVER = "postgresql://postgres:postgres@127.0.0.1:5432/test"
PG_URL = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/{db}"
KEYS = {"GOVBUDGET_S3_ACCESS_KEY": "bench", "GOVBUDGET_S3_SECRET_KEY": "bench-secret"}
WORKERS = (("crawl", 2), ("parse", 2))
FLAT = 0.20


def build_registry(sim: Any, path: Path) -> dict[str, Any]:
    """``sources discover`` for each province of the country into `path`; its counts and seconds."""
    from govbudget.crawler.discovery import discover
    from govbudget.crawler.discovery.fetch import PageFetcher
    from govbudget.crawler.regions.history import merge
    from govbudget.crawler.regions.registry import write_csv
    from govbudget.regions import division

    started = time.monotonic()
    rows: list[Any] = []
    for code in sorted({c[:2] + "0000" for c in sim.country.sites}):
        fetcher = PageFetcher(proxy=sim.proxy_url)
        try:
            run = discover(fetcher, division(code), [("", sim.country.seed)])
        finally:
            fetcher.close()
        rows = merge(rows, run.found, scope=code, today=dt.date.today().isoformat(),
                     still_answers=lambda e: True)
    write_csv(rows, path)
    return {"entry_points": len(rows), "divisions": len({r.region_code for r in rows}),
            "seconds": time.monotonic() - started}


def spread(codes: list[str], n: int) -> list[str]:
    """`n` divisions taken round-robin over the provinces, so every size mixes the sites' families."""
    by_province: dict[str, list[str]] = {}
    for code in sorted(codes):
        by_province.setdefault(code[:2], []).append(code)
    picked: list[str] = []
    while len(picked) < min(n, len(codes)):
        for group in by_province.values():
            if group and len(picked) < n:
                picked.append(group.pop(0))
    return picked


class WorkerPeaks:
    """Peak PSS of each worker's process tree, sampled every 0.5 s in a thread."""

    def __init__(self, procs: dict[str, subprocess.Popen[bytes]]) -> None:
        self.procs = procs
        self.peak = dict.fromkeys(procs, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        handles = {name: psutil.Process(p.pid) for name, p in self.procs.items()}
        while not self._stop.is_set():
            for name, proc in handles.items():
                with contextlib.suppress(psutil.Error):  # a worker between tasks, a child just gone
                    self.peak[name] = max(self.peak[name], tree_memory(proc)[0])
            self._stop.wait(0.5)

    def __enter__(self) -> WorkerPeaks:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _admin(sql: str) -> None:
    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        conn.execute(sql)


def _catalog_bytes(db: str) -> int:
    """Bytes of the catalog's tables with their indexes and TOAST (the database's own overhead aside)."""
    with psycopg.connect(PG_SERVER.rsplit("/", 1)[0] + f"/{db}") as conn:
        row = conn.execute("SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                           "JOIN pg_namespace n ON n.oid = c.relnamespace "
                           "WHERE c.relkind IN ('r', 'm') AND n.nspname = 'public'").fetchone()
    return int(row[0]) if row else 0


def season(codes: list[str], tmp: Path, env: dict[str, str], label: str) -> dict[str, Any]:
    """One season over `codes` on fresh workers, catalog and bucket; its figures."""
    from govbudget.tasks.runtime import configure
    from govbudget.tasks.settings import Settings

    db = f"govbudget_bench_season_{label}"
    _admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    _admin(f"CREATE DATABASE {db}")
    regions: dict[str, list[str]] = {}
    for code in codes:
        regions.setdefault(code[:2], []).append(code)
    schedules = tmp / f"schedules-{label}.json"
    schedules.write_text(json.dumps({"regions": regions}), encoding="utf-8")
    env = {**env, "GOVBUDGET_DATABASE_URL": PG_URL.format(db=db), "GOVBUDGET_STORAGE_URL": f"s3://season-{label}/raw",
           "GOVBUDGET_SCHEDULES_FILE": str(schedules), "GOVBUDGET_DATA_DIR": str(tmp / f"data-{label}")}
    svc = configure(Settings.from_env({k: v for k, v in env.items() if k.startswith("GOVBUDGET_")}))
    svc.catalog.count("objects")  # migrations run: the empty catalog is the baseline
    empty = _catalog_bytes(db)
    client = redis.Redis.from_url(BROKER)
    client.delete("crawl", "parse", "unacked", "unacked_index")
    procs: dict[str, subprocess.Popen[bytes]] = {}
    for queue, count in WORKERS:
        for i in range(1, count + 1):
            log = open(tmp / f"{label}-{queue}{i}.log", "wb")  # noqa: SIM115 (closed with the process)
            procs[f"{queue}{i}"] = subprocess.Popen(
                [str(ROOT / ".venv/bin/govbudget"), "worker", "-Q", queue, "-c", "1",
                 "--loglevel", "WARNING"],
                env=env, cwd=ROOT, stdout=log, stderr=log)
    from govbudget.tasks.app import CRAWL_QUEUE
    from govbudget.tasks.crawl_region import crawl_season

    try:
        with WorkerPeaks(procs) as peaks:
            started = time.monotonic()
            for province in regions:
                crawl_season.apply_async(args=[province, "budget"], queue=CRAWL_QUEUE)
            files = _wait(svc, set(codes), timeout=60 * 60)
            seconds = time.monotonic() - started
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
    grown = _catalog_bytes(db) - empty
    runs = list(svc.catalog.crawl_runs())
    svc.catalog.close()
    _admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    return {"divisions": len(codes), "runs": len(runs), "files": files, "seconds": seconds,
            "catalog_bytes": grown, "peaks": dict(peaks.peak),
            "failed_runs": sum(1 for r in runs if r.status != "finished")}


def _wait(svc: Any, codes: set[str], timeout: float) -> int:
    """Block until every division's crawl run is closed and every archived file has a parse result;
    return the number of files the runs archived."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        runs = list(svc.catalog.crawl_runs())
        closed = {r.region_code for r in runs if r.status != "running"}
        if codes <= closed and not svc.catalog.unparsed_files(limit=1):
            return sum(int((r.summary or {}).get("files_archived", 0)) for r in runs)
        time.sleep(1.0)
    raise TimeoutError(f"season over {len(codes)} divisions did not finish in {timeout:.0f} s")


def run(ctx: Context, moto_endpoint: str) -> Section:
    from govbudget.simulator.country import CountrySimulator

    tmp = Path(tempfile.mkdtemp(prefix="bench-season-", dir=ctx.workdir))
    with CountrySimulator() as sim:
        registry = tmp / "entry_points.csv"
        found = build_registry(sim, registry)
        env = {**os.environ, **KEYS, "GOVBUDGET_BROKER_URL": BROKER, "GOVBUDGET_S3_ENDPOINT": moto_endpoint,
               "GOVBUDGET_HTTP_PROXY": sim.proxy_url, "GOVBUDGET_ENTRY_POINTS": str(registry),
               "PYTHONPATH": str(ROOT)}
        env.pop("GOVBUDGET_ALLOW_LOOPBACK", None)  # the proxy is the only way in: loopback stays refused
        os.environ["GOVBUDGET_ENTRY_POINTS"] = str(registry)  # crawl_season's fan-out reads it in workers
        from govbudget.crawler.regions.registry import load_entry_points

        codes = sorted({e.region_code for e in load_entry_points()})
        sizes = [3, len(codes)] if ctx.tiny else [10, 30, len(codes)]
        results = []
        for n in sizes:
            results.append(season(spread(codes, n), tmp, env, str(n)))
            print(f"[bench] season {n}: {json.dumps(results[-1])}", file=sys.stderr, flush=True)
    section = Section("Season", f"the simulated country ({len(codes)} divisions found by `sources discover` "
                                f"in {found['seconds']:.0f} s) crawled by region through the Celery crawl "
                                "queue: 2 crawl + 2 parse workers, Redis, PostgreSQL, S3 on moto")
    for res in results:
        n = res["divisions"]
        section.rows.append(Row(f"files per minute, {n} divisions", res["files"] / res["seconds"] * 60,
                                float("nan"), "(no baseline)", "files/min"))
        section.rows.append(Row(f"seconds per file, {n} divisions", res["seconds"] / res["files"],
                                float("nan"), "(no baseline)", "s"))
        section.rows.append(Row(f"catalog bytes per file, {n} divisions", res["catalog_bytes"] / res["files"],
                                float("nan"), "(no baseline)", "bytes"))
        for kind in ("crawl", "parse"):
            worst = max(v for name, v in res["peaks"].items() if name.startswith(kind))
            section.rows.append(Row(f"peak memory per {kind} worker (PSS, largest of 2), {n} divisions",
                                    worst / 2**20, float("nan"), "(no baseline)", "MiB"))
        peaks = ", ".join(f"{name} {value / 2**20:.0f}" for name, value in sorted(res["peaks"].items()))
        section.notes.append(f"{n} divisions: {res['runs']} crawl runs ({res['failed_runs']} not finished), "
                             f"{res['files']} files in {res['seconds']:.1f} s; "
                             f"peak PSS per worker (MiB): {peaks}")
    section.notes.append(flatness(results))
    section.extra["results"] = results
    return section


def flatness(results: list[dict[str, Any]]) -> str:
    """Whether seconds and catalog bytes per file at the largest size stay within ±20% of the smallest."""
    first, last = results[0], results[-1]
    parts = []
    for key, name in (("seconds", "seconds"), ("catalog_bytes", "catalog bytes")):
        a, b = first[key] / first["files"], last[key] / last["files"]
        change = b / a - 1
        verdict = "flat" if abs(change) <= FLAT else "NOT flat: " + ("grows" if change > 0 else "falls")
        parts.append(f"{name} per file {change:+.0%} from {first['divisions']} to {last['divisions']} "
                     f"divisions ({verdict} at ±{FLAT:.0%})")
    return "; ".join(parts)


if __name__ == "__main__":  # python -m bench.season: this section alone, printed
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        out = run(Context(tiny="--tiny" in sys.argv), f"http://{host}:{port}")
    finally:
        server.stop()
    print(json.dumps({"what": out.what, "rows": [r.__dict__ for r in out.rows], "notes": out.notes},
                     ensure_ascii=False, indent=1, default=str))
