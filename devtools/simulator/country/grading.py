"""Whose a URL of the country is, and how a discovery's entry points score against the answer key.

A wrong attribution is worse than none (issue #13), so `grade` keeps three piles: an entry point is
``correct`` when it is one of the division's entry points in the key, ``wrong`` when the URL belongs
to another division or to none (the national seed, a platform page for a code nobody has), and
``unverified`` when it is the division's own host but no entry point (a dead link, an article page):
not wrong, not found either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from govbudget.simulator.country import build as built
from govbudget.simulator.country import plan

_PLATFORM_PAGE = re.compile(r"^/gk/(?:files/(\d{6})/|detail/(\d{6})_)")


def owner(url: str, country: built.Country | None = None) -> str | None:
    """The division a URL of the country belongs to (None: nobody's, e.g. the national seed page).

    A page of the shared platform belongs to the division its ``code`` (9 digits, as the platform
    writes them) or its path names, if the country has that division.
    """
    country = country or built.build()
    url = country.redirects.get(url, url)  # a redirect's page is whose it lands on
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host != built.PLATFORM_HOST:
        return country.owners.get(host)
    on_platform = {d.code for d in plan.divisions() if plan.family_of(d) == plan.PLATFORM_FAMILY}
    if parts.path == built.PLATFORM_LIST:
        code = (parse_qs(parts.query).get("code") or [""])[0]
        return code[:6] if len(code) == 9 and code.endswith("000") and code[:6] in on_platform else None
    found = _PLATFORM_PAGE.match(parts.path)
    code = next((g for g in found.groups() if g), None) if found else None
    return code if code in on_platform else None


def normalise(url: str) -> str:
    """Compare URLs as a server would serve them: host in lower case, no fragment, no index.html."""
    parts = urlsplit(url.strip())
    path = parts.path or "/"
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


@dataclass
class Grade:
    correct: dict[str, list[str]] = field(default_factory=dict)  # code → URLs
    wrong: list[tuple[str, str, str | None]] = field(default_factory=list)  # (code claimed, URL, owner)
    unverified: list[tuple[str, str]] = field(default_factory=list)

    def coverage(self, total: int) -> float:
        return len(self.correct) / total if total else 0.0


def grade(found: Mapping[str, Iterable[str]], key: Mapping[str, Any]) -> Grade:
    """Score `found` (division code → entry-point URLs a discovery kept) against the answer `key`."""
    accepted = {d["code"]: {normalise(e["url"]) for e in d["entry_points"]} for d in key["divisions"]}
    out = Grade()
    for code, urls in found.items():
        for url in urls:
            if normalise(url) in accepted.get(code, set()):
                out.correct.setdefault(code, []).append(url)
            elif owner(url) == code:
                out.unverified.append((code, url))
            else:
                out.wrong.append((code, url, owner(url)))
    return out
