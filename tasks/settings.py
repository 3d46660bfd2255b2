"""One settings object for the whole system.

Every knob comes from a command-line flag or a ``GOVBUDGET_*`` environment variable, and the
embedded default (a local folder, a SQLite file, tasks run in process) needs none of them, so a
researcher on a laptop can run ``govbudget demo`` with nothing configured.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

ENV_PREFIX = "GOVBUDGET_"
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True, repr=False)
class Settings:
    """Where the archive, the catalog and the queue live, plus crawl safety switches."""

    data_dir: Path = Path("govbudget-data")
    storage_url: str = ""
    database_url: str = ""
    broker_url: str = ""
    s3_endpoint: str = ""
    s3_access_key: str = ""
    s3_secret_key: str = ""
    allow_loopback: bool = False
    http_proxy: str = ""  # forward proxy every crawl request goes through; it vets addresses then
    chromium_path: str = "/usr/bin/chromium"
    visibility_timeout: int = 3600  # seconds before Redis redelivers an unacked task (issue #5)
    crawl_stall_timeout: int = 900  # seconds without crawl progress before the child is killed
    publish_outage_s: int = 120  # seconds a crawl keeps retrying to queue a parse while the broker is down
    schedules_file: str = ""  # JSON per-province crawl seasons for beat (issue #5, tasks/schedules.py)
    parse_memory_mb: int = 2048  # address-space cap of the child process each parse runs in (issue #7)
    parse_cpu_seconds: int = 120  # CPU-time cap of that child; its wall clock is 3x this plus 30 s
    # Crawl options (tasks.crawl.crawl_config puts them in the crawl's CrawlConfig). In the environment
    # lists are comma-separated and size caps are type=bytes pairs: application/pdf=1000000,*=5000000
    obey_robots: bool = True  # robots.txt for the whole crawl; ignore_robots_hosts is the per-source override
    ignore_robots_hosts: tuple[str, ...] = ()  # hosts whose robots.txt is not applied (a source that agreed)
    render_hosts: tuple[str, ...] = ()  # hosts whose pages always go through the browser
    fresh: bool = False  # no conditional requests: every URL is downloaded again
    size_caps: dict[str, int] = field(default_factory=dict)  # byte caps by content type (and ``*``)
    max_pages: int = 0  # stop the crawl after this many responses (0: no limit)
    download_delay: float = 0.0  # seconds between two requests to one host (AutoThrottle never goes below)
    concurrency_per_host: int = 4  # requests in flight to one host at once

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", Path(self.data_dir))
        for name in ("ignore_robots_hosts", "render_hosts"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "size_caps", {str(k): int(v) for k, v in self.size_caps.items()})

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Read ``GOVBUDGET_<FIELD>`` variables, then apply non-None overrides (flags win)."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is None or raw == "":
                continue
            values[f.name] = _from_env(str(f.type), raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    @property
    def effective_storage_url(self) -> str:
        """The object store: a folder under the data dir unless a URL is given."""
        return self.storage_url or str((self.data_dir / "objects").resolve())

    @property
    def effective_database_url(self) -> str:
        """The catalog: a SQLite file under the data dir unless a URL is given."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'catalog.sqlite3').resolve()}"

    @property
    def embedded_queue(self) -> bool:
        """No broker means tasks run in process (Celery eager mode)."""
        return not self.broker_url

    def store_options(self) -> dict[str, str]:
        """Keyword options for ``open_store`` (S3 endpoint and keys; ignored for folders)."""
        opts = {
            "endpoint": self.s3_endpoint,
            "access_key": self.s3_access_key,
            "secret_key": self.s3_secret_key,
        }
        return {k: v for k, v in opts.items() if v}

    def to_env(self) -> dict[str, str]:
        """The same settings as environment variables, for crawl subprocesses and workers."""
        env: dict[str, str] = {}
        for f in fields(self):
            value = _to_env(getattr(self, f.name))
            if value:
                env[ENV_PREFIX + f.name.upper()] = value
        return env

    def with_overrides(self, **overrides: object) -> Settings:
        """A copy with the non-None overrides applied."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.redacted().items())
        return f"Settings({shown})"

    def redacted(self) -> dict[str, str]:
        """Settings safe to print: keys are masked, passwords in URLs are masked."""
        shown: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in {"s3_access_key", "s3_secret_key"}:
                shown[f.name] = "***" if value else ""
            else:
                shown[f.name] = _mask_url_password(str(value))
        return shown


def _from_env(type_name: str, raw: str) -> object:
    """One ``GOVBUDGET_*`` value read as its field's type (named by its annotation)."""
    if type_name == "bool":
        return raw.strip().lower() in _TRUE
    if type_name == "int":
        return int(raw)
    if type_name == "float":
        return float(raw)
    if type_name == "Path":
        return Path(raw)
    if type_name == "tuple[str, ...]":
        return tuple(item.strip() for item in raw.split(",") if item.strip())
    if type_name == "dict[str, int]":
        pairs = (item.split("=", 1) for item in raw.split(",") if item.strip())
        return {key.strip(): int(value) for key, value in pairs}
    return raw


def _to_env(value: object) -> str:
    """A setting written back as `_from_env` reads it ("" for an empty one)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple):
        return ",".join(value)
    if isinstance(value, dict):
        return ",".join(f"{key}={number}" for key, number in value.items())
    return "" if value is None else str(value)


def _mask_url_password(url: str) -> str:
    """Hide ``user:password@`` credentials so settings dumps never leak them."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else url
