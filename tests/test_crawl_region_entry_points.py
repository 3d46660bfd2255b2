"""Where a region crawl starts: this archive's last crawl of it, else the region registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from govbudget.crawler.regions import entry_points as registered
from govbudget.tasks.crawl_region import NoEntryPoints, entry_points
from govbudget.tasks.runtime import configure
from govbudget.tasks.settings import Settings


def test_never_crawled_region_starts_from_the_registry(tmp_path: Path) -> None:
    svc = configure(Settings.from_env({}, data_dir=tmp_path))
    expected = [e.url for e in registered("320000")]
    assert expected, "the registry knows Jiangsu's platform (from the MoF directory page)"
    assert entry_points(svc, "320000") == expected


def test_a_region_crawled_here_repeats_its_start_urls(tmp_path: Path) -> None:
    svc = configure(Settings.from_env({}, data_dir=tmp_path))
    crawl_id = svc.catalog.start_crawl(["http://portal.example/czyjs/"], region_code="320000")
    svc.catalog.finish_crawl(crawl_id, {}, "finished")
    assert entry_points(svc, "320000") == ["http://portal.example/czyjs/"]


def test_unknown_region_without_history_is_an_error(tmp_path: Path) -> None:
    svc = configure(Settings.from_env({}, data_dir=tmp_path))
    with pytest.raises(NoEntryPoints):
        entry_points(svc, "130304")
