"""A Rich progress display fed by the crawl's event stream."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


class CrawlProgress:
    """Shows pages, files and archive members archived as they arrive."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
            console=console, transient=True,
        )
        self.pages = 0
        self.files = 0
        self.members = 0
        self.task = self.progress.add_task("starting crawl", total=None)

    def __enter__(self) -> CrawlProgress:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)  # type: ignore[arg-type]

    def update(self, event: dict[str, Any]) -> None:
        if event.get("event") != "archived":
            return
        if event.get("kind") == "page":
            self.pages += 1
        elif event.get("member"):
            self.members += 1
        else:
            self.files += 1
        text = f"crawling: {self.pages} pages, {self.files} files archived"
        if self.members:
            text += f" ({self.members} more taken out of ZIP/RAR files)"
        self.progress.update(self.task, description=text)
