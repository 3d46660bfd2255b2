"""One parse path (issue #11 item 3): ``govbudget parse`` parses as the worker does, in the limited child.

A 1 MB PDF holding a 1 GiB compressed stream once ran past 240 s at 2.19 GB in ``govbudget parse``
while the worker's sandbox failed it in seconds; now both go through ``parse_task.parse_limited``.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import psutil
import pytest

from govbudget.parsers.outcome import ParseOutcome
from govbudget.tasks.parse_sandbox import Limits, parse_sandboxed

MEMORY_MB = 384


def zeros_deflated(mib: int) -> bytes:
    """A zlib stream inflating to `mib` MiB of zeros, built in a few ms: one fully flushed 1 MiB block
    (no back-references across it) repeated, then an empty final block and the Adler-32 of the zeros."""
    comp = zlib.compressobj(9)
    first = comp.compress(bytes(1 << 20)) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(bytes(1 << 20)) + comp.flush(zlib.Z_FULL_FLUSH)
    assert first[2:] == block  # the same bytes after the 2-byte zlib header: the block repeats
    adler = (((mib << 20) % 65521) << 16) | 1  # Adler-32 of zeros: a = 1, b = length mod 65521
    return first + block * (mib - 1) + b"\x03\x00" + struct.pack(">I", adler)


def pdf_with_content_stream(stream: bytes) -> bytes:
    """A one-page PDF whose page content is `stream`, FlateDecode."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _parse_cli(tmp_path: Path, *files: Path, env_extra: dict[str, str]) -> tuple[int, str, str, int]:
    """`govbudget parse FILES` in a real process: (exit status, stdout, stderr, peak RSS in KiB of the
    process and every child it waited for, its parse child included)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVBUDGET_")}
    env.update(env_extra)
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "govbudget.cli", "parse", *map(str, files)],
                                stdout=stdout, stderr=stderr, env=env)
    deadline = time.monotonic() + 300  # the unsandboxed parse ran for minutes: fail instead of waiting
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            pytest.fail("govbudget parse still running after 300 s")
        time.sleep(0.2)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, out.read_text(), err.read_text(), usage.ru_maxrss


def test_pdf_with_a_1_gib_stream_fails_cleanly_in_the_cli_within_its_memory_limit(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(pdf_with_content_stream(zeros_deflated(1024)))
    assert bomb.stat().st_size < 2_000_000

    code, stdout, stderr, peak_kib = _parse_cli(tmp_path, bomb, env_extra={
        "GOVBUDGET_PARSE_MEMORY_MB": str(MEMORY_MB), "GOVBUDGET_PARSE_CPU_SECONDS": "20"})

    assert code == 1
    [line] = stderr.splitlines()
    assert line.startswith(f"{bomb}: failed (")
    reason = line.split("): ", 1)[1]
    assert "allocate" in reason or "memory" in reason or "limit" in reason, line
    [document] = [json.loads(row) for row in stdout.splitlines()]
    assert document["type"] == "document" and document["status"] == "failed"
    # the parse child is capped at 384 MiB; the parse outside the sandbox reached 2.19 GB
    assert peak_kib < 1024 * 1024, f"peak RSS {peak_kib} KiB"


def test_good_and_bad_files_exit_non_zero_and_print_the_good_records(tmp_path: Path) -> None:
    from govbudget.corpus.render_xlsx import render_xlsx

    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.bin"
    good.write_bytes(render_xlsx("002"))
    bad.write_bytes(b"\x00\x01 not a document \xff" * 20)

    code, stdout, stderr, _ = _parse_cli(tmp_path, good, bad, env_extra={})

    assert code == 1
    records = [json.loads(row) for row in stdout.splitlines()]
    assert any(r["type"] == "line_item" for r in records)
    good_line, bad_line = stderr.splitlines()
    assert good_line.startswith(f"{good}: ok (") and good_line.endswith(" records)")
    assert bad_line.startswith(f"{bad}: failed (") and "no parser" in bad_line


def test_cli_parse_uses_the_limits_of_the_settings(tmp_path: Path) -> None:
    """The CPU-time cap of GOVBUDGET_PARSE_CPU_SECONDS applies to `govbudget parse` as to a worker."""
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(pdf_with_content_stream(zeros_deflated(1024)))
    code, _, stderr, _ = _parse_cli(tmp_path, bomb, env_extra={
        "GOVBUDGET_PARSE_MEMORY_MB": "4096", "GOVBUDGET_PARSE_CPU_SECONDS": "2"})
    assert code == 1
    [line] = stderr.splitlines()
    assert line.startswith(f"{bomb}: failed (1 records): parser exceeded its CPU-time limit of 2 s")


def slow_parse(data: bytes, *, filename: str | None, sha256: str) -> ParseOutcome:
    """A parse that never ends: writes its pid to the file `data` names, then sleeps."""
    Path(data.decode()).write_text(str(os.getpid()))
    time.sleep(600)
    raise AssertionError("not reached")


def test_a_parse_interrupted_mid_file_stops_its_child(tmp_path: Path) -> None:
    """Ctrl-C while the child parses: the child goes, and the next file gets a child of its own."""
    marker = tmp_path / "child.pid"
    main = threading.main_thread().ident
    assert main is not None

    def interrupt_when_parsing() -> None:
        while not marker.exists() or not marker.read_text():
            time.sleep(0.05)
        import signal

        signal.pthread_kill(main, signal.SIGINT)

    limits = Limits(memory_mb=1024, cpu_seconds=60)
    helper = threading.Thread(target=interrupt_when_parsing)
    helper.start()
    with pytest.raises(KeyboardInterrupt):
        parse_sandboxed(str(marker).encode(), filename=None, sha256="0" * 64, limits=limits,
                        target=slow_parse)
    helper.join()
    child = psutil.Process(int(marker.read_text())) if psutil.pid_exists(int(marker.read_text())) else None
    assert child is None or child.status() == psutil.STATUS_ZOMBIE, "the parse child outlived the interrupt"

    outcome = parse_sandboxed(b"plain words", filename="a.txt", sha256="1" * 64, limits=limits)
    assert outcome.document["sha256"] == "1" * 64
