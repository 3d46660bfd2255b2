"""PortalSimulator: one local HTTP server hosting every simulated portal under its own path prefix.

Tests and `govbudget demo` run crawlers against it instead of the internet. It serves published
resources with the validators real servers send (ETag, Last-Modified) and answers conditional
requests with 304, so re-crawl logic is exercised too. Standard library only, in a daemon thread.
"""

from __future__ import annotations

import hashlib
import mimetypes
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from govbudget.simulator.background import ServedInBackground
from govbudget.simulator.dynamic import Handler, Reply, SimRequest
from govbudget.simulator.families import render_site
from govbudget.simulator.portals import default_sites
from govbudget.simulator.sites import Disclosure, Resource, Site, SiteInfo
from govbudget.simulator.unseen import unseen_sites

SUITES = ("known", "core", "unseen")  # core: known without the explorer-variant shells (pipeline tests)

LogEntry = tuple[str, str, dict[str, str]]
NOT_FOUND = b"<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center>" \
            b"<hr><center>nginx</center></body></html>\n"


def load_corpus() -> list[Disclosure]:
    """The corpus's rendered disclosures; imported lazily because rendering them takes a while."""
    from govbudget.corpus.documents import disclosures

    return list(disclosures())


class RequestLog(list[LogEntry]):
    """A list of (method, path with query, headers) that handler threads append to under a lock.

    Reads need no lock (CPython list reads are atomic); `snapshot()` gives a stable copy.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def append(self, entry: LogEntry) -> None:
        with self._lock:
            super().append(entry)

    def clear(self) -> None:
        with self._lock:
            super().clear()

    def snapshot(self) -> list[LogEntry]:
        with self._lock:
            return list(self)


def not_modified(headers: dict[str, str], res: Resource) -> bool:
    """RFC 9110: If-None-Match wins over If-Modified-Since; weak comparison for GET/HEAD."""
    inm = headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or res.etag in tags
    ims = headers.get("if-modified-since")
    if not ims:
        return False
    try:
        since = parsedate_to_datetime(ims)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return res.last_modified.replace(microsecond=0) <= since


def robots_txt(disallow: list[str]) -> Resource:
    """One robots.txt for the host (every site shares it, as sites on one host do)."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in disallow), ""]
    return Resource("\n".join(lines).encode(), "text/plain; charset=utf-8", datetime(2020, 1, 1, tzinfo=UTC))


class PortalSimulator(ServedInBackground):
    """Context manager serving the simulated portals on 127.0.0.1 (port 0 picks a free port).

    `documents` defaults to the corpus disclosures; `sites` overrides the default site definitions.
    `suite` picks the default sites: "known" (the families the crawler has adapters for) or "unseen"
    (`govbudget.simulator.unseen`: platforms no adapter knows, scored apart).
    """

    def __init__(self, port: int = 0, host: str = "127.0.0.1", documents: list[Disclosure] | None = None,
                 sites: list[Site] | None = None, suite: str = "known") -> None:
        if suite not in SUITES:
            raise ValueError(f"unknown simulator suite {suite!r}; known: {', '.join(SUITES)}")
        self._host, self._port = host, port
        if sites is None:
            sites = unseen_sites() if suite == "unseen" else default_sites(
                documents if documents is not None else load_corpus(), explorer_variants=suite != "core")
        self._site_defs = sites
        self._lock = threading.Lock()
        self.request_log = RequestLog()
        self._resources: dict[str, Resource] = {}
        self._external: list[str] = []
        self._handlers: list[tuple[str, Handler]] = []
        disallow: list[str] = []
        for site in self._site_defs:
            rendered = render_site(site)
            clash = self._resources.keys() & rendered.resources.keys()
            if clash:
                raise ValueError(f"sites publish the same paths: {sorted(clash)[:3]}")
            self._resources.update(rendered.resources)
            self._external.extend(rendered.external_decoys)
            if rendered.handler is not None:
                self._handlers.append((site.root, rendered.handler))
            disallow.extend(rendered.robots_disallow)
        self._resources["/robots.txt"] = robots_txt(disallow)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle
    def start(self) -> PortalSimulator:
        self._serve((self._host, self._port), _Handler, "simulator", "portal-simulator")
        return self

    # what a test asks of it
    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("PortalSimulator is not running: use it as a context manager or call start()")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def sites(self) -> list[SiteInfo]:
        return [SiteInfo(name=s.name, start_url=self.base_url + s.root, needs_browser=s.needs_browser,
                         region_code=s.region_code, family=s.family) for s in self._site_defs]

    @property
    def start_urls(self) -> list[str]:
        return [s.start_url for s in self.sites]

    def expected_disclosures(self) -> dict[str, Disclosure]:
        """sha256 → document for every disclosure file currently served (reflects `set_file_bytes`)."""
        out: dict[str, Disclosure] = {}
        with self._lock:
            served = [r for r in self._resources.values() if r.document is not None]
        for res in served:
            doc = res.document
            assert doc is not None
            if res.body != doc.data:
                doc = replace(doc, data=res.body)  # type: ignore[type-var]
            out[hashlib.sha256(res.body).hexdigest()] = doc
        return out

    def decoy_urls(self) -> list[str]:
        """Pages and files that look budget-related but are not disclosures, plus off-site links."""
        with self._lock:
            local = [self.base_url + p for p, r in self._resources.items() if r.decoy]
        return sorted(local) + [self.base_url + u if u.startswith("/") else u for u in self._external]

    def disclosure_urls(self) -> dict[str, str]:
        """URL → sha256 of every disclosure file (a file shared by two sites appears twice)."""
        with self._lock:
            return {self.base_url + p: hashlib.sha256(r.body).hexdigest()
                    for p, r in self._resources.items() if r.document is not None}

    def set_file_bytes(self, path: str, data: bytes) -> None:
        """Replace what `path` (URL or path) serves; Last-Modified moves forward so validators change."""
        path = unquote(urlsplit(path).path)
        now = datetime.now(UTC).replace(microsecond=0)
        with self._lock:
            old = self._resources.get(path)
            if old is None:
                ctype = mimetypes.guess_type(path)[0] or "application/octet-stream"
                self._resources[path] = Resource(data, ctype, now)
                return
            stamp = max(now, old.last_modified.astimezone(UTC).replace(microsecond=0) + timedelta(seconds=1))
            self._resources[path] = replace(old, body=data, last_modified=stamp)

    # used by the request handler
    def _lookup(self, path: str) -> Resource | None:
        with self._lock:
            return self._resources.get(path)

    def _handler_for(self, path: str) -> Handler | None:
        return next((h for root, h in self._handlers if path.startswith(root)), None)


class _Handler(BaseHTTPRequestHandler):
    """Static-file semantics: directory index, 301 to the slash form, 404, conditional 304, HEAD."""

    server_version = "nginx"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return self.server_version

    @property
    def sim(self) -> PortalSimulator:
        return self.server.simulator  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: object) -> None:
        """Silenced: the request log is kept in memory for tests instead of spamming stderr."""

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def do_POST(self) -> None:
        length = min(int(self.headers.get("Content-Length") or 0), 1 << 20)
        body = self.rfile.read(length)
        headers = self._record()
        if self._dynamic(headers, body, send_body=True):
            return
        self._reply(405, b"", "text/html", {"Allow": "GET, HEAD"}, send_body=True)

    def _record(self) -> dict[str, str]:
        """Log the request; return its headers with lower-case names for lookups."""
        self.sim.request_log.append((self.command, self.path, dict(self.headers.items())))
        return {k.lower(): v for k, v in self.headers.items()}

    def _dynamic(self, headers: dict[str, str], body: bytes, send_body: bool) -> bool:
        """Let the site's handler answer; True when it did."""
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        handler = self.sim._handler_for(path)
        if handler is None:
            return False
        req = SimRequest(self.command, path, parse_qs(parts.query, keep_blank_values=True), headers, body)
        reply = handler(req, self.sim._lookup)
        if reply is None:
            return False
        if reply.resource is not None:
            self._send_resource(headers, reply.resource, send_body, dict(reply.headers))
            return True
        extra = dict(reply.headers)
        if reply.declared_length is not None:
            self._reply_declared(reply, send_body)
            return True
        self._reply(reply.status, reply.body, reply.content_type, extra, send_body)
        return True

    def _reply_declared(self, reply: Reply, send_body: bool) -> None:
        """Announce a huge body and send only its first bytes: a client must decide from the headers."""
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type or "application/octet-stream")
            self.send_header("Content-Length", str(reply.declared_length))
            for name, value in reply.headers:
                self.send_header(name, value)
            self.end_headers()
            if send_body:
                self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def _serve(self, send_body: bool) -> None:
        headers = self._record()
        if self._dynamic(headers, b"", send_body):
            return
        path = unquote(urlsplit(self.path).path)
        res = self.sim._lookup(path + "index.html" if path.endswith("/") else path)
        if res is None and not path.endswith("/") and self.sim._lookup(path + "/index.html") is not None:
            self._reply(301, b"", "text/html", {"Location": path + "/"}, send_body)
            return
        if res is None:
            self._reply(404, NOT_FOUND, "text/html", {}, send_body)
            return
        self._send_resource(headers, res, send_body, {})

    def _send_resource(self, headers: dict[str, str], res: Resource, send_body: bool,
                       extra: dict[str, str]) -> None:
        validators = {"Last-Modified": format_datetime(res.last_modified.astimezone(UTC), usegmt=True),
                      "ETag": res.etag}
        if not_modified(headers, res):
            self._reply(304, b"", None, validators, send_body)
            return
        self._reply(200, res.body, res.content_type, {**validators, **dict(res.headers), **extra}, send_body)

    def _reply(self, status: int, body: bytes, ctype: str | None, extra: dict[str, str],
               send_body: bool) -> None:
        try:
            self.send_response(status)
            if ctype:
                self.send_header("Content-Type", ctype)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            if send_body and status != 304:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

