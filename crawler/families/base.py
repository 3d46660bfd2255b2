"""The one protocol every portal family implements, and what the spider lends a family.

A family recognises a response (``matches``) and says what to fetch next (``requests``): plain
``Link`` pairs, which the spider follows only if the link policy allows them, and ``Request`` objects
built with the ``Context``, which the spider yields as they are (pagination it computed, post-backs,
frames, JSON endpoints, a page that needs the browser). A family never archives anything and never
decides what a disclosure is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, Protocol, runtime_checkable
from urllib.parse import urlencode, urlsplit

import scrapy
from scrapy.http import Response

from govbudget.crawler import render_policy


class Link(NamedTuple):
    """A link a family found: followed by the spider only if the link policy allows it.

    ``context`` is the title the link is read with when it is not the page's own (an article's
    title for the attachments a JSON list gives beside it); empty, the page's title is used.
    """

    text: str
    url: str
    context: str = ""


class Answer(NamedTuple):
    """An answer a family saw but did not ask for itself (what a rendered page's scripts fetched:
    an XHR's JSON, a fragment): the spider archives it as a page (``via`` browser), with the page
    it was fetched for as its ``referrer``, so what discovery read is kept as it was read."""

    url: str
    body: bytes
    status: int
    headers: dict[str, str]
    referrer: str
    format: str  # "json" or "html"


@runtime_checkable
class Family(Protocol):
    """A portal (CMS) family: how it is recognised, and what it adds to a page's links.

    ``matches`` is asked of every HTML page, cheaply (bytes or a regex, no network). ``requests`` is
    then called with the same page; it is also called, without ``matches``, with every JSON document
    the family asked for itself through ``Context.json`` (``asked_for(response)`` tells the two apart).
    """

    name: str

    def matches(self, response: Response) -> bool: ...

    def requests(self, response: Response, ctx: Context) -> Iterable[scrapy.Request | Link | Answer]: ...


@dataclass
class Context:
    """What the spider lends a family: request builders bound to its callbacks, and crawl state.

    One ``Context`` lives as long as the crawl (``seen`` and ``tallies`` are shared); the spider hands
    each response a copy from ``for_response`` whose ``followed`` counts what was yielded for that
    response so far, so a fallback family late in the registry can yield only when nothing before it
    did. ``stats`` adds to the crawl's counters (``count``); ``take`` keeps a family within a bound.
    """

    on_page: Callable[..., Any]
    on_json: Callable[..., Any]
    on_error: Callable[..., Any] | None = render_policy.close_page_on_error
    fiscal_year: int | None = None
    render_hosts: frozenset[str] = frozenset()
    seen: set[Hashable] = field(default_factory=set)
    followed: int = 0
    stats: Callable[[str, int], Any] | None = None
    tallies: dict[Hashable, int] = field(default_factory=dict)

    def for_response(self) -> Context:
        return replace(self, followed=0)

    def once(self, key: Hashable) -> bool:
        """True the first time ``key`` is seen in this crawl (a post-back, a page number, …)."""
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def count(self, name: str, n: int = 1) -> None:
        """Add ``n`` to the crawl's ``govbudget/<name>`` counter (its stats; nothing without them)."""
        if self.stats is not None and n:
            self.stats(f"govbudget/{name}", n)

    def take(self, key: Hashable, limit: int, n: int = 1) -> int:
        """Take up to ``n`` from the crawl-wide budget ``key`` of ``limit``; how many were granted."""
        used = self.tallies.get(key, 0)
        granted = max(0, min(n, limit - used))
        self.tallies[key] = used + granted
        return granted

    def give_back(self, key: Hashable, n: int) -> None:
        """Return ``n`` taken from budget ``key`` and not used."""
        self.tallies[key] = max(0, self.tallies.get(key, 0) - n)

    def page(
        self, url: str, *, referrer: str | None, link_text: str = "", browser: bool = False,
        meta: dict[str, Any] | None = None, cookies: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> scrapy.Request:
        """GET an HTML page: archived, then read like any other (links, families).

        ``browser`` sends it through Chromium (as does a host in ``render_hosts``); a browser request
        is never filtered as a duplicate, since the plain fetch of the same URL came first. ``meta``
        is added last (a family's own instructions for the browser). ``cookies`` are sent and kept in
        the crawl's jar for the host (what a rendered page's script set, which no ``Set-Cookie``
        header ever told the jar); ``headers`` are sent too.
        """
        fields: dict[str, Any] = {"link_text": link_text, "referrer": referrer}
        if browser or urlsplit(url).hostname in self.render_hosts:
            fields.update(render_policy.browser_meta())
        fields.update(meta or {})
        sent = {**(headers or {}), **({"Referer": referrer} if referrer else {})}
        return scrapy.Request(
            url,
            callback=self.on_page,
            errback=self.on_error,
            meta=fields,
            headers=sent or None,
            cookies=cookies or None,
            dont_filter=browser,
        )

    def post(
        self,
        url: str,
        body: bytes | str,
        *,
        referrer: str,
        link_text: str = "",
        headers: dict[str, Any] | None = None,
        meta: dict[str, Any] | None = None,
        cookies: dict[str, str] | None = None,
    ) -> scrapy.Request:
        """POST a form (a later list page only a script would ask for); the answer is read as a page.

        Over plain HTTP always: the browser would not replay the form. ``meta`` is added to the
        request's (a family's state for the answer); ``cookies`` as for ``page``.
        """
        return scrapy.Request(
            url,
            method="POST",
            body=body,
            callback=self.on_page,
            cookies=cookies or None,
            meta={"referrer": referrer, "link_text": link_text, **(meta or {})},
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                **(headers or {}),
                "Referer": referrer,
            },
        )

    def json(
        self,
        url: str,
        *,
        family: str,
        referrer: str,
        state: dict[str, Any] | None = None,
        form: dict[str, str] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        cookies: dict[str, str] | None = None,
    ) -> scrapy.Request:
        """GET a JSON (or JSONP) document, or POST ``form`` as a form would or ``json_body`` as a
        script would: archived, then handed back to ``family``'s ``requests`` with ``state``.
        ``headers`` are sent too (what the page's script sent: ``X-Requested-With``, a token), and
        ``cookies`` (as for ``page``)."""
        meta = {"referrer": referrer, "link_text": "", "family": family, "family_state": state or {}}
        sent = {**(headers or {}), "Referer": referrer}
        jar = cookies or None
        if json_body is not None:
            return scrapy.Request(
                url, method="POST", callback=self.on_json, meta=meta, cookies=jar,
                body=json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                headers={**sent, "Content-Type": "application/json;charset=UTF-8"})
        if form is None:
            return scrapy.Request(url, callback=self.on_json, meta=meta, headers=sent, cookies=jar)
        return scrapy.Request(
            url,
            method="POST",
            body=urlencode(form),
            callback=self.on_json,
            meta=meta,
            cookies=jar,
            headers={**sent, "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
        )


def meta_of(response: Response) -> dict[str, Any]:
    """The response's request meta ({} for a response tied to no request, as a saved page is)."""
    try:
        return response.meta
    except AttributeError:
        return {}


def asked_for(response: Response) -> dict[str, Any] | None:
    """The state a family attached to a JSON request of its own (``Context.json``), else None."""
    meta = meta_of(response)
    if "family" not in meta:
        return None
    return dict(meta.get("family_state") or {})


def json_body(response: Response) -> Any:
    """The response's JSON document (a JSONP answer's, its callback stripped), or None."""
    try:
        return loads_json(response.text)  # type: ignore[attr-defined]
    except AttributeError:
        return None


_JSONP = re.compile(r"^(?:/\*\*/)?\s*[A-Za-z_$][\w$.]*\s*\(\s*(?P<body>[\[{].*[\]}])\s*\)\s*;?\s*$", re.S)
_GUARDS = (")]}',", ")]}'", "while(1);", "for(;;);")


def loads_json(text: str) -> Any:
    """A JSON document, or a JSONP answer (``cb({...});``) with its callback stripped; None when
    the text is neither (an anti-hijacking prefix such as ``)]}',`` or ``while(1);`` is skipped)."""
    text = text.strip().lstrip("\ufeff")
    for guard in _GUARDS:
        if text.startswith(guard):
            text = text[len(guard):].lstrip()
    match = None if text[:1] in ("[", "{") else _JSONP.match(text)
    try:
        return json.loads(match.group("body") if match else text)
    except ValueError:
        return None

