"""No crawl process opens a remote shell: telnet console and remote-control server stay off."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROBE = """
import json, sys
from scrapy.utils.reactor import install_reactor
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
from scrapy.crawler import Crawler
from govbudget.crawler.config import CrawlConfig
from govbudget.crawler.scrapy_settings import crawl_settings
from govbudget.crawler.spiders.disclosures import DisclosureSpider
settings = crawl_settings(CrawlConfig(storage_url=sys.argv[1], database_url="sqlite:///" + sys.argv[2]))
crawler = Crawler(DisclosureSpider, settings)
crawler._apply_settings()
print(json.dumps([type(m).__name__ for m in crawler.extensions.middlewares]))
"""


def test_crawl_loads_no_console_extension(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "objects"), str(tmp_path / "c.sqlite3")],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout
    extensions = set(json.loads(out.strip().splitlines()[-1]))
    assert {"CoreStats", "Heartbeat", "SizeCaps"} <= extensions  # the probe saw the real list
    assert "TelnetConsole" not in extensions
    assert "RemoteControl" not in extensions
