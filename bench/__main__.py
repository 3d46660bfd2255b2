"""Run every benchmark and write bench/RESULTS.md.

    .venv/bin/python -m bench            # the full run: median of 5 rounds (several minutes)
    .venv/bin/python -m bench --quick    # one round on small inputs, to check the harness
    .venv/bin/python -m bench --only pdf,sheets --out /tmp/r.md
    .venv/bin/python -m bench --only crawl,e2e   # re-measure two sections, keep the others in RESULTS.md
    .venv/bin/python -m bench --only season      # needs Redis on :6379 and PostgreSQL on :5432
"""

from __future__ import annotations

import argparse
import http.server
import logging
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bench.harness import Context, Section, machine
from bench.report import merge, render

NAMES = ("crawl", "browser", "pdf", "sheets", "dispatch", "storage", "e2e")
# run only when named in --only: they need the shared services (Redis on :6379, PostgreSQL on :5432)
ON_REQUEST = ("season",)


def runners(ctx: Context) -> dict[str, Callable[[], Section]]:
    """Each benchmark's entry, with the services it needs started lazily and shared."""
    from govbudget.simulator import PortalSimulator

    shared: dict[str, object] = {}

    def sim() -> object:
        if "sim" not in shared:
            # The simulator is the stdlib's ThreadingHTTPServer, whose listen backlog is 5: a client
            # opening 8 connections at once (the bare spider) overflows it, the kernel drops a SYN and
            # that request stalls for the 1 s SYN retry. A real portal's backlog is far larger.
            http.server.ThreadingHTTPServer.request_queue_size = 128
            shared["sim"] = PortalSimulator().start()
        return shared["sim"]

    def moto() -> str:
        if "moto" not in shared:
            from moto.server import ThreadedMotoServer

            logging.getLogger("werkzeug").setLevel(logging.ERROR)
            server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
            server.start()
            shared["moto"] = server
        host, port = shared["moto"].get_host_and_port()  # type: ignore[attr-defined]
        return f"http://{host}:{port}"

    from bench import browser, crawl, dispatch, end_to_end, pdf_tables, season, sheets, storage

    return {
        "crawl": lambda: crawl.run(ctx, sim()),
        "browser": lambda: browser.run(ctx, sim()),
        "pdf": lambda: pdf_tables.run(ctx),
        "sheets": lambda: sheets.run(ctx),
        "dispatch": lambda: dispatch.run(ctx),
        "storage": lambda: storage.run(ctx, moto()),
        "e2e": lambda: end_to_end.run(ctx, sim()),
        "season": lambda: season.run(ctx, moto()),
    }, shared


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round on small inputs")
    parser.add_argument("--tiny", action="store_true", help="smoke test: tiny inputs, figures meaningless")
    parser.add_argument("--only", default=",".join(NAMES),
                        help=f"comma-separated subset of {NAMES + ON_REQUEST}")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", default=str(Path(__file__).with_name("RESULTS.md")))
    parser.add_argument("--replace", action="store_true",
                        help="with --only: overwrite --out instead of replacing only the sections measured")
    parser.add_argument("--note", default="", help="a line for the report (e.g. how busy the machine was)")
    args = parser.parse_args(argv)
    selected = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = set(selected) - set(NAMES) - set(ON_REQUEST)
    if unknown:
        parser.error(f"unknown benchmarks: {sorted(unknown)}")
    workdir = tempfile.mkdtemp(prefix="govbudget-bench-")
    ctx = Context(quick=args.quick, tiny=args.tiny, rounds=args.rounds, workdir=workdir)
    info = machine()
    table, shared = runners(ctx)
    sections: list[Section] = []
    failures: list[str] = []
    started = time.monotonic()
    try:
        for name in selected:
            print(f"[bench] {name} ...", file=sys.stderr, flush=True)
            try:
                sections.append(table[name]())
            except Exception:
                failures.append(f"{name}: {traceback.format_exc(limit=6)}")
                print(failures[-1], file=sys.stderr)
    finally:
        for item in shared.values():
            item.stop()  # type: ignore[attr-defined]
        shutil.rmtree(workdir, ignore_errors=True)
    info["wall time"] = f"{time.monotonic() - started:.0f} s"
    text = render(info, ctx, sections, failures, args.note)
    out = Path(args.out)
    if set(selected) != set(NAMES) and out.exists() and not args.replace:
        text = merge(out.read_text(encoding="utf-8"), text, info, args.note)
    out.write_text(text, encoding="utf-8")
    print(f"[bench] wrote {args.out}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
