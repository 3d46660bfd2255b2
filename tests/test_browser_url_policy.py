"""The browser obeys the URL policy (issue #11): a rendered page's scripts reach no private address.

Canary servers listen on private and reserved addresses of this machine (192.0.2.2 and fd00::2
are added to ``lo`` for the test; 0.0.0.0 is every local address, loopback included) and count
every connection and UDP datagram. A portal on 127.0.0.1 (``allow_loopback`` on, as for the
simulator) serves a list that JavaScript builds, whose scripts aim fetch, XHR, an iframe, a
WebSocket, an image, a worker, a popup, a redirecting fetch and WebRTC at the canaries, and a page
that redirects to one. A real crawl runs through ``run_crawl`` with and without the portal as a
render host; the canaries must see nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from govbudget.crawler import url_safety
from govbudget.crawler.browser_guard import BrowserGuard
from govbudget.storage.keys import content_key

SECRET = f"CANARY-{uuid.uuid4().hex}"
RENDERED = "RENDERED-BY-BROWSER"


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def private_addresses() -> Iterator[None]:
    """192.0.2.2 (documentation range) and fd00::2 (ULA) on the loopback device, removed after."""
    if shutil.which("ip") is None:
        pytest.fail("the `ip` command (iproute2) is needed to put canary addresses on lo")
    added: list[tuple[str, ...]] = []
    for family, address in (("-4", "192.0.2.2/32"), ("-6", "fd00::2/128")):
        if f" {address} " in _ip(family, "addr", "show", "dev", "lo").stdout:
            continue  # left by an earlier run: use it, leave it
        done = _ip(family, "addr", "add", address, "dev", "lo")
        if done.returncode != 0:
            pytest.fail(f"cannot add {address} to lo: {done.stderr.strip()} (the test runs as root)")
        added.append((family, "addr", "del", address, "dev", "lo"))
    try:
        yield
    finally:
        for command in added:
            _ip(*command)


class Canary:
    """A TCP server that answers every connection with the secret, and counts them."""

    def __init__(self, host: str, family: socket.AddressFamily) -> None:
        self.hits: list[bytes] = []
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        body = SECRET.encode()
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.hits.append(conn.recv(200))
                except OSError:
                    self.hits.append(b"")
                with contextlib.suppress(OSError):
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                                 b"Access-Control-Allow-Origin: *\r\nContent-Length: %d\r\n"
                                 b"Connection: close\r\n\r\n%s" % (len(body), body))

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


class UdpCanary:
    """Counts datagrams (a WebRTC STUN request is one)."""

    def __init__(self, host: str) -> None:
        self.hits: list[bytes] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                self.hits.append(self.sock.recv(2048))

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture(scope="module")
def canaries(private_addresses: None) -> Iterator[dict[str, Any]]:
    made = {"v4": Canary("192.0.2.2", socket.AF_INET), "v6": Canary("fd00::2", socket.AF_INET6),
            "any": Canary("0.0.0.0", socket.AF_INET), "udp": UdpCanary("192.0.2.2")}
    try:
        yield made
    finally:
        for canary in made.values():
            canary.close()


def _portal_page(c: dict[str, Any]) -> bytes:
    v4, v6, any_ = (f"http://192.0.2.2:{c['v4'].port}", f"http://[fd00::2]:{c['v6'].port}",
                    f"http://0.0.0.0:{c['any'].port}")
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>2024年部门预算公开</title>
<link rel="preconnect" href="{v4}"></head><body><div id="list"></div>
<script>
function put(t) {{ document.getElementById('list').append(t + ' '); }}
fetch('/list/data').then(r => r.json()).then(d => put(d.marker));
fetch('{v4}/fetch').then(r => r.text()).then(put).catch(() => 0);
var x = new XMLHttpRequest(); x.open('GET', '{v6}/xhr'); x.onload = () => put(x.responseText); x.send();
fetch('{any_}/zero').then(r => r.text()).then(put).catch(() => 0);
fetch('/list/redirect').then(r => r.text()).then(put).catch(() => 0);
var f = document.createElement('iframe'); f.src = '{v4}/iframe'; document.body.appendChild(f);
try {{ var ws = new WebSocket('ws://192.0.2.2:{c['v4'].port}/ws'); ws.onmessage = e => put(e.data); }}
catch (e) {{}}
new Image().src = '{v6}/img.png';
new Worker('/list/worker.js');
window.open('{v4}/popup');
try {{
  var pc = new RTCPeerConnection({{iceServers: [{{urls: 'stun:192.0.2.2:{c['udp'].port}'}}]}});
  pc.createDataChannel('d'); pc.createOffer().then(o => pc.setLocalDescription(o));
}} catch (e) {{}}
</script></body></html>""".encode()


@pytest.fixture(scope="module")
def portal(canaries: dict[str, Any]) -> Iterator[str]:
    """The portal on 127.0.0.1: a list built by script, and a page that redirects to a canary."""
    page = _portal_page(canaries)
    routes: dict[str, tuple[int, str, bytes, dict[str, str]]] = {
        "/list/": (200, "text/html; charset=utf-8", page, {}),
        "/list/data": (200, "application/json", b'{"marker": "%s"}' % RENDERED.encode(), {}),
        "/list/worker.js": (200, "application/javascript",
                            f"fetch('http://0.0.0.0:{canaries['any'].port}/worker')".encode(), {}),
        "/list/redirect": (302, "text/plain", b"",
                           {"Location": f"http://[fd00::2]:{canaries['v6'].port}/viaredirect"}),
        "/moved/": (302, "text/plain", b"", {"Location": f"http://192.0.2.2:{canaries['v4'].port}/landing"}),
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, ctype, body, extra = routes.get(urlsplit(self.path).path, (404, "text/plain", b"no", {}))
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


# what the page aims at the canaries, by the path each request carries
AIMED = ["/fetch", "/xhr", "/zero", "/iframe", "/ws", "/img.png", "/worker", "/viaredirect", "/popup"]


def _crawl(tmp: Path, portal: str, render_hosts: list[str]) -> dict[str, Any]:
    from govbudget.tasks.crawl import crawl_config, run_crawl
    from govbudget.tasks.runtime import configure
    from govbudget.tasks.settings import Settings

    svc = configure(Settings.from_env(data_dir=tmp, allow_loopback=True))
    events: list[dict[str, Any]] = []
    config = crawl_config(svc.settings, [f"{portal}/list/", f"{portal}/moved/"],
                          render_hosts=tuple(render_hosts))
    summary = run_crawl(svc, config, on_event=events.append)
    captures = list(svc.catalog.captures())
    bodies = {c.id: svc.store.get(content_key(c.sha256)) for c in captures}
    return {"summary": summary, "events": events, "captures": captures, "bodies": bodies, "dir": tmp}


@pytest.mark.parametrize("render_host", [False, True], ids=["rendered-on-demand", "render-host"])
def test_browser_reaches_no_private_address(
    canaries: dict[str, Any], portal: str, tmp_path: Path, render_host: bool
) -> None:
    for canary in canaries.values():
        canary.hits.clear()
    got = _crawl(tmp_path, portal, ["127.0.0.1"] if render_host else [])
    summary, events, captures = got["summary"], got["events"], got["captures"]

    # the browser did render the list, and its same-origin fetch went through
    rendered = [c for c in captures if c.via == "browser" and RENDERED.encode() in got["bodies"][c.id]]
    assert rendered, [(c.url, c.via) for c in captures]
    assert summary.browser_requests > 0

    # nothing reached a canary: no connection, no datagram
    assert {name: c.hits for name, c in canaries.items()} == {"v4": [], "v6": [], "any": [], "udp": []}

    # no canary bytes anywhere in the archive, the catalog or the logs
    for path in Path(got["dir"]).rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path

    # every attempt was refused, with its reason, and counted in the crawl summary
    refused = [e for e in events if e["event"] == "refused"]
    by_path = {urlsplit(e["url"]).path: e for e in refused}
    for aimed in AIMED:
        assert aimed in by_path, (aimed, [e["url"] for e in refused])
        reason = by_path[aimed]["reason"]
        assert "refused" in reason and ("private or reserved address" in reason or "scheme 'ws'" in reason)
    assert by_path["/fetch"]["reason"] == "private or reserved address 192.0.2.2 refused"
    assert by_path["/xhr"]["reason"] == "private or reserved address fd00::2 refused"
    assert by_path["/zero"]["reason"] == "private or reserved address 0.0.0.0 refused"
    assert by_path["/fetch"]["referrer"] == f"{portal}/list/"
    assert by_path["/landing"]["reason"] == "private or reserved address 192.0.2.2 refused"
    if render_host:  # the 302 was followed by the browser, and refused there
        assert by_path["/landing"]["via"] == "browser"
    assert summary.refused_urls == len(refused)

    # no capture ends on a refused address, and the redirecting page archived nothing
    for capture in captures:
        for url in (capture.url, capture.final_url or capture.url):
            assert url_safety.check_url(url, allow_loopback=True).allowed, url
            assert urlsplit(url).hostname == "127.0.0.1", url
    assert not [c for c in captures if c.url.endswith("/moved/")]


# -- the guard's proxy on its own: names are vetted, and the vetted address is the one connected --
async def _through_proxy(guard: BrowserGuard, request: bytes) -> bytes:
    await guard.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", guard.proxy.port)
    writer.write(request)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    await guard.close()
    return answer


def test_proxy_refuses_a_name_that_resolves_to_a_private_address(
    canaries: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(url_safety, "_resolve",
                        lambda host: ("192.0.2.2",) if host == "intranet.test" else ())
    canaries["v4"].hits.clear()
    seen: list[tuple[str, str, str | None]] = []
    port = canaries["v4"].port
    guard = BrowserGuard(allow_loopback=True, on_refused=lambda *a: seen.append(a))
    plain = asyncio.run(_through_proxy(guard, f"GET http://intranet.test:{port}/x HTTP/1.1\r\n"
                                              f"Host: intranet.test:{port}\r\n\r\n".encode()))
    guard = BrowserGuard(allow_loopback=True, on_refused=lambda *a: seen.append(a))
    tunnel = asyncio.run(_through_proxy(guard, f"CONNECT intranet.test:{port} HTTP/1.1\r\n\r\n".encode()))
    assert plain == b""  # no answer at all: Chromium must not take a proxy's reply for the page
    assert tunnel.startswith(b"HTTP/1.1 403")
    assert seen == [(f"http://intranet.test:{port}/x", "private or reserved address 192.0.2.2 refused", None),
                    (f"http://intranet.test:{port}/", "private or reserved address 192.0.2.2 refused", None)]
    assert canaries["v4"].hits == []


def test_proxy_connects_to_the_address_it_vetted(portal: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``portal.test`` resolves only through the patched lookup: the proxy cannot have asked again."""
    monkeypatch.setattr(url_safety, "_resolve", lambda host: ("127.0.0.1",) if host == "portal.test" else ())
    port = urlsplit(portal).port
    guard = BrowserGuard(allow_loopback=True, on_refused=lambda *a: pytest.fail(f"refused {a}"))
    answer = asyncio.run(_through_proxy(guard, f"GET http://portal.test:{port}/list/data HTTP/1.1\r\n"
                                               f"Host: portal.test:{port}\r\nConnection: keep-alive\r\n\r\n"
                                               .encode()))
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200") and b"Connection: close" in head
    assert RENDERED.encode() in body
