"""Inputs that once crashed a parser: each must now end in a recorded outcome, never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from govbudget.parsers import detect_format, parse_bytes

CRASHES = sorted(p for p in (Path(__file__).parent / "data" / "fuzz_crashes").iterdir() if p.suffix == ".bin")


def test_there_are_reproducers() -> None:
    assert CRASHES


@pytest.mark.parametrize("path", CRASHES, ids=lambda p: p.name)
def test_reproducer_ends_in_a_recorded_failure(path: Path) -> None:
    data = path.read_bytes()
    assert detect_format(data, "fuzz.xlsx") in {"xlsx", "zip", "docx"}
    outcome = parse_bytes(data, filename="fuzz.xlsx")
    assert outcome.records[0]["type"] == "document"
    if outcome.status == "failed":
        assert outcome.errors
