"""Coverage-guided fuzzing of `parse_bytes` with atheris (libFuzzer), bounded for CI.

Hypothesis (test_fuzz_parsers.py) mutates real files blindly; atheris watches which branches of the
parsers an input reaches and keeps the inputs that reach new ones, so it digs deeper into the PDF
and spreadsheet readers. It runs in a child process (libFuzzer owns the process and exits on the
first crash), seeded with the same real files, for a fixed number of inputs.

Run longer by hand:  .venv/bin/python tests/test_fuzz_atheris.py CORPUS_DIR -max_total_time=600
Crashes are written as `crash-*` files in the working directory: copy them to tests/data/fuzz_crashes/.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

RUNS = 12000  # ≈ 55 s on the 2-core CI machine; -max_total_time caps a slower one


def fuzz_one(data: bytes) -> None:
    """The fuzz target: any exception out of parse_bytes, or a broken outcome, is a crash."""
    from govbudget.parsers import parse_bytes
    from govbudget.parsers.outcome import STATUSES

    outcome = parse_bytes(data, filename="file.bin")
    if outcome.status not in STATUSES or not outcome.records or outcome.records[0]["type"] != "document":
        raise AssertionError(f"malformed outcome: {outcome.status!r}, {len(outcome.records)} records")
    if outcome.status == "failed" and not outcome.errors:
        raise AssertionError("failed outcome without errors")


def write_seed_corpus(directory: Path) -> None:
    from tests.test_fuzz_parsers import seeds

    directory.mkdir(parents=True, exist_ok=True)
    for name, data in seeds().items():
        (directory / f"seed.{name}").write_bytes(data)


def test_atheris_bounded_run(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_seed_corpus(corpus)
    proc = subprocess.run(
        [sys.executable, __file__, str(corpus), f"-runs={RUNS}", "-max_total_time=120", "-max_len=400000",
         "-rss_limit_mb=3072", "-seed=1", "-print_final_stats=1"],
        cwd=tmp_path, capture_output=True, text=True, timeout=540,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[1]), "PATH": "/usr/bin:/bin"},
    )
    tail = proc.stderr[-4000:]
    assert proc.returncode == 0, f"atheris found a crash (reproducer in {tmp_path}):\n{tail}"
    assert f"stat::number_of_executed_units: {RUNS}" in proc.stderr or "Done" in proc.stderr, tail
    assert "INITED" in proc.stderr, tail  # the seed corpus was loaded and run


def main() -> None:
    import atheris

    with atheris.instrument_imports(include=["govbudget.parsers"]):
        import govbudget.parsers  # noqa: F401  (instrumented for coverage feedback)
    atheris.Setup(sys.argv, fuzz_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
