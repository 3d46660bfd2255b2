"""The crawl's event stream: one JSON object per line on the crawl process's standard output.

The parent process (a CLI command or a Celery task) reads it to dispatch parsing as files are
archived and to build the summary; logs go to standard error so the two never mix.
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any, TextIO

from scrapy.settings import BaseSettings


class EventSink:
    """Writes events as JSON lines to a stream (standard output unless told otherwise)."""

    _lock = threading.Lock()

    def __init__(self, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.stream = stream or sys.stdout
        self.enabled = enabled

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> EventSink:
        return cls(enabled=settings.getbool("GOVBUDGET_EMIT_EVENTS", True))

    def emit(self, event: str, **fields: Any) -> None:
        if not self.enabled:
            return
        line = json.dumps({"event": event, **fields}, ensure_ascii=False, default=str)
        with self._lock:
            self.stream.write(line + "\n")
            self.stream.flush()
