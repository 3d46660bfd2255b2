"""The registry keeps its history: re-found rows unchanged, dead ones stopped, re-codes recorded."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from govbudget.crawler.discovery.found import Found
from govbudget.crawler.regions.history import merge
from govbudget.crawler.regions.registry import EntryPoint, read_csv, write_csv
from govbudget.regions import resolve

OLD_DAY, TODAY = "2025-03-01", "2026-03-01"


def _row(code: str, url: str, method: str = "directory", **kw: str) -> EntryPoint:
    d = resolve(code)
    base = EntryPoint(d.code, d.name, url, d.name, "http://parent.gov.cn/", "", method, True, "1.00", OLD_DAY,
                      "active", OLD_DAY, "", "SiteIDCode", "")
    return replace(base, **kw)


def _hit(code: str, url: str) -> Found:
    return Found(resolve(code), url, "directory", "http://parent.gov.cn/", 1.0, "SiteIDCode")


def test_a_row_found_again_is_kept_as_it_was() -> None:
    old = [_row("130423", "http://www.linzhang.gov.cn/yjs/")]
    out = merge(old, [_hit("130423", "http://www.linzhang.gov.cn/yjs/")], scope="130000", today=TODAY,
                still_answers=lambda e: True)
    assert out == old


def test_a_row_that_stopped_answering_is_closed_not_deleted() -> None:
    old = [_row("130423", "http://www.linzhang.gov.cn/old/"), _row("130424", "http://www.chengan.gov.cn/yjs/")]
    out = merge(old, [], scope="130000", today=TODAY,
                still_answers=lambda e: "chengan" in e.url)
    by_url = {r.url: r for r in out}
    gone = by_url["http://www.linzhang.gov.cn/old/"]
    assert (gone.status, gone.valid_from, gone.valid_to) == ("stopped", OLD_DAY, TODAY)
    assert by_url["http://www.chengan.gov.cn/yjs/"].status == "active"


def test_a_new_entry_point_is_added_with_todays_date() -> None:
    out = merge([], [_hit("130423", "http://www.linzhang.gov.cn/yjs/")], scope="130000", today=TODAY,
                still_answers=lambda e: True)
    [row] = out
    assert (row.region_code, row.verified, row.valid_from, row.status, row.method) == \
        ("130423", TODAY, TODAY, "active", "directory")


def test_rows_outside_the_scope_and_snapshot_rows_are_left_alone() -> None:
    other = _row("440904", "http://www.dianbai.gov.cn/yjs/")
    snapshot = _row("130000", "http://www.hebei.gov.cn/col/", method="mof_directory")
    out = merge([other, snapshot], [], scope="130000", today=TODAY, still_answers=lambda e: False)
    assert out == [other, snapshot]


def test_a_retired_code_is_closed_and_its_successor_records_what_it_replaces() -> None:
    """撤县设区: 肥乡县 (130428) became 肥乡区 (130407); the column stays where it was."""
    url = "http://www.feixiang.gov.cn/yjs/"
    retired = replace(_row("130407", url), region_code="130428", region_name="肥乡县")
    out = merge([retired], [_hit("130407", url)], scope="130000", today=TODAY, still_answers=lambda e: True)
    old = next(r for r in out if r.region_code == "130428")
    new = next(r for r in out if r.region_code == "130407")
    assert (old.status, old.valid_to) == ("recoded", TODAY)
    assert (new.status, new.valid_from, new.replaces) == ("active", TODAY, "130428 肥乡县")


def test_a_renamed_division_keeps_its_code_and_records_the_former_name() -> None:
    url = "http://www.linzhang.gov.cn/yjs/"
    renamed = replace(_row("130423", url), region_name="临漳旧名县")
    out = merge([renamed], [_hit("130423", url)], scope="130000", today=TODAY, still_answers=lambda e: True)
    assert [(r.region_name, r.status, r.replaces) for r in out] == [
        ("临漳旧名县", "recoded", ""), ("临漳县", "active", "130423 临漳旧名县")]


def test_the_registry_file_round_trips_history_and_reads_old_files(tmp_path: Path) -> None:
    rows = [_row("130423", "http://www.linzhang.gov.cn/yjs/", status="stopped", valid_to=TODAY)]
    path = tmp_path / "entry_points.csv"
    write_csv(rows, path)
    assert read_csv(path) == rows
    old_style = tmp_path / "old.csv"  # a registry written before discovery had history columns
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")[:8]
    old_style.write_text(",".join(header) + "\n" + ",".join(lines[1].split(",")[:8]) + "\n", encoding="utf-8")
    [read] = read_csv(old_style)
    assert (read.status, read.verified, read.replaces) == ("active", "", "")
