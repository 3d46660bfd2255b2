"""The archive pipeline: every ``Fetch`` the spider yields is stored before anything else happens.

Archiving is the one step that must not be skipped or repeated wrongly: bytes go to the object
store under their sha256, the catalog gets a capture row, and an ``archived`` event tells the parent
process to dispatch parsing.

The store write (an fsync per object) and the catalog transaction block, so they run in a small
pool of threads and the reactor keeps downloading meanwhile. Nothing is weakened by that: the item
is not done until its archive call has returned, Scrapy does not close the spider while an item is
in the pipeline, and the event is emitted only after the capture row is committed.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

from scrapy.crawler import Crawler

from govbudget.crawler.events import EventSink
from govbudget.storage.archive import Archive, Archived
from govbudget.storage.catalog import Catalog
from govbudget.storage.fetch import Fetch
from govbudget.storage.object_store import open_store

DEFAULT_THREADS = 4


class ArchivePipeline:
    """Stores each fetched page and file and reports it on the event stream."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.stats = crawler.stats
        options = json.loads(settings.get("GOVBUDGET_STORE_OPTIONS") or "{}")
        self.store = open_store(settings.get("GOVBUDGET_STORAGE_URL"), **options)
        self.catalog = Catalog(settings.get("GOVBUDGET_DATABASE_URL"))
        self.archive = Archive(self.store, self.catalog)
        self.events = EventSink.from_settings(settings)
        # Bounded: a few writes overlap (fsync and SQLite release the GIL); Scrapy's scraper slot
        # stops downloading when too many response bytes wait for their items to finish.
        threads = settings.getint("GOVBUDGET_ARCHIVE_THREADS", DEFAULT_THREADS)
        self.executor = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="archive")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    async def process_item(self, item: Fetch, spider: object = None) -> Fetch:
        loop = asyncio.get_running_loop()
        archived = await loop.run_in_executor(self.executor, self.archive.archive, item)
        self._report(item, archived)
        return item

    def close_spider(self, spider: object = None) -> None:
        """Every item has finished by now; let the threads go."""
        self.executor.shutdown(wait=True)

    def _report(self, item: Fetch, archived: Archived) -> None:
        """Stats and the ``archived`` event, on the reactor thread once the capture is committed.

        The counters carry the crawl summary's names (``crawler/run.py``).
        """
        assert self.stats is not None
        if item.kind == "page":
            names = ("pages_fetched", "pages_new" if archived.new_object else "pages_already_archived")
        else:
            names = ("files_archived", "files_new" if archived.new_object else "files_already_archived")
        for name in names:
            self.stats.inc_value(f"govbudget/{name}")
        self.stats.inc_value("govbudget/bytes", len(item.body))
        if archived.store_retries:
            self.stats.inc_value("govbudget/store_retries", archived.store_retries)
        self.events.emit("archived", **archived.event(item))
