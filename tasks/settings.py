"""One settings object for the whole system.

Every knob comes from a command-line flag or a ``GOVBUDGET_*`` environment variable, and the
embedded default (a local folder, a SQLite file, tasks run in process) needs none of them, so a
researcher on a laptop can run ``govbudget demo`` with nothing configured.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
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
    chromium_path: str = "/usr/bin/chromium"
    visibility_timeout: int = 3600  # seconds before Redis redelivers an unacked task (issue #5)
    crawl_stall_timeout: int = 900  # seconds without crawl progress before the child is killed
    schedules_file: str = ""  # JSON per-province crawl seasons for beat (issue #5, tasks/schedules.py)
    parse_memory_mb: int = 2048  # address-space cap of the child process each parse runs in (issue #7)
    parse_cpu_seconds: int = 120  # CPU-time cap of that child; its wall clock is 3x this plus 30 s

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Read ``GOVBUDGET_<FIELD>`` variables, then apply non-None overrides (flags win)."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is None or raw == "":
                continue
            if f.name == "allow_loopback":
                values[f.name] = raw.strip().lower() in _TRUE
            elif f.name == "data_dir":
                values[f.name] = Path(raw)
            elif f.type == "int":
                values[f.name] = int(raw)
            else:
                values[f.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        if isinstance(values.get("data_dir"), str):
            values["data_dir"] = Path(str(values["data_dir"]))
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
            value = getattr(self, f.name)
            if isinstance(value, bool):
                env[ENV_PREFIX + f.name.upper()] = "1" if value else "0"
            elif value not in ("", None):
                env[ENV_PREFIX + f.name.upper()] = str(value)
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


def _mask_url_password(url: str) -> str:
    """Hide ``user:password@`` credentials so settings dumps never leak them."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else url
