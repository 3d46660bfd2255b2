"""Start URLs are checked before a crawl process is even started.

The crawler checks every request again; refusing here gives the user a clear error for the URL
they typed instead of a crawl that silently fetched nothing.
"""

from __future__ import annotations

from govbudget.crawler.url_safety import check_url


class UnsafeUrl(ValueError):
    """A start URL points somewhere the crawler must not go."""


def refuse_unsafe_start_urls(urls: list[str], *, allow_loopback: bool) -> list[str]:
    """Return ``urls`` unchanged, or raise ``UnsafeUrl`` naming the first refused one and why."""
    if not urls:
        raise UnsafeUrl("no start URL given")
    for url in urls:
        verdict = check_url(url, allow_loopback=allow_loopback)
        if not verdict.allowed:
            hint = ""
            if "loopback" in verdict.reason:
                hint = " (pass --allow-loopback or GOVBUDGET_ALLOW_LOOPBACK=1)"
            raise UnsafeUrl(f"{url}: {verdict.reason}{hint}")
    return urls
