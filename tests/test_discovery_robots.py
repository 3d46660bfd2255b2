"""robots.txt: obeyed by default, overridable per source (host), on a small simulated site."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from scrapy import Request

from govbudget.crawler.politeness import RobotsOverrideMiddleware
from govbudget.simulator import layout
from govbudget.simulator.edge_site import PREVIEW_TITLE, preview_path
from govbudget.simulator.sites import ExternalLink, Site


def _robots_site() -> Site:
    """The edge family with only its robots-forbidden preview column linked from the budget list."""
    stub = Site(prefix="edge", name="", domain="", site_id_code="", region_code="", family="",
                needs_browser=False)
    link = ExternalLink(PREVIEW_TITLE, preview_path(stub), date(2024, 1, 2))
    return layout.family_site(prefix="edge", city="保定市", domain="www.bd.gov.cn", code="130600",
                              family="edge_cases", articles=[link], page_size=100)


def _crawl(tmp: Path, ignore: list[str]) -> tuple[object, list[str]]:
    from govbudget.simulator import PortalSimulator
    from govbudget.tasks.crawl import crawl_config, run_crawl
    from govbudget.tasks.runtime import configure
    from govbudget.tasks.settings import Settings

    with PortalSimulator(sites=[_robots_site()], documents=[]) as sim:
        svc = configure(Settings.from_env(data_dir=tmp, allow_loopback=True))
        summary = run_crawl(svc, crawl_config(svc.settings, sim.start_urls, ignore_robots_hosts=ignore))
        paths = [p for _, p, _ in sim.request_log.snapshot()]
    return summary, paths


def test_robots_disallowed_path_is_never_requested(tmp_path: Path) -> None:
    summary, paths = _crawl(tmp_path, [])
    assert "/robots.txt" in paths
    listed = any(p.startswith("/edge/xxgk/fdzdgknr/czyjs/") for p in paths)
    assert listed, "the list linking the preview was not crawled"
    assert not [p for p in paths if p.startswith("/edge/preview/")]
    assert summary.robots_forbidden >= 1  # type: ignore[attr-defined]


def test_per_source_override_lets_that_host_past_robots(tmp_path: Path) -> None:
    summary, paths = _crawl(tmp_path, ["127.0.0.1"])
    assert "/edge/preview/" in paths
    assert "/edge/preview/files/W020240101000000000099.pdf" in paths
    assert summary.robots_forbidden == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize(("url", "marked"), [
    ("http://yjsgk.example.gov.cn/list.html", True),
    ("http://YJSGK.example.gov.cn:8080/a", True),
    ("http://other.example.gov.cn/list.html", False),
])
def test_override_marks_only_the_listed_hosts(url: str, marked: bool) -> None:
    mw = RobotsOverrideMiddleware(["yjsgk.example.gov.cn"])
    req = Request(url)
    mw.process_request(req)
    assert bool(req.meta.get("dont_obey_robotstxt")) is marked
