"""`sources discover` on the simulated country: every method, every trap, no wrong attribution.

The country (`govbudget.simulator.country`) is three provinces of real GB/T 2260 divisions on their
own virtual hosts, reached through the simulator as an HTTP proxy. Discovery runs in-process over
each province, as `govbudget sources discover --province` does, and is graded against the
country's answer key: a URL attributed to a division it does not belong to fails the test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from govbudget.crawler.discovery import Discovery, discover
from govbudget.crawler.discovery.fetch import PageFetcher
from govbudget.crawler.regions.history import merge
from govbudget.crawler.regions.registry import read_csv, write_csv
from govbudget.regions import resolve
from govbudget.simulator.country import CountrySimulator
from govbudget.simulator.country.answer_key import KEY_PATH
from govbudget.simulator.country.grading import grade

SEED = "http://www.mof.gov.cn/zt/dfyjsgk/"
PROVINCES = ("130000", "140000", "410000")
TODAY = "2026-03-01"


@pytest.fixture(scope="module")
def sim() -> Iterator[CountrySimulator]:
    with CountrySimulator() as running:
        yield running


@pytest.fixture(scope="module")
def key() -> dict:
    return json.loads(KEY_PATH.read_text(encoding="utf-8"))


def _run(sim: CountrySimulator, registry: Path,
         provinces: tuple[str, ...] = PROVINCES) -> dict[str, Discovery]:
    """Discover each province into ``registry`` (created when absent), as the command does."""
    runs = {}
    for province in provinces:
        old = read_csv(registry, strict=False) if registry.exists() else []
        fetcher = PageFetcher(proxy=sim.proxy_url)
        try:
            starts = [(e.region_code, e.url) for e in old if e.active] + [("", SEED)]
            run = discover(fetcher, resolve(province), starts, depth=3)
            rows = merge(old, run.found, scope=province, today=TODAY,
                         still_answers=lambda e, f=fetcher: f.get(e.url).ok)
        finally:
            fetcher.close()
        write_csv(rows, registry)
        runs[province] = run
    return runs


@pytest.fixture(scope="module")
def first(sim: CountrySimulator,
          tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Discovery]]:
    registry = tmp_path_factory.mktemp("registry") / "entry_points.csv"
    return registry, _run(sim, registry)


def _found(runs: dict[str, Discovery]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for run in runs.values():
        for hit in run.found:
            out.setdefault(hit.division.code, []).append(hit.url)
    return out


def _methods(runs: dict[str, Discovery]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for run in runs.values():
        for hit in run.found:
            out.setdefault(hit.division.code, set()).add(hit.method)
    return out


def test_nearly_every_division_is_found_and_none_is_attributed_wrongly(first, key) -> None:
    _, runs = first
    graded = grade(_found(runs), key)
    assert graded.wrong == []
    assert graded.coverage(len(key["divisions"])) >= 0.95
    assert all(len(run.divisions) > 100 for run in runs.values())  # the real table, not the country's list


def test_each_method_finds_the_divisions_only_it_can_reach(first, key) -> None:
    _, runs = first
    methods = _methods(runs)
    by_reach = {d["code"]: set(d["methods"]) for d in key["divisions"]}
    platform_only = [c for c, m in by_reach.items() if m == {"platform"}]
    host_only = [c for c, m in by_reach.items() if m == {"host"}]
    navigation = [c for c, m in by_reach.items() if "navigation" in m and "directory" not in m]
    assert platform_only and all(methods.get(c) == {"shared_platform"} for c in platform_only)
    assert host_only and all(methods.get(c) == {"host_candidate"} for c in host_only)
    assert navigation and all(methods.get(c) & {"home_navigation", "host_candidate"} for c in navigation)
    used = set().union(*methods.values())
    assert {"directory", "shared_platform", "home_navigation", "host_candidate"} <= used


def _attempts(runs: dict[str, Discovery], code: str) -> list:
    return [a for run in runs.values() for a in run.attempts if a.region_code == code]


def test_traps_are_refused_and_leave_their_reasons(first, key) -> None:
    _, runs = first
    traps = {d["code"]: set(d["traps"]) for d in key["divisions"] if d["traps"]}
    wrong_name = next(c for c, t in traps.items() if "wrong_name" in t and _attempts(runs, c)
                      and any(a.outcome == "names_other" for a in _attempts(runs, c)))
    assert any(a.method == "directory" and a.outcome == "names_other" for a in _attempts(runs, wrong_name))
    dead = next(c for c, t in traps.items() if "dead_link" in t)
    assert any(a.outcome == "dead" and "404" in a.detail for a in _attempts(runs, dead))
    redirected = [c for c, t in traps.items() if "redirect_to_city" in t and resolve(c).level == "county"]
    for county in redirected:  # the link lands on the city's own platform: the city's page, not the county's
        city = resolve(resolve(county).parent or "")
        assert any(a.outcome == "names_other" and city.full_name in a.detail for a in _attempts(runs, county))
    # two 新华区, one host answering for one of them: each keeps its own, and only its own
    same = [c for c, t in traps.items() if "same_short_name" in t]
    assert len(same) == 2
    found = _found(runs)
    assert len({u for c in same for u in found.get(c, [])}) == sum(len(found.get(c, [])) for c in same)
    assert any(a.method == "host_candidate" and a.outcome == "names_other"
               for c in same for a in _attempts(runs, c))


def test_a_second_run_changes_nothing(first, sim: CountrySimulator, tmp_path: Path) -> None:
    registry, _ = first
    before = registry.read_bytes()
    again = tmp_path / "entry_points.csv"
    again.write_bytes(before)
    _run(sim, again, provinces=("130000",))  # directories, host candidates and every trap
    assert again.read_bytes() == before
    rows = read_csv(again)
    assert rows and all(r.verified == TODAY and r.status == "active" and r.evidence for r in rows)
