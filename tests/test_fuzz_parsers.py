"""Fuzzing `detect_format` and `parse_bytes` with mutated real files (hypothesis).

A worker must never crash on what a portal serves: every input, however broken, has to end in
records or a recorded failure (`status == "failed"` with reasons). The seeds are the corpus's
renderings of real disclosures (a two-page cut of the Handan 2022 PDF, the XLSX of the same seed) and
a saved real portal page; the mutations are the damage files really suffer (bit flips, truncated
downloads, two files glued together, a corrupted member inside the OOXML zip).

Bounded for CI: a fixed number of examples per strategy, no deadline (parsing time varies on a busy
machine); `derandomize` keeps a CI run reproducible while still covering different inputs per test.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from functools import cache
from pathlib import Path

import pypdfium2
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from govbudget.corpus.render_pdf import render_pdf
from govbudget.corpus.render_xlsx import render_xlsx
from govbudget.parsers import ParseOutcome, detect_format, parse_bytes
from govbudget.parsers.detect import FORMATS
from govbudget.parsers.outcome import STATUSES
from govbudget.tasks.parse_sandbox import Limits, parse_sandboxed

HTML_SEED = Path(__file__).parent / "data" / "realhtml" / "mof_sjyjsgkzl.html"
FUZZ = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FUZZ_SLOW = settings(FUZZ, max_examples=100)


@cache
def small_pdf() -> bytes:
    """The first two pages of the rendered Handan 2022 disclosure: real ruled tables, fast to parse."""
    src = pypdfium2.PdfDocument(render_pdf("002"))
    out = pypdfium2.PdfDocument.new()
    out.import_pages(src, [0, 1])
    buf = io.BytesIO()
    out.save(buf)
    out.close()
    src.close()
    return buf.getvalue()


@cache
def xlsx_seed() -> bytes:
    return render_xlsx("002")


@cache
def seeds() -> dict[str, bytes]:
    """Seed name → bytes; every seed parses cleanly before mutation (checked below)."""
    return {"pdf": small_pdf(), "xlsx": xlsx_seed(), "html": HTML_SEED.read_bytes()}


def assert_recorded(outcome: ParseOutcome) -> None:
    """The contract under fuzzing: a result with a document record, and reasons when it failed."""
    assert isinstance(outcome, ParseOutcome)
    assert outcome.status in STATUSES
    assert outcome.records, "no records at all"
    assert outcome.records[0]["type"] == "document"
    assert outcome.document["status"] == outcome.status
    if outcome.status == "failed":
        assert outcome.errors, "a failed parse must say why"
        assert all(isinstance(e, str) and e for e in outcome.errors)


def check(data: bytes, filename: str | None) -> None:
    fmt = detect_format(data, filename)
    assert fmt in FORMATS
    outcome = parse_bytes(data, filename=filename)
    assert_recorded(outcome)
    event(f"{fmt} -> {outcome.status}")  # --hypothesis-show-statistics shows what the mutations reached


def flip_bits(data: bytes, flips: list[tuple[int, int]]) -> bytes:
    buf = bytearray(data)
    for pos, bit in flips:
        buf[pos % len(buf)] ^= 1 << bit
    return bytes(buf)


def corrupt_member(data: bytes, member_index: int, cut: float, junk: bytes) -> bytes:
    """Rewrite the zip with one member's bytes cut short and junk appended (CRCs recomputed)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    infos = src.infolist()
    victim = infos[member_index % len(infos)].filename
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in infos:
            body = src.read(info.filename)
            if info.filename == victim:
                body = body[: int(len(body) * cut)] + junk
            dst.writestr(info.filename, body)
    return out.getvalue()


SEED_NAMES = st.sampled_from(["pdf", "xlsx", "html"])
NAMES = st.sampled_from([None, "budget.pdf", "budget.xls", "budget.xlsx", "budget.doc", "x.et", "a.zip"])


def test_seeds_parse_cleanly() -> None:
    """The fuzz seeds themselves are good files, so mutations start from something real."""
    assert detect_format(small_pdf()) == "pdf"
    assert detect_format(xlsx_seed()) == "xlsx"
    assert detect_format(seeds()["html"]) == "html"
    for name in ("pdf", "xlsx"):
        outcome = parse_bytes(seeds()[name])
        assert outcome.status in ("ok", "partial")
        assert any(r["type"] == "line_item" for r in outcome.records)


@FUZZ
@given(seed=SEED_NAMES, flips=st.lists(st.tuples(st.integers(0, 2**31), st.integers(0, 7)),
                                       min_size=1, max_size=64), name=NAMES)
def test_bit_flips(seed: str, flips: list[tuple[int, int]], name: str | None) -> None:
    check(flip_bits(seeds()[seed], flips), name)


@FUZZ
@given(seed=SEED_NAMES, cut=st.floats(0.0, 1.0), name=NAMES)
def test_truncations(seed: str, cut: float, name: str | None) -> None:
    data = seeds()[seed]
    check(data[: int(len(data) * cut)], name)


@FUZZ
@given(a=SEED_NAMES, b=SEED_NAMES, cut_a=st.floats(0.0, 1.0), cut_b=st.floats(0.0, 1.0), name=NAMES)
def test_splices(a: str, b: str, cut_a: float, cut_b: float, name: str | None) -> None:
    """The head of one file glued to the tail of another (a resumed download from a different file)."""
    x, y = seeds()[a], seeds()[b]
    check(x[: int(len(x) * cut_a)] + y[int(len(y) * cut_b):], name)


@FUZZ_SLOW
@given(member=st.integers(0, 64), cut=st.floats(0.0, 1.0), junk=st.binary(max_size=64), name=NAMES)
def test_xlsx_member_corruption(member: int, cut: float, junk: bytes, name: str | None) -> None:
    check(corrupt_member(xlsx_seed(), member, cut, junk), name)


@FUZZ
@given(data=st.binary(max_size=4096), prefix=st.sampled_from([b"", b"%PDF-1.7\n", b"PK\x03\x04",
                                                               b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
                                                               b"<html><table>", b"Rar!\x1a\x07\x00"]),
       name=NAMES)
def test_magic_prefixed_garbage(data: bytes, prefix: bytes, name: str | None) -> None:
    """Right magic, wrong body: every sniffing branch gets garbage behind it."""
    check(prefix + data, name)


SANDBOX_LIMITS = Limits(memory_mb=2048, cpu_seconds=60)


@settings(FUZZ, max_examples=25)
@given(seed=SEED_NAMES, flips=st.lists(st.tuples(st.integers(0, 2**31), st.integers(0, 7)),
                                       min_size=1, max_size=64), cut=st.floats(0.3, 1.0), name=NAMES)
def test_sandboxed_worker_path_records_every_mutation(seed: str, flips: list[tuple[int, int]], cut: float,
                                                       name: str | None) -> None:
    """The path a worker really takes (the limited child): a recorded result every time, never a crash."""
    data = flip_bits(seeds()[seed], flips)
    data = data[: max(1, int(len(data) * cut))]
    sha = hashlib.sha256(data).hexdigest()
    outcome = parse_sandboxed(data, filename=name, sha256=sha, limits=SANDBOX_LIMITS)
    assert_recorded(outcome)
    assert outcome.parser != "sandbox", f"the child died on a mutated {seed}: {outcome.errors}"
