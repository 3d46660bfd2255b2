"""Start URLs are checked, and written the way a browser would, before a crawl process is started.

The crawler checks every request again; refusing here gives the user a clear error for the URL
they typed instead of a crawl that silently fetched nothing. A start URL is first normalised as
Scrapy normalises every request (w3lib's WHATWG host parsing: ``http://2130706433/``,
``http://0x7f000001/`` and ``http://0177.0.0.1/`` are all ``http://127.0.0.1/``, names are
lower-cased and IDNA-encoded): the spider stays on its start URLs' hosts, and a start URL written
otherwise than the requests it becomes would be off its own site, filtered before its first fetch.
A host the crawler cannot reach at all, an IPv6 address (its resolver is IPv4-only), is refused
here too.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from w3lib.url import safe_url_string

from govbudget.crawler.url_safety import check_url


class UnsafeUrl(ValueError):
    """A start URL points somewhere the crawler must not (or cannot) go."""


def normalise_start_url(url: str) -> str:
    """`url` as the crawler requests it (see the module docstring); ``UnsafeUrl`` when it has no
    such form (an IPv4-looking host out of range, say)."""
    try:
        return safe_url_string(url.strip())
    except ValueError as exc:
        raise UnsafeUrl(f"{url}: invalid URL: {exc}") from exc


def refuse_unsafe_start_urls(urls: list[str], *, allow_loopback: bool, via_proxy: bool = False) -> list[str]:
    """Return ``urls`` normalised, or raise ``UnsafeUrl`` naming the first refused one and why.

    ``via_proxy``: the crawl goes through a forward proxy, which vets addresses (``url_safety``)."""
    if not urls:
        raise UnsafeUrl("no start URL given")
    normalised = []
    for url in urls:
        start = normalise_start_url(url)
        shown = url if start == url else f"{url} (= {start})"
        verdict = check_url(start, allow_loopback=allow_loopback, via_proxy=via_proxy)
        if not verdict.allowed:
            hint = ""
            if "loopback" in verdict.reason:
                hint = " (pass --allow-loopback or GOVBUDGET_ALLOW_LOOPBACK=1)"
            raise UnsafeUrl(f"{shown}: {verdict.reason}{hint}")
        if _is_ipv6(urlsplit(start).hostname or ""):
            raise UnsafeUrl(f"{shown}: IPv6 addresses cannot be crawled (the crawler's resolver is "
                            "IPv4-only); give the host name or its IPv4 address")
        normalised.append(start)
    return normalised


def _is_ipv6(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).version == 6
    except ValueError:
        return False
