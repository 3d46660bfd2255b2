"""Coverage you can see: per province, divisions with an entry point, with disclosures, with neither."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from govbudget.crawler.regions.registry import EntryPoint, read_csv, write_csv
from govbudget.exports.region_coverage import province_coverage
from govbudget.regions import all_divisions
from govbudget.storage.rows import CaptureRow
from govbudget.tasks.runtime import Services, configure
from govbudget.tasks.settings import Settings
from govbudget.web.app import create_app

HEBEI = "130000"


def _under(province: str) -> int:
    return sum(code[:2] == province[:2] for code in all_divisions())


def test_divisions_are_counted_by_entry_point_and_by_this_seasons_disclosures() -> None:
    docs = [{"region_code": "130423", "fiscal_year": 2025}, {"region_code": "130424", "fiscal_year": 2024},
            {"region_code": "130400", "fiscal_year": 2025}, {"region_code": None, "fiscal_year": 2025}]
    [hebei] = province_coverage(docs, {"130000", "130423", "130427"}, provinces=[HEBEI])
    assert hebei.season == 2025  # the latest year any file covers
    assert (hebei.divisions, hebei.with_entry_point, hebei.with_disclosures, hebei.with_both) == \
        (_under(HEBEI), 3, 2, 1)
    assert hebei.with_neither == _under(HEBEI) - 4 and "130424" in hebei.neither  # 2024 is not this season
    last_year = province_coverage(docs, set(), provinces=[HEBEI], season=2024)[0]
    assert (last_year.with_disclosures, last_year.neither.count("130424")) == (1, 0)
    provinces = {c for c in all_divisions() if c.endswith("0000")}
    assert {p.province for p in province_coverage([], set())} == provinces


def _entry(code: str) -> EntryPoint:
    d = all_divisions()[code]
    return EntryPoint(code, d.name, f"http://{code}.example.gov.cn/yjs/", d.name, "http://seed.example/", "",
                      "directory", True, "1.00", "2026-03-01", "active", "2026-03-01", "", "SiteIDCode", "")


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "entry_points.csv"
    write_csv([_entry("130000"), _entry("130423"), _entry("130427")], path)
    monkeypatch.setenv("GOVBUDGET_ENTRY_POINTS", str(path))
    return path


@pytest.fixture
def svc(tmp_path: Path) -> Services:
    services = configure(Settings.from_env({}, data_dir=tmp_path / "data"))
    sha = "a" * 64
    services.catalog.ensure_object(sha, 10, f"raw/{sha}", "application/pdf")
    services.catalog.add_capture(CaptureRow(sha256=sha, url="http://x.example/a.pdf", crawl_id="c1",
                                            fetched_at=datetime(2025, 3, 1, tzinfo=UTC), region_code="130423",
                                            fiscal_year=2025, doc_kind="budget", department="临漳县财政局",
                                            format="pdf"))
    return services


def test_the_dashboard_shows_each_province(registry: Path, svc: Services) -> None:
    codes = {e.region_code for e in read_csv(registry)}
    page = TestClient(create_app(svc, entry_point_codes=lambda: codes)).get("/regions")
    assert page.status_code == 200
    row = page.text.split('data-code="130000"')[1].split("</tr>")[0]
    numbers = [cell.split("<")[0] for cell in row.split('class="num">')[1:]]
    assert numbers == [str(_under(HEBEI)), "3", "1", "1", str(_under(HEBEI) - 3)]


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GOVBUDGET_")}
    return subprocess.run([sys.executable, "-m", "govbudget.cli", *args], env={**base, **env},
                          capture_output=True, text=True, timeout=120)


def test_report_json_has_the_provinces(registry: Path, svc: Services) -> None:
    done = _cli("report", "--json", "--data-dir", svc.settings.data_dir,
                env={"GOVBUDGET_ENTRY_POINTS": str(registry)})
    assert done.returncode == 0, done.stderr
    hebei = next(p for p in json.loads(done.stdout)["provinces"] if p["province"] == HEBEI)
    assert (hebei["with_entry_point"], hebei["with_disclosures"], hebei["with_both"]) == (3, 1, 1)


def test_sources_missing_lists_exactly_the_divisions_without_an_entry_point(registry: Path) -> None:
    done = _cli("sources", "--missing", "--province", "邯郸市", "--json",
                env={"GOVBUDGET_ENTRY_POINTS": str(registry)})
    assert done.returncode == 0, done.stderr
    listed = {json.loads(line)["region_code"] for line in done.stdout.splitlines()}
    handan = {c for c in all_divisions() if c.startswith("1304")}
    assert listed == handan - {"130423", "130427"}
