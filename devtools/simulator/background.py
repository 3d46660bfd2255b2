"""An HTTP server run on a daemon thread, started and stopped by its owner (or a ``with`` block).

Both simulators (the portal families and the simulated country) serve this way; what differs is
only the handler and the attribute through which the handler reaches its simulator.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self


class ServedInBackground:
    """Start/stop/context-manager plumbing around one `ThreadingHTTPServer`."""

    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def _serve(self, bind: tuple[str, int], handler: type[BaseHTTPRequestHandler], attribute: str,
               name: str) -> None:
        """Bind and serve on a daemon thread; the handler finds ``self`` as ``server.<attribute>``."""
        if self._server is not None:
            return
        server = ThreadingHTTPServer(bind, handler)
        server.daemon_threads = True
        setattr(server, attribute, self)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=name, daemon=True)
        self._thread.start()

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
