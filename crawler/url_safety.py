"""Which URLs the crawler may request at all.

Portal pages are untrusted input: a link or a redirect can point at the crawler's own network
(cloud metadata at 169.254.169.254, a database on 10.x). Only http(s) to public addresses is
allowed; loopback is allowed only when the operator says so explicitly (tests and the demo use the
local portal simulator).

Behind a forward proxy (``GOVBUDGET_HTTP_PROXY``) the crawler never connects to a page's host: the
proxy does, so the proxy is where addresses are vetted (as the browser guard's proxy vets Chromium's),
and `check_url` with ``via_proxy`` checks only what is the crawler's own to check: the scheme and
that there is a host. Without a proxy nothing changes.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

ALLOWED_SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True)
class UrlVerdict:
    """Whether a URL may be fetched, and if not, why (logged and counted by the crawl)."""

    allowed: bool
    reason: str = ""


@lru_cache(maxsize=4096)
def _resolve(host: str) -> tuple[str, ...]:
    """All addresses a host name resolves to (cached: a crawl asks about the same hosts often)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return ()
    return tuple(sorted({str(info[4][0]) for info in infos}))


def address_verdict(address: str, allow_loopback: bool) -> UrlVerdict:
    """The rule for one IP address (also applied by `safe_resolver` to every DNS answer)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    if ip.is_loopback:
        if allow_loopback:
            return UrlVerdict(True)
        return UrlVerdict(False, f"loopback address {ip} refused (allow_loopback is off)")
    if ip.is_link_local:
        return UrlVerdict(False, f"link-local address {ip} refused")
    if ip.is_private or ip.is_reserved or ip.is_multicast or ip.is_unspecified:
        return UrlVerdict(False, f"private or reserved address {ip} refused")
    return UrlVerdict(True)


def check_url(url: str, *, allow_loopback: bool = False, via_proxy: bool = False) -> UrlVerdict:
    """Decide whether ``url`` may be requested: scheme, then every address its host resolves to.

    ``via_proxy``: the request goes through the operator's forward proxy, which resolves the name
    and vets the address itself; here only the scheme and the host's presence are checked.
    """
    if via_proxy:
        return _scheme_and_host(url)
    return vetted_addresses(url, allow_loopback=allow_loopback)[0]


def _scheme_and_host(url: str) -> UrlVerdict:
    """The part of the URL rules that needs no address: http(s) and a host."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        return UrlVerdict(False, f"unparsable URL: {exc}")
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        return UrlVerdict(False, f"scheme {parts.scheme or '(none)'!r} refused: only http(s)")
    if not host:
        return UrlVerdict(False, "URL has no host")
    return UrlVerdict(True)


def vetted_addresses(url: str, *, allow_loopback: bool = False) -> tuple[UrlVerdict, tuple[str, ...]]:
    """`check_url`'s verdict together with the addresses it vetted (empty when refused).

    A caller that opens the connection itself (the browser guard's proxy) connects to one of these
    addresses, never to a second lookup of the name, so the address checked is the address used.
    """
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return UrlVerdict(False, f"unparsable URL: {exc}"), ()
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        return UrlVerdict(False, f"scheme {parts.scheme or '(none)'!r} refused: only http(s)"), ()
    host = parts.hostname
    if not host:
        return UrlVerdict(False, "URL has no host"), ()
    try:
        addresses: tuple[str, ...] = (str(ipaddress.ip_address(host)),)
    except ValueError:
        if host.lower() == "localhost" or host.lower().endswith(".localhost"):
            addresses = ("127.0.0.1",)
        else:
            addresses = _resolve(host.lower())
    if not addresses:
        return UrlVerdict(False, f"host {host!r} does not resolve"), ()
    for address in addresses:
        verdict = address_verdict(address, allow_loopback)
        if not verdict.allowed:
            return verdict, ()
    return UrlVerdict(True), addresses
