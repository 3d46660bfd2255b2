"""Crawling the simulated country by region, from a registry `sources discover` wrote.

The crawler reaches the country's virtual hosts through its forward-proxy setting
(``GOVBUDGET_HTTP_PROXY``: every request goes to the simulator, which answers for the host the
request line names), so the URLs, redirects and links are those of the real web. A region crawl must
archive its own division's disclosures and nothing of a neighbour's (Shanxi's divisions all publish on
one shared platform, one page per division code); a province's season crawls each of its divisions
exactly once. Disclosures are told apart by the sha256 the answer key lists for each division.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from govbudget.cli import app as cli_app
from govbudget.crawler.discovery import discover
from govbudget.crawler.discovery.fetch import PageFetcher
from govbudget.crawler.regions.history import merge
from govbudget.crawler.regions.registry import write_csv
from govbudget.regions import division
from govbudget.simulator.country import CountrySimulator
from govbudget.simulator.country.answer_key import KEY_PATH
from govbudget.storage.catalog import Catalog

PROVINCE = "140000"  # 山西省: 14 divisions, the smallest province of the country
COUNTY = "140321"  # 平定县, on the shared platform beside its neighbours
SEED = "http://www.mof.gov.cn/zt/dfyjsgk/"


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The country served as a proxy, and a registry of the province discovered from the national seed."""
    registry = tmp_path_factory.mktemp("registry") / "entry_points.csv"
    with CountrySimulator() as sim:
        fetcher = PageFetcher(proxy=sim.proxy_url)
        try:
            run = discover(fetcher, division(PROVINCE), [("", SEED)], use_hosts=False)
        finally:
            fetcher.close()
        rows = merge([], run.found, scope=PROVINCE, today=dt.date.today().isoformat(),
                     still_answers=lambda e: True)
        write_csv(rows, registry)
        yield sim, registry


@pytest.fixture(scope="module")
def key() -> dict[str, dict[str, Any]]:
    return {d["code"]: d for d in json.loads(KEY_PATH.read_text(encoding="utf-8"))["divisions"]}


def shas(division_entry: dict[str, Any]) -> set[str]:
    return {d["sha256"] for d in division_entry["disclosures"]}


def crawl_env(monkeypatch: pytest.MonkeyPatch, sim: Any, registry: Path, data: Path) -> None:
    """A fresh archive, the registry for ``--region``, and the proxy; loopback stays refused."""
    for name in ("GOVBUDGET_BROKER_URL", "GOVBUDGET_DATABASE_URL", "GOVBUDGET_STORAGE_URL",
                 "GOVBUDGET_SCHEDULES_FILE", "GOVBUDGET_ALLOW_LOOPBACK"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GOVBUDGET_DATA_DIR", str(data))
    monkeypatch.setenv("GOVBUDGET_ENTRY_POINTS", str(registry))
    monkeypatch.setenv("GOVBUDGET_HTTP_PROXY", sim.proxy_url)


def archived_disclosures(catalog: Catalog, every: set[str], crawl_id: str | None = None) -> set[str]:
    """The answer key's disclosures among the archived objects (of one crawl run when given)."""
    return {row.sha256 for row in catalog.captures()
            if row.sha256 in every and (crawl_id is None or row.crawl_id == crawl_id)}


def test_discovery_registry_covers_the_province(country: Any, key: dict[str, dict[str, Any]]) -> None:
    """The registry the crawls start from: every division of the province, none from elsewhere."""
    _, registry = country
    codes = {line.split(",", 1)[0] for line in registry.read_text(encoding="utf-8").splitlines()[1:]}
    assert codes == {code for code, d in key.items() if d["province"] == PROVINCE}


def test_region_crawl_archives_that_county_only(country: Any, key: dict[str, dict[str, Any]],
                                                tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sim, registry = country
    crawl_env(monkeypatch, sim, registry, tmp_path / "data")
    result = CliRunner().invoke(cli_app, ["crawl", "--region", COUNTY])
    assert result.exit_code == 0, result.output
    every = set().union(*(shas(d) for d in key.values()))
    with Catalog(f"sqlite:///{tmp_path / 'data' / 'catalog.sqlite3'}") as catalog:
        runs = list(catalog.crawl_runs())
        assert [(r.region_code, r.status) for r in runs] == [(COUNTY, "finished")]
        assert archived_disclosures(catalog, every) == shas(key[COUNTY])


def test_province_season_crawls_each_division_once(country: Any, key: dict[str, dict[str, Any]],
                                                   tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Beat's ``crawl_season`` for the province, run eagerly: one ``crawl_region`` per division."""
    from govbudget.tasks.crawl_region import crawl_season
    from govbudget.tasks.runtime import configure
    from govbudget.tasks.settings import Settings

    sim, registry = country
    crawl_env(monkeypatch, sim, registry, tmp_path / "data")
    configure(Settings.from_env())
    queued = crawl_season(PROVINCE[:2], "budget")
    divisions = {code for code, d in key.items() if d["province"] == PROVINCE}
    assert sorted(queued) == sorted(divisions)
    every = set().union(*(shas(d) for d in key.values()))
    with Catalog(f"sqlite:///{tmp_path / 'data' / 'catalog.sqlite3'}") as catalog:
        runs = list(catalog.crawl_runs())
        assert Counter(r.region_code for r in runs) == Counter(divisions)
        assert {r.status for r in runs} == {"finished"}
        for run in runs:
            assert archived_disclosures(catalog, every, run.id) == shas(key[run.region_code]), run.region_code
