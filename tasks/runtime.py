"""The process's current settings and the services built from them (store, catalog, archive).

A worker process reads its settings from the environment once; the command line installs the
settings its flags produced. Services are built lazily and cached, so a task pays for opening the
catalog and the store once per process, not once per file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from govbudget.storage.archive import Archive
from govbudget.storage.catalog import Catalog
from govbudget.storage.object_store import ObjectStore, open_store
from govbudget.tasks.settings import Settings


@dataclass
class Services:
    """Everything a task needs, opened from one ``Settings``."""

    settings: Settings

    @cached_property
    def store(self) -> ObjectStore:
        return open_store(self.settings.effective_storage_url, **self.settings.store_options())

    @cached_property
    def catalog(self) -> Catalog:
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        return Catalog(self.settings.effective_database_url)

    @cached_property
    def archive(self) -> Archive:
        return Archive(self.store, self.catalog)


_current: Services | None = None


def configure(settings: Settings) -> Services:
    """Install ``settings`` for this process (the CLI calls this after reading its flags)."""
    global _current
    _current = Services(settings)
    from govbudget.tasks.app import configure_app

    configure_app(settings)
    return _current


def services() -> Services:
    """The current services, configured from the environment on first use (worker processes)."""
    global _current
    if _current is None:
        _current = Services(Settings.from_env())
    return _current
