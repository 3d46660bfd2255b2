"""Settings: flags over environment over embedded defaults; secrets never printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govbudget.crawler.config import CrawlConfig
from govbudget.tasks.crawl import crawl_config
from govbudget.tasks.settings import Settings


def test_embedded_default_needs_no_configuration(tmp_path: Path) -> None:
    s = Settings.from_env({}, data_dir=tmp_path)
    assert s.embedded_queue
    assert s.effective_database_url == f"sqlite:///{(tmp_path / 'catalog.sqlite3').resolve()}"
    assert s.effective_storage_url == str((tmp_path / "objects").resolve())
    assert not s.allow_loopback


def test_environment_then_flags() -> None:
    env = {
        "GOVBUDGET_BROKER_URL": "redis://127.0.0.1:6379/3",
        "GOVBUDGET_ALLOW_LOOPBACK": "1",
        "GOVBUDGET_DATA_DIR": "/srv/gb",
    }
    s = Settings.from_env(env, data_dir=Path("/other"))
    assert s.broker_url == "redis://127.0.0.1:6379/3" and not s.embedded_queue
    assert s.allow_loopback
    assert s.data_dir == Path("/other")


def test_secrets_are_redacted() -> None:
    s = Settings.from_env(
        {
            "GOVBUDGET_S3_SECRET_KEY": "topsecret",
            "GOVBUDGET_DATABASE_URL": "postgresql+psycopg://gb:hunter2@db:5432/gb",
        }
    )
    shown = str(s.redacted()) + repr(s)
    assert "topsecret" not in shown and "hunter2" not in shown
    assert "postgresql+psycopg://gb:***@db:5432/gb" in shown
    # the subprocess environment still carries them
    assert s.to_env()["GOVBUDGET_S3_SECRET_KEY"] == "topsecret"


def test_crawl_options_come_from_the_environment() -> None:
    env = {
        "GOVBUDGET_OBEY_ROBOTS": "0",
        "GOVBUDGET_FRESH": "yes",
        "GOVBUDGET_RENDER_HOSTS": "js.example, spa.example",
        "GOVBUDGET_IGNORE_ROBOTS_HOSTS": "agreed.example",
        "GOVBUDGET_SIZE_CAPS": "application/pdf=1000000,*=5000000",
    }
    s = Settings.from_env(env)
    assert (s.obey_robots, s.fresh) == (False, True)
    assert s.render_hosts == ("js.example", "spa.example")
    assert s.ignore_robots_hosts == ("agreed.example",)
    assert s.size_caps == {"application/pdf": 1_000_000, "*": 5_000_000}
    assert Settings.from_env(s.to_env()) == s  # what a crawl subprocess or worker reads back


def test_crawl_option_flags_win_over_the_environment() -> None:
    env = {"GOVBUDGET_RENDER_HOSTS": "env.example"}
    s = Settings.from_env(env, render_hosts=["flag.example"], fresh=None)
    assert s.render_hosts == ("flag.example",)
    assert s.fresh is False and s.obey_robots is True


def test_the_crawl_config_holds_every_crawl_option_from_settings_and_flags(tmp_path: Path) -> None:
    env = {"GOVBUDGET_SIZE_CAPS": "*=1000", "GOVBUDGET_CRAWL_STALL_TIMEOUT": "30",
           "GOVBUDGET_S3_SECRET_KEY": "topsecret", "GOVBUDGET_STORAGE_URL": "s3://bucket"}
    settings = Settings.from_env(env, data_dir=tmp_path, allow_loopback=True)
    config = crawl_config(settings, ["http://127.0.0.1/a"], region_code="130400", fiscal_year=2023,
                          fresh=True, ignore_robots_hosts=["B.example", "a.example"])
    assert config.start_urls == ("http://127.0.0.1/a",)
    assert (config.region_code, config.fiscal_year, config.crawl_id) == ("130400", 2023, None)
    assert config.storage_url == "s3://bucket"
    assert config.database_url == settings.effective_database_url
    assert config.store_options == {"secret_key": "topsecret"}
    assert config.allow_loopback and config.fresh and config.obey_robots
    assert config.size_caps == {"*": 1000}
    assert config.ignore_robots_hosts == ("a.example", "b.example")
    assert (config.stall_timeout, config.heartbeat_s) == (30.0, 5.0)  # a sixth of the stall timeout
    assert CrawlConfig.from_json(config.to_json()) == config
    assert "topsecret" not in repr(config)


def test_a_crawl_config_with_an_unknown_option_is_refused() -> None:
    text = json.dumps({"storage_url": "/x", "database_url": "sqlite://", "scrapy_overrides": {}})
    with pytest.raises(ValueError, match="unknown crawl options: scrapy_overrides"):
        CrawlConfig.from_json(text)
