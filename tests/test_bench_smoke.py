"""The benchmark harness runs end to end on tiny inputs and writes a complete report.

No speed is asserted (figures on tiny inputs mean nothing); what must hold is that every benchmark
ran against its baseline with the real services (simulator, Chromium, private Redis, moto S3) and
produced numbers, so `python -m bench` keeps working as the code under it changes.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("Crawl", "Browser path", "PDF tables", "Spreadsheets", "Dispatch", "Storage", "End to end")


def test_bench_tiny_run_writes_every_section(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    proc = subprocess.run([sys.executable, "-m", "bench", "--tiny", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    text = out.read_text(encoding="utf-8")
    assert "failed to run" not in text
    for name in SECTIONS:
        assert f"## {name}\n" in text, f"section {name} missing"
    rows = [ln for ln in text.splitlines() if ln.startswith("| ") and not ln.startswith("| figure")]
    assert len(rows) >= 9
    for row in rows:
        ours = row.split("|")[2].strip()
        assert re.fullmatch(r"[\d,]+(\.\d+)?", ours) and float(ours.replace(",", "")) > 0, row
    assert "**cpu**" in text and "**date**" in text


def test_pdf_cell_scoring_pairs_amounts_with_row_names() -> None:
    """The F1 used against camelot/pdfplumber: amounts go with the nearest name on their left."""
    from collections import Counter
    from decimal import Decimal

    from bench.pdf_tables import f1, grid_cells

    grid = [[["1", "一、一般公共预算拨款收入", "5,873.35", "八、社会保障和就业\n支出", "12.5"],
             ["", "208", "社会保障和就业支出", "", "0.00"], [None, "合计", "5873.35"]]]
    cells = grid_cells(grid)
    assert cells == Counter({("一、一般公共预算拨款收入", Decimal("5873.35")): 1,
                             ("八、社会保障和就业支出", Decimal("12.5")): 1,
                             ("社会保障和就业支出", Decimal("0.00")): 1, ("合计", Decimal("5873.35")): 1})
    truth = Counter({("合计", Decimal("5873.35")): 1, ("缺失", Decimal("1")): 1})
    p, r, score = f1(cells, truth)
    assert (p, r) == (0.25, 0.5) and abs(score - 1 / 3) < 1e-9


def test_season_sizes_mix_provinces_and_flatness_compares_cost_per_file() -> None:
    """The season bench's divisions come round-robin over provinces; flat means within ±20% per file."""
    from bench.season import flatness, spread

    codes = ["130000", "130400", "130402", "140000", "140300", "410000"]
    assert spread(codes, 4) == ["130000", "140000", "410000", "130400"]
    assert sorted(spread(codes, 99)) == codes
    small = {"divisions": 10, "files": 10, "seconds": 100.0, "catalog_bytes": 1000}
    large = {"divisions": 69, "files": 70, "seconds": 770.0, "catalog_bytes": 7000}
    text = flatness([small, large])
    assert "seconds per file +10%" in text and "(flat at ±20%)" in text
    assert "catalog bytes per file +0%" in text
    assert "NOT flat" in flatness([small, {**large, "seconds": 1400.0}])
