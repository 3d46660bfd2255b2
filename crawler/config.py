"""`CrawlConfig`: every option of one crawl, in one frozen object that crosses into the crawl process.

The parent (a CLI command, a Celery task) builds it from the settings and the command line
(``tasks.crawl.crawl_config``), serialises it once as JSON on the crawl process's standard input
(never in argv, so storage keys stay out of process listings), and the process reads it back with
`from_json`; ``scrapy_settings.crawl_settings`` turns it into Scrapy settings. Importable without
Scrapy, so the parent side never loads it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

MAX_FILE_BYTES = 200 * 1024 * 1024
DEFAULT_STALL_TIMEOUT_S = 900.0
MAX_HEARTBEAT_S = 10.0


@dataclass(frozen=True, kw_only=True)
class CrawlConfig:
    """What to crawl, where to keep it, and how politely.

    `fresh` skips conditional requests (every URL is downloaded again); `obey_robots` is the switch
    for the whole crawl and `ignore_robots_hosts` the per-source override (hosts whose robots.txt is
    not applied); `size_caps` maps content types (and ``*``) to byte caps; `render_hosts` always go
    through the browser. `max_pages`, `download_delay` and `concurrency_per_host` bound how much and
    how fast (``govbudget crawl --max-pages --delay --concurrency``). The child beats every
    `heartbeat_s` seconds and the parent kills it after `stall_timeout` seconds without progress;
    the heartbeat defaults to a sixth of that (at most 10 s), so a slow crawl is never taken for a
    stuck one.
    """

    storage_url: str
    database_url: str = field(repr=False)  # may hold a password
    start_urls: tuple[str, ...] = ()
    crawl_id: str | None = None
    region_code: str | None = None
    fiscal_year: int | None = None
    store_options: dict[str, str] = field(default_factory=dict, repr=False)  # S3 endpoint and keys
    allow_loopback: bool = False
    http_proxy: str = field(default="", repr=False)  # forward proxy for every request (may hold a password)
    chromium_path: str = "/usr/bin/chromium"
    render_hosts: tuple[str, ...] = ()
    fresh: bool = False
    obey_robots: bool = True
    size_caps: dict[str, int] = field(default_factory=dict)
    ignore_robots_hosts: tuple[str, ...] = ()
    max_file_bytes: int = MAX_FILE_BYTES
    max_pages: int = 0  # Scrapy's CLOSESPIDER_PAGECOUNT: stop after this many responses (0: no limit)
    download_delay: float = 0.0  # DOWNLOAD_DELAY: seconds between requests to one host
    concurrency_per_host: int = 4  # CONCURRENT_REQUESTS_PER_DOMAIN
    stall_timeout: float = DEFAULT_STALL_TIMEOUT_S
    heartbeat_s: float | None = None

    def __post_init__(self) -> None:
        def put(name: str, value: object) -> None:
            object.__setattr__(self, name, value)

        put("start_urls", tuple(self.start_urls))
        put("render_hosts", tuple(sorted(set(self.render_hosts))))
        put("ignore_robots_hosts", tuple(sorted({h.lower() for h in self.ignore_robots_hosts})))
        put("size_caps", {str(k): int(v) for k, v in self.size_caps.items()})
        put("store_options", dict(self.store_options))
        if self.max_pages < 0 or self.download_delay < 0 or self.concurrency_per_host < 1:
            raise ValueError("max_pages and download_delay must be >= 0, concurrency_per_host >= 1")
        if self.heartbeat_s is None:
            put("heartbeat_s", min(MAX_HEARTBEAT_S, self.stall_timeout / 6))

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> CrawlConfig:
        """The config `to_json` wrote; a key this version does not know is refused, not dropped."""
        data: dict[str, Any] = json.loads(text)
        unknown = sorted(set(data) - {f.name for f in fields(cls)})
        if unknown:
            raise ValueError(f"unknown crawl options: {', '.join(unknown)}")
        return cls(**data)
