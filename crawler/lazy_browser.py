"""A Playwright browser provider that starts the Playwright driver on the first browser request.

scrapy-playwright starts its driver (a Node.js process) when the engine starts, and the engine
waits for it before the first download: about a second and a half on our 2-core machine, paid by
every crawl although most portals never need the browser. This provider defers that start to the
first request routed to the browser; everything after it is scrapy-playwright's own, as extended
by ``browser_handler`` (the deadline, and the URL guard's launch flags and context hooks).
"""

from __future__ import annotations

import asyncio

from playwright.async_api import Browser, BrowserContext
from scrapy_playwright.provider import PlaywrightBrowserProvider


class LazyBrowserProvider(PlaywrightBrowserProvider):
    """``PlaywrightBrowserProvider`` whose ``start`` waits until a browser is actually needed."""

    _lock: asyncio.Lock | None = None

    async def start(self) -> None:
        """Called at engine start: do nothing yet (see the module docstring)."""

    async def _started(self) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self.browser_type is None:
                await super().start()

    async def launch_browser(self) -> Browser:
        await self._started()
        return await super().launch_browser()

    async def launch_persistent_context(self, context_kwargs: dict) -> BrowserContext:
        await self._started()
        return await super().launch_persistent_context(context_kwargs)
