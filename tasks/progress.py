"""A Rich progress display fed by the crawl's event stream."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


class CrawlProgress:
    """Shows pages and files archived as they arrive, then parse jobs still pending."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
            console=console, transient=True,
        )
        self.pages = 0
        self.files = 0
        self.task = self.progress.add_task("starting crawl", total=None)

    def __enter__(self) -> CrawlProgress:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)  # type: ignore[arg-type]

    def update(self, event: dict[str, Any]) -> None:
        if event.get("event") == "archived":
            if event.get("kind") == "page":
                self.pages += 1
            else:
                self.files += 1
            text = f"crawling: {self.pages} pages, {self.files} files archived"
        elif event.get("event") == "waiting_for_parse":
            text = f"parsing: {event['pending']} of {event['total']} files pending"
        else:
            return
        self.progress.update(self.task, description=text)
