"""``shared_platform``: one platform, many divisions, keyed by a division code in the URL.

Provincial platforms serve every division's disclosures from one address and tell divisions apart
by a GB/T 2260 code in the query or the path, written as 6 digits (``130423``), 9 (``130423000``)
or 12 (``130423000000``) under whatever parameter name the platform uses (``code``, ``ADMDIV``,
``mof_div_code``, ...). Once one division's entry point is seen with its code in the URL, the same
URL with each other division's code in the same width is that division's candidate; it is kept
only when the page answering names that division (a platform answers for any code, even one it
does not serve, so a page that names no one proves nothing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from govbudget.crawler.discovery.fetch import PageFetcher
from govbudget.crawler.discovery.found import Attempt, Found
from govbudget.crawler.discovery.identity import identity, verdict
from govbudget.regions import Division

WIDTHS = (12, 9, 6)


@dataclass(frozen=True)
class Pattern:
    """Where a URL carries a division code: query parameter ``key`` or path segment ``index``, and width."""

    url: str
    value: str
    key: str | None
    index: int | None
    width: int

    def for_division(self, code: str) -> str:
        value = code.ljust(self.width, "0")
        parts = urlsplit(self.url)
        if self.key is not None:
            pairs = parse_qsl(parts.query, keep_blank_values=True)
            query = [(k, value if k == self.key and v == self.value else v) for k, v in pairs]
            return urlunsplit(parts._replace(query=urlencode(query)))
        segments = parts.path.split("/")
        assert self.index is not None
        segments[self.index] = re.sub(rf"(?<!\d){self.value}(?!\d)", value, segments[self.index], count=1)
        return urlunsplit(parts._replace(path="/".join(segments)))


def pattern_of(url: str, code: str) -> Pattern | None:
    """Where ``url`` carries ``code`` (in 12, 9 or 6 digits), or None."""
    parts = urlsplit(url)
    for width in WIDTHS:
        value = code.ljust(width, "0")
        for key, v in parse_qsl(parts.query, keep_blank_values=True):
            if v == value:
                return Pattern(url, value, key, None, width)
        for index, segment in enumerate(parts.path.split("/")):
            if re.search(rf"(?<!\d){value}(?!\d)", segment):
                return Pattern(url, value, None, index, width)
    return None


def derive(fetcher: PageFetcher, seen: Found, others: Iterable[Division], *,
           attempts: list[Attempt]) -> list[Found]:
    """Entry points of ``others`` from the code pattern of ``seen``'s URL (none when it has none)."""
    pattern = pattern_of(seen.url, seen.division.code)
    if pattern is None:
        return []
    found: list[Found] = []
    for other in others:
        url = pattern.for_division(other.code)
        page = fetcher.get(url)
        if not page.ok:
            attempts.append(Attempt(other.code, "shared_platform", url, seen.url, "dead",
                                    page.error or f"HTTP {page.status}"))
            continue
        said = verdict(identity(page.text), other)
        if said.names:
            found.append(Found(other, page.final_url, "shared_platform", seen.url, said.confidence,
                               f"code pattern of {seen.url}; {said.evidence}"))
        else:
            attempts.append(Attempt(other.code, "shared_platform", url, seen.url,
                                    "names_other" if said.other else "names_nobody", said.evidence))
    return found
