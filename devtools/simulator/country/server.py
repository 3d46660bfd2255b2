"""CountrySimulator: every host of the simulated country on one local port, routed by host name.

A request names its host either in the ``Host`` header (a client connecting to `address` directly)
or in the request line's absolute URL (a client using the simulator as its HTTP proxy,
``GET http://www.linzhang.gov.cn/ HTTP/1.1``). Either way the host picks the `VirtualHost` whose pages
answer; a host the country does not have answers 404 from no page (through the proxy, the client
would otherwise have had a DNS failure: `resolves` says which names exist). The request handling
itself (404, 301 to the slash form, conditional 304, site handlers) is the portal simulator's.
"""

from __future__ import annotations

import hashlib
import threading
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit, urlunsplit

from govbudget.simulator.background import ServedInBackground
from govbudget.simulator.country.build import Country, VirtualHost, build
from govbudget.simulator.dynamic import Handler, Lookup, Reply, SimRequest
from govbudget.simulator.server import RequestLog, _Handler
from govbudget.simulator.sites import Disclosure, Resource


class HostView:
    """One virtual host seen through the interface `_Handler` asks of a simulator."""

    def __init__(self, vhost: VirtualHost, log: RequestLog) -> None:
        self._vhost = vhost
        self.request_log = log

    def _lookup(self, path: str) -> Resource | None:
        return self._vhost.resources.get(path)

    def _handler_for(self, path: str) -> Handler | None:
        matching = [h for root, h in self._vhost.handlers if path.startswith(root)]
        if not matching:
            return None

        def handle(req: SimRequest, lookup: Lookup) -> Reply | None:
            return next((r for h in matching if (r := h(req, lookup)) is not None), None)

        return handle


class _HostHandler(_Handler):
    """The portal simulator's handler, answering for the host the request names."""

    _host = ""

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        parts = urlsplit(self.path)
        if parts.scheme and parts.netloc:  # absolute form: we are the client's proxy
            self._host = (parts.hostname or "").lower()
            self.path = urlunsplit(("", "", parts.path or "/", parts.query, ""))
        else:
            self._host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip().lower()
        return True

    @property
    def sim(self) -> HostView:  # type: ignore[override]
        server = self.server.country_sim  # type: ignore[attr-defined]
        return server.view(self._host)


class CountrySimulator(ServedInBackground):
    """Context manager serving the simulated country on 127.0.0.1 (port 0 picks a free port)."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self.country: Country = build()
        self._bind = (host, port)
        self.request_log = RequestLog()
        self._views = {name: HostView(v, self.request_log) for name, v in self.country.hosts.items()}
        self._nowhere = HostView(VirtualHost(""), self.request_log)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def view(self, host: str) -> HostView:
        return self._views.get(host, self._nowhere)

    def start(self) -> CountrySimulator:
        self._serve(self._bind, _HostHandler, "country_sim", "country-simulator")
        return self

    @property
    def address(self) -> tuple[str, int]:
        """(IP, port) every host of the country is served at."""
        if self._server is None:
            raise RuntimeError("CountrySimulator is not running: use it as a context manager or call start()")
        ip, port = self._server.server_address[:2]
        return str(ip), int(port)

    @property
    def proxy_url(self) -> str:
        """Give this to a client as its HTTP proxy: it then fetches the country's real-looking URLs."""
        ip, port = self.address
        return f"http://{ip}:{port}"

    @property
    def hosts(self) -> list[str]:
        """Every host name that exists in the country (any other name does not resolve)."""
        return sorted(self._views)

    def host_addresses(self) -> dict[str, str]:
        """Host → IP address, the map a client's resolver answers from instead of DNS in tests."""
        ip = self.address[0]
        return {name: ip for name in self.hosts}

    def resolves(self, host: str) -> bool:
        return host.lower() in self._views

    def expected_disclosures(self) -> dict[str, Disclosure]:
        """sha256 → document for every disclosure file the country serves."""
        out: dict[str, Disclosure] = {}
        for vhost in self.country.hosts.values():
            for res in vhost.resources.values():
                if res.document is not None:
                    out[hashlib.sha256(res.body).hexdigest()] = res.document
        return out
