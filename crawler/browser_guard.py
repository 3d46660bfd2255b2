"""The browser obeys the crawler's URL policy: every connection Chromium makes is vetted (issue #11).

A page rendered in Chromium runs the portal's JavaScript, and that script can ask the browser for
anything: ``fetch()`` to 10.0.0.5, an iframe on 169.254.169.254, a WebSocket to a database port, a
302 to ``http://0.0.0.0:6379/``. Scrapy's plain path refuses those (``UrlSafetyMiddleware`` and
``PublicOnlyResolver``); the browser must refuse them too. Playwright's request routing alone cannot
do it: a route never sees redirect hops (Chromium follows a 3xx itself, even one the route fulfilled),
nor WebSockets, preconnects or WebRTC, and Chromium resolves names for itself, so a check before the
request is not the address it connects to (DNS rebinding).

So the enforcement sits where every byte must pass: Chromium is launched with a proxy that lives in
the crawl process, ``--proxy-bypass-list=<-loopback>`` so loopback goes through it too, and
``--host-resolver-rules`` that make every name except the proxy's address unresolvable, so nothing
can reach the network beside the proxy. For each connection the proxy (``VettingProxy``) takes the
URL (plain HTTP) or ``host:port`` (a CONNECT tunnel: HTTPS, WebSocket), applies
``url_safety.vetted_addresses`` (the same scheme and address rules as ``check_url``) and connects to
one of the very addresses it vetted, never to a second lookup. Redirect hops, iframes, workers,
popups and WebSockets are all just connections to it. A refused plain-HTTP request gets no answer at
all (a proxy's answer to an ``http://`` URL would pass for the origin's page, and be archived under
a private ``final_url``); a refused tunnel gets a 403, which Chromium reports as a failed tunnel.

On top of that, in the browser context (``BrowserGuard.install``): every routed request is checked
first, so a refusal is recorded with its full URL (the proxy sees only ``host:port`` of HTTPS) and
costs no connection; WebSockets are refused (only http(s) is allowed, as in ``check_url``); service
workers are blocked (the handler creates contexts with ``service_workers="block"``), and popups are
closed. WebRTC may only use proxied TCP, so no UDP leaves the browser either.

Each refusal calls ``on_refused(url, reason, referrer)``; the download handler counts it in
``govbudget/refused_urls``, the counter the crawl summary reports, and emits a ``refused`` event.

Not chosen: fetching every routed request in Python (``route.fetch(max_redirects=0)``, or Scrapy's
own handler) and fulfilling it. A fulfilled 3xx is still followed by Chromium unrouted (measured),
so navigations would have to be redirected by hand, through Playwright internals, losing each
hop's cookies; ``route.fetch`` runs in Playwright's Node driver, which resolves names for itself;
and WebSockets, preconnects and WebRTC would still pass beside it. The price of the proxy: plain
HTTP costs one connection per request (HTTPS tunnels are kept alive as usual), and Chromium's own
background connections (its updater, say) meet the policy too: refused and counted where they do
not resolve, as on an offline test machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from govbudget.crawler.url_safety import UrlVerdict, vetted_addresses

logger = logging.getLogger(__name__)

Refused = Callable[[str, str, "str | None"], None]

# schemes that never touch the network: a route may see them, the policy has nothing to say
_LOCAL_SCHEMES = frozenset({"data", "blob", "about"})
_HEAD_LIMIT = 64 * 1024
_RETRY_WINDOW_S = 2.0
_HOP_BY_HOP = frozenset({b"connection", b"keep-alive", b"proxy-connection", b"proxy-authorization",
                         b"proxy-authenticate", b"te", b"trailer", b"upgrade"})
_REFUSED_TUNNEL = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
_TUNNEL_OPEN = b"HTTP/1.1 200 Connection Established\r\n\r\n"


class BrowserGuard:
    """The URL policy for one crawl's browser: its proxy, its Chromium flags, its context hooks."""

    def __init__(self, *, allow_loopback: bool, on_refused: Refused, connect_timeout: float = 30.0) -> None:
        self.allow_loopback = allow_loopback
        self._on_refused = on_refused
        self.proxy = VettingProxy(self, connect_timeout=connect_timeout)
        self._recent: OrderedDict[str, tuple[str, float]] = OrderedDict()  # URL -> (reason, when)
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- the policy --------------------------------------------------------------------------------
    async def vet(self, url: str) -> tuple[UrlVerdict, tuple[str, ...]]:
        """``vetted_addresses`` off the event loop (a DNS lookup blocks)."""
        loop = asyncio.get_running_loop()
        allow_loopback = self.allow_loopback
        return await loop.run_in_executor(None, lambda: vetted_addresses(url, allow_loopback=allow_loopback))

    def refuse(self, url: str, reason: str, referrer: str | None = None) -> None:
        """Record one refusal: remembered for `refusal_of`, reported through ``on_refused``.

        Chromium sends a request again once when its connection closes without an answer; the
        same refusal within ``_RETRY_WINDOW_S`` is that retry, not a second request, and is not
        reported twice.
        """
        now = time.monotonic()
        previous = self._recent.pop(url, None)
        self._recent[url] = (reason, now)
        while len(self._recent) > 1000:
            self._recent.popitem(last=False)
        if previous is not None and previous[0] == reason and now - previous[1] < _RETRY_WINDOW_S:
            return
        logger.warning("browser request refused: %s (%s)", url, reason)
        self._on_refused(url, reason, referrer)

    def refusal_of(self, url: str) -> str | None:
        """Why ``url`` (or the tunnel to its host) was refused lately, if it was."""
        seen = self._recent.get(url)
        parts = urlsplit(url)
        if seen is None and parts.scheme == "https" and parts.hostname:
            seen = self._recent.get(_tunnel_url(parts.netloc if parts.port else f"{parts.netloc}:443"))
        return seen[0] if seen else None

    # -- Chromium ------------------------------------------------------------------------------------
    async def start(self) -> None:
        await self.proxy.start()

    async def close(self) -> None:
        await self.proxy.close()
        for task in list(self._tasks):
            task.cancel()

    def chromium_args(self) -> list[str]:
        """Launch flags: everything through the proxy; no name but the proxy's resolves; no UDP."""
        if self.proxy.port is None:
            raise RuntimeError("BrowserGuard.start() must be awaited before chromium_args()")
        return [
            f"--proxy-server=http://127.0.0.1:{self.proxy.port}",
            "--proxy-bypass-list=<-loopback>",  # Chromium sends loopback around a proxy otherwise
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",  # the proxy's own address
            "--webrtc-ip-handling-policy=disable_non_proxied_udp",
        ]

    async def install(self, context: Any) -> None:
        """Guard one browser context: its requests, its WebSockets, its popups."""
        await context.route("**/*", self._route)
        await context.route_web_socket(re.compile(r".*"), self._websocket)
        context.on("page", self._new_page)

    async def allows(self, request: Any) -> bool:
        """The routed request passes the policy; if not, it is recorded (its page as referrer)."""
        url = request.url
        if urlsplit(url).scheme.lower() in _LOCAL_SCHEMES:
            return True
        verdict, _ = await self.vet(url)
        if verdict.allowed:
            return True
        self.refuse(url, verdict.reason, _page_url(request))
        return False

    async def _route(self, route: Any, request: Any) -> None:
        """Context route: requests no page route handled first (popups, workers) and the fallbacks."""
        with contextlib.suppress(Exception):  # the page may be gone by now
            if await self.allows(request):
                await route.fallback()
            else:
                await route.abort("blockedbyclient")

    async def _websocket(self, ws: Any) -> None:
        verdict, _ = await self.vet(ws.url)
        reason = verdict.reason or "WebSocket refused: only http(s)"
        self.refuse(ws.url, reason)
        with contextlib.suppress(Exception):
            await ws.close(code=1008, reason="refused by the crawler's URL policy")

    def _new_page(self, page: Any) -> None:
        task = asyncio.ensure_future(self._close_popup(page))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _close_popup(self, page: Any) -> None:
        """A page opened by a page (``window.open``) is no listing: close it."""
        with contextlib.suppress(Exception):
            if await page.opener() is not None:
                logger.info("browser popup closed: %s", page.url)
                await asyncio.wait_for(page.close(), 10)


class VettingProxy:
    """An HTTP proxy on 127.0.0.1 that connects only where the URL policy allows.

    One request per plain-HTTP connection (``Connection: close`` both ways), so every request is
    vetted on its own; CONNECT tunnels are vetted by ``host:port`` and then carry bytes unchanged.
    """

    def __init__(self, guard: BrowserGuard, *, connect_timeout: float) -> None:
        self.guard = guard
        self.connect_timeout = connect_timeout
        self.port: int | None = None
        self._server: asyncio.Server | None = None
        self._lock = asyncio.Lock()
        self._conns: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        async with self._lock:
            if self._server is None:
                self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, limit=_HEAD_LIMIT)
                self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._conns):
                task.cancel()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._conns.add(task)
        upstream: asyncio.StreamWriter | None = None
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self.connect_timeout)
            method, target, head = _parse_head(head)
            tunnel = method == "CONNECT"
            url = _tunnel_url(target) if tunnel else target
            verdict, addresses = await self.guard.vet(url)
            if verdict.allowed and not tunnel and not url.lower().startswith("http://"):
                verdict = UrlVerdict(False, "proxy request is not an absolute http:// URL")
            if not verdict.allowed:
                self.guard.refuse(url, verdict.reason, _referer(head))
                if tunnel:
                    writer.write(_REFUSED_TUNNEL)
                    await writer.drain()
                return  # plain HTTP: no answer at all, so Chromium reports a failure, not a page
            port = urlsplit(url).port or 80
            up_reader, upstream = await self._connect(addresses, port)
            if tunnel:
                writer.write(_TUNNEL_OPEN)
                await writer.drain()
                await _splice(reader, writer, up_reader, upstream)
            else:
                upstream.write(head)
                await upstream.drain()
                await _relay_one(reader, writer, up_reader, upstream)
        except (OSError, EOFError, ValueError, TimeoutError, asyncio.IncompleteReadError,
                asyncio.LimitOverrunError):
            pass
        finally:
            for w in (upstream, writer):
                if w is not None:
                    w.close()
            if task is not None:
                self._conns.discard(task)

    async def _connect(self, addresses: tuple[str, ...], port: int) -> tuple[asyncio.StreamReader,
                                                                             asyncio.StreamWriter]:
        """Connect to the first vetted address that answers (never to a fresh lookup of the name)."""
        error: Exception = OSError("no address")
        for address in addresses:
            try:
                return await asyncio.wait_for(asyncio.open_connection(address, port), self.connect_timeout)
            except (OSError, TimeoutError) as exc:
                error = exc
        raise error


def _tunnel_url(target: str) -> str:
    """The URL a CONNECT target is checked as (HTTPS on 443, else plain: only host and port matter)."""
    scheme = "https" if target.endswith(":443") else "http"
    return f"{scheme}://{target}/"


def _referer(head: bytes) -> str | None:
    """The Referer a plain-HTTP request carries (the page, or the URL that redirected here)."""
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"referer":
            return value.strip().decode("latin-1")
    return None


def _parse_head(head: bytes) -> tuple[str, str, bytes]:
    """Method, target, and the head to send upstream: origin-form, hop-by-hop headers dropped."""
    lines = head[:-4].split(b"\r\n")
    method, target, version = lines[0].decode("latin-1").split(" ", 2)
    if method == "CONNECT":
        return method, target, head
    parts = urlsplit(target)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    kept = [line for line in lines[1:] if line.split(b":", 1)[0].strip().lower() not in _HOP_BY_HOP]
    out = [f"{method} {path} {version}".encode("latin-1"), *kept, b"Connection: close", b"", b""]
    return method, target, b"\r\n".join(out)


async def _relay_one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                     up_reader: asyncio.StreamReader, upstream: asyncio.StreamWriter) -> None:
    """One request's body up, its response down; then the connection ends.

    The response goes down with ``Connection: close``, so Chromium never sends a second request on
    this connection (that one would reach this upstream unvetted): it opens a new one, vetted anew.
    """
    tasks = {asyncio.ensure_future(_copy(reader, upstream)),
             asyncio.ensure_future(_response_down(up_reader, writer))}
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


async def _response_down(up_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while True:
        head = await up_reader.readuntil(b"\r\n\r\n")
        lines = head[:-4].split(b"\r\n")
        status = lines[0].split(b" ", 2)[1] if lines[0].count(b" ") else b""
        if not status.startswith(b"1") or status == b"101":
            break
        writer.write(head)  # 100 Continue and the like: the final head follows
    kept = [line for line in lines[1:] if line.split(b":", 1)[0].strip().lower() not in _HOP_BY_HOP]
    writer.write(b"\r\n".join([lines[0], *kept, b"Connection: close", b"", b""]))
    await writer.drain()
    await _copy(up_reader, writer)


async def _copy(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
    while chunk := await src.read(65536):
        dst.write(chunk)
        await dst.drain()


async def _splice(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                  up_reader: asyncio.StreamReader, upstream: asyncio.StreamWriter) -> None:
    """Both directions of a tunnel until either side closes."""
    tasks = {asyncio.ensure_future(_copy(reader, upstream)), asyncio.ensure_future(_copy(up_reader, writer))}
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


def _page_url(request: Any) -> str | None:
    """The URL of the page that made ``request`` (its referrer in the refusal record)."""
    with contextlib.suppress(Exception):
        return str(request.frame.page.url)
    return None
