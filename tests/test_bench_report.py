"""A partial benchmark run (``--only``) replaces its own sections in RESULTS.md and keeps the rest."""

from __future__ import annotations

from bench.harness import Context, Row, Section
from bench.report import merge, render

INFO = {"date": "2026-11-23 15:00 UTC", "load average at start": "3.00 2.00 1.00", "wall time": "90 s"}


def _report(sections: list[Section], info: dict[str, str], failures: list[str] | None = None) -> str:
    return render(info, Context(rounds=5), sections, failures or [])


def _section(name: str, ours: float) -> Section:
    return Section(name, f"{name} inputs", [Row("speed", ours, 1.0, "baseline", "x/s", ours)])


def test_merge_replaces_measured_sections_in_place_and_keeps_the_others() -> None:
    old_info = {**INFO, "date": "2026-11-01 10:00 UTC", "load average at start": "5.17 3.91 2.28"}
    sections = [_section("Crawl", 1.5), _section("PDF tables", 7.0), _section("End to end", 9.0)]
    old = _report(sections, old_info, ["dispatch: boom"])
    fresh = _report([_section("Crawl", 2.5), _section("End to end", 4.0), _section("Brand new", 3.0)], INFO)
    merged = merge(old, fresh, INFO, "busy machine")
    titles = [ln[3:] for ln in merged.splitlines() if ln.startswith("## ")]
    assert all(f"\n\n## {t}\n" in merged for t in titles)  # every section set off by a blank line
    assert titles == ["Crawl", "PDF tables", "End to end", "Brand new"]  # the failure section is gone
    assert "| speed (x/s) | 2.50 |" in merged and "| speed (x/s) | 1.50 |" not in merged
    assert "| speed (x/s) | 7.00 |" in merged  # PDF tables kept from the old run
    assert "| speed (x/s) | 4.00 |" in merged and "| speed (x/s) | 9.00 |" not in merged
    assert "- **date**: 2026-11-01 10:00 UTC" in merged
    stamp = next(ln for ln in merged.splitlines() if ln.startswith("- **re-measured"))
    assert "2026-11-23 15:00 UTC**: Crawl, End to end, Brand new" in stamp
    assert "3.00 2.00 1.00" in stamp and "median of 5 rounds" in stamp and "busy machine" in stamp


def test_a_second_partial_run_drops_the_stamp_it_supersedes() -> None:
    base = _report([_section("Crawl", 1.0), _section("Storage", 2.0)], INFO)
    once = merge(base, _report([_section("Crawl", 2.0)], INFO), INFO)
    storage = merge(once, _report([_section("Storage", 3.0)], {**INFO, "date": "2026-11-23 16:00 UTC"}), INFO)
    twice = merge(storage, _report([_section("Crawl", 3.0)], INFO), {**INFO, "date": "2026-11-23 17:00 UTC"})
    stamps = [ln for ln in twice.splitlines() if ln.startswith("- **re-measured")]
    assert len(stamps) == 2 and "17:00 UTC**: Crawl" in stamps[1] and "**: Storage" in stamps[0]
