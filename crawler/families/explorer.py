"""The generic JavaScript explorer: the last family, for script shells nothing else could read.

When no link of a page was followed and nothing before it in the registry acted (``ctx.followed``
is 0, or counts only the site's chrome: links back to the page itself, routes of an app, and links
up to a directory above it, 首页 or the column it sits in), and the page is a script
shell (``render_policy.shell_signs``: an empty mount node, a ``<noscript>`` asking for JavaScript,
a body of scripts, or no content links while scripts are present), the explorer renders it once in
Chromium (``explorer_render.Capture``: every XHR, fetch and JSONP answer recorded; navigation nodes
whose text is disclosure vocabulary clicked, then "load more" where a list's paging is not shown,
then one record of each list that names no document probed; the rendered ``<a href>`` links
recorded after each click). The spider reads the rendered page like any other (its links through
the link policy); the explorer then

- yields the links seen between clicks, read with the label clicked before them, and renders the
  app's own hash routes (``#/list?type=2``) that a followable link names, each once;
- mines each JSON answer (``explorer_json.documents``): every field holding a URL or path of a file
  (an extension or a download servlet) or of a page, with the nearest title, date and department, as
  a ``Link`` the link policy judges;
- recognises list APIs (``explorer_json.infer_paging``: ``page``, ``pageNo``, ``pageIndex``,
  ``current``, ``start``/``limit``, ``offset``, … against a total, a page count or a has-more flag)
  and walks their other pages over plain HTTP (``Context.json``: GET, a form or a JSON body as the
  script sent it), mining each the same way: every page at once when a total tells how many, else one
  after another while a has-more flag says so (or while each answer links the next page: REST's
  ``{"next": …}``, HAL's, JSON:API's); a page without records, with the same records as the one
  before, or short, ends the walk. A list whose first request shows no paging parameter is paged
  by what its second request (a "load more" click's) changed: a page number, an offset, or a cursor
  (the first page's last record's id, ``explorer_json.paging_from_pair``);
- reads a list API that answers an HTML fragment (``<li><a href>`` rows a script puts into the list:
  ``explorer_fragment``) for its links, and walks its other pages by the page number or offset its
  request carries (``explorer_json.paging_in_request``), one after another over plain HTTP until a
  page adds no link; each page is archived and its links followed like a page's;
- asks, over plain HTTP, for the other records of the list a request took one record's id from
  (``explorer_json.siblings``: the probed body's ``?node=b101`` → ``b102``, ``b103``, …; decoys
  aside), each answer read as a list API of its own; and links what a click opened (a popup, a
  download, another document: ``…/file/F2/download``) for every record of the list it took the
  clicked one's id from, each with its record's title.

Every plain-HTTP request that goes on from a render carries the browser's cookies for its host
(a cookie the page's script set reaches no ``Set-Cookie`` header, so the crawl's jar would not know
it; from the first such request on, the jar keeps it for the host's other requests).

Bounds per site (scheme, host, port and the first directory of the page: one host often serves
several sites side by side; a list API counts against the site of the page it serves) and per
render, each hit logged and counted in ``govbudget/explorer_bounds_hit``: pages rendered, clicks,
API pages asked for over HTTP, pages per API, siblings per request, and the render's own (answers
kept, bytes, seconds). Counters:
``explorer_renders`` (with the crawl's ``render_retries``), ``explorer_api_responses``,
``explorer_clicks``, ``explorer_pages_walked``. Nothing here knows a platform: no field, path or
parameter of one site is named.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import scrapy
from scrapy.http import Response

from govbudget.crawler import render_policy
from govbudget.crawler.classify import fiscal_year_of, names_decoy
from govbudget.crawler.families.base import Answer, Context, Link, asked_for, json_body, meta_of
from govbudget.crawler.families.explorer_fragment import fragment_links, mark
from govbudget.crawler.families.explorer_json import (
    ApiCall,
    IdSlot,
    Paging,
    choices,
    documents,
    endpoint,
    expand,
    fingerprint,
    has_more,
    id_slot,
    infer_paging,
    more_than_shown,
    next_link,
    paging_from_pair,
    paging_in_request,
    read_json,
    record_lists,
    record_name,
    records_of,
    siblings,
    with_page,
)
from govbudget.crawler.families.explorer_render import Capture, RenderBounds, capture_of
from govbudget.crawler.link_policy import MIN_FISCAL_YEAR, decide

logger = logging.getLogger(__name__)

_ROUTE = re.compile(r"^!?/\S")  # a hash route: #/list, #!/detail?id=3


@dataclass(frozen=True)
class Bounds:
    """What the explorer may spend on one site, and on one render (`RenderBounds`)."""

    renders_per_site: int = 40
    clicks_per_site: int = 80
    api_pages_per_site: int = 500
    pages_per_api: int = 100
    siblings_per_call: int = 200
    render: RenderBounds = field(default_factory=RenderBounds)


class Explorer:
    """Render a shell once, read what its scripts fetched, walk its list APIs over plain HTTP."""

    name = "explorer"

    def __init__(self, bounds: Bounds | None = None) -> None:
        self.bounds = bounds or Bounds()

    def matches(self, response: Response) -> bool:
        if capture_of(response) is not None or meta_of(response).get("family") == self.name:
            return True  # a render of its own, or a list API's fragment page it asked for
        return render_policy.needs_browser(response)  # type: ignore[arg-type]

    def requests(self, response: Response, ctx: Context) -> Iterator[scrapy.Request | Link | Answer]:
        state = asked_for(response)
        if state is not None:
            yield from self._walked(response, ctx, state)
            return
        capture = capture_of(response)
        if capture is not None:
            yield from self._explored(response, ctx, capture)
            return
        if ctx.followed == 0 or ctx.followed == _chrome_links(response):
            yield from self._render(response, ctx)

    # -- the shell ---------------------------------------------------------------------------------
    def _render(self, response: Response, ctx: Context) -> Iterator[scrapy.Request]:
        signs = render_policy.shell_signs(response)  # type: ignore[arg-type]
        if not signs or not ctx.once(("explorer-render", response.url.split("#", 1)[0])):
            return
        meta = meta_of(response)
        yield from self._rendering(ctx, response.url, referrer=meta.get("referrer"),
                                   link_text=meta.get("link_text", "") or "", why="; ".join(signs))

    def _rendering(self, ctx: Context, url: str, *, referrer: str | None, link_text: str,
                   why: str) -> Iterator[scrapy.Request]:
        """One render of ``url`` with a capture, within the site's bounds (renders, clicks)."""
        site = _site(url)
        if not ctx.take(("explorer-renders", site), self.bounds.renders_per_site):
            self._bound(ctx, site, f"pages rendered per site ({self.bounds.renders_per_site}): "
                        f"{url} not rendered")
            return
        per_render = self.bounds.render.clicks
        clicks = ctx.take(("explorer-clicks", site), self.bounds.clicks_per_site, per_render)
        if clicks < per_render:
            self._bound(ctx, site, f"clicks per site ({self.bounds.clicks_per_site}): "
                        f"{clicks} left for {url}")
        capture = Capture(replace(self.bounds.render, clicks=clicks))
        ctx.count("explorer_renders")
        ctx.count("render_retries")
        logger.info("explorer: rendering %s (%s)", url, why)
        yield ctx.page(url, referrer=referrer, link_text=link_text, browser=True, meta=capture.meta())

    def _opened(self, ctx: Context, capture: Capture, answers: list[tuple[ApiCall, Any]],
                title: str) -> Iterator[Link]:
        """What a click opened (a popup, a download, another document), and the same URL for each
        other record of the list it took the clicked record's id from, each read with its title."""
        for text, url, label in capture.opened:
            found, cut = siblings(ApiCall(url), answers, limit=self.bounds.siblings_per_call)
            if not found:
                yield Link(text, url, _context(label, title))
                continue
            logger.info("explorer: a click opened %s, one record of a list: linking its %d others", url,
                        len(found) - 1)
            if cut:
                self._bound(ctx, _site(url), f"siblings per request ({self.bounds.siblings_per_call}): {url}")
            for other, name in found:
                if not names_decoy(name):
                    yield Link(name or text, other.url, _context(label, title))

    def _routes(self, response: Response, ctx: Context, capture: Capture,
                title: str) -> Iterator[scrapy.Request]:
        """The app's own hash routes (``#/list?type=2``) that a link names and the link policy would
        follow: each a page of the app, rendered on its own (plain HTTP cannot tell them apart)."""
        here = response.url.split("#", 1)[0]
        links = [(text, url) for text, url, _ in capture.links] + _anchors(response)
        for text, url in links:
            base, _, fragment = url.partition("#")
            if base != here or not _ROUTE.match(fragment) or url == response.url or text in capture.clicks:
                continue
            if decide(text, url, context_title=title).action != "page":
                continue
            if ctx.once(("explorer-render", url)):
                yield from self._rendering(ctx, url, referrer=response.url, link_text=text,
                                           why=f"a route of the app: {text}")

    # -- the render ----------------------------------------------------------------------------------
    def _explored(
        self, response: Response, ctx: Context, capture: Capture
    ) -> Iterator[scrapy.Request | Link | Answer]:
        """What the render showed; each plain-HTTP request carries the browser's cookies for its host
        (a cookie the page's script set is in no ``Set-Cookie`` header: the crawl's jar keeps it
        from the first request that carries it, for every later request to the host)."""
        sent = 0
        for item in self._explored_items(response, ctx, capture):
            if isinstance(item, scrapy.Request) and not item.meta.get("playwright") and capture.cookies:
                jar = _cookies_for(capture.cookies, item.url)
                if jar:
                    item = item.replace(cookies={**jar, **_as_dict(item.cookies)})
                    sent += 1
            yield item
        if sent:
            logger.info("explorer: %s: the browser's cookies (%s) sent on %d plain-HTTP requests",
                        response.url, ", ".join(sorted({n for n, _, _ in capture.cookies})), sent)

    def _explored_items(
        self, response: Response, ctx: Context, capture: Capture
    ) -> Iterator[scrapy.Request | Link | Answer]:
        site, title = _site(response.url), _title(response)
        ctx.give_back(("explorer-clicks", site), capture.bounds.clicks - len(capture.clicks))
        ctx.count("explorer_api_responses", len(capture.responses))
        ctx.count("explorer_clicks", len(capture.clicks))
        logger.info("explorer: rendered %s: %d API answers, %d clicks %s, %d links after clicks",
                    response.url, len(capture.responses), len(capture.clicks), capture.clicks,
                    len(capture.links))
        for bound in capture.bounds_hit:
            self._bound(ctx, site, f"{bound}: {response.url}")
        for error in capture.errors:
            logger.info("explorer: %s: %s", response.url, error)
        for text, url, label in capture.links:
            yield Link(text, url, _context(label, title))
        yield from self._routes(response, ctx, capture, title)
        for answer in capture.responses:  # archived as read (the spider's), the page their referrer
            yield _archived(answer, response.url)
            if answer.get("format") == "html":
                yield from self._fragment(ctx, answer, page_url=response.url, title=title)
        answers = [(_call_of(a), read_json(a["body"]), a) for a in capture.responses
                   if a.get("format") != "html"]
        yield from self._opened(ctx, capture, [(c, d) for c, d, _ in answers if d is not None], title)
        for call, _, _ in answers:
            ctx.once(("explorer-call", *call.key()))
        read = [(c, d, a) for c, d, a in answers if d is not None]
        templates = _templates([(c, d) for c, d, _ in read])
        for index, (call, data, answer) in enumerate(answers):
            if data is None:
                continue
            label = answer.get("label") or ""
            yield from _links(data, response.url, label, title)
            yield from self._walk(ctx, call, data, page_url=response.url, label=label, title=title)
            yield from self._siblings(ctx, call, [(c, d) for c, d, _ in answers[:index] if d is not None],
                                      page_url=response.url, section=answer.get("section") or "", title=title,
                                      templates=templates)
        yield from self._pairs(ctx, read, page_url=response.url, title=title)
        for call, data, answer in read:
            yield from self._descend(ctx, call, data, templates, page_url=response.url, title=title,
                                     label=answer.get("section") or answer.get("label") or "")
        yield from self._options(ctx, capture, read, templates, page_url=response.url, title=title)

    def _pairs(self, ctx: Context, answers: list[tuple[ApiCall, Any, dict[str, Any]]], *, page_url: str,
               title: str) -> Iterator[scrapy.Request]:
        """A list whose paging its first request does not show, and a second request of it (what a
        "load more" click asked for): the parameter the two differ in pages it."""
        for index, (call, data, _) in enumerate(answers):
            if infer_paging(call, data) is not None or not more_than_shown(data):
                continue
            for later, later_data, answer in answers[index + 1:]:
                if infer_paging(later, later_data) is not None:
                    continue
                paging = paging_from_pair(call, data, later, later_data)
                if paging is not None:
                    yield from self._walk(ctx, later, later_data, page_url=page_url, title=title,
                                          label=answer.get("label") or "", paging=paging)
                    break

    # -- HTML fragments ------------------------------------------------------------------------------
    def _fragment(self, ctx: Context, answer: dict[str, Any], *, page_url: str,
                  title: str) -> Iterator[scrapy.Request | Link]:
        """A list API answering an HTML fragment: its links, then its next page when its request
        carries a page number or an offset (walked one page after another, `_fragment_walked`)."""
        call, label = _call_of(answer), answer.get("label") or ""
        links = fragment_links(answer["body"], page_url)
        for text, url in links:
            yield Link(text, url, _context(label, title))
        paging = paging_in_request(call)
        if paging is None or not links:
            return
        logger.info("explorer: list API %s answers an HTML fragment, pages by %s=%s (%s)", call.url,
                    paging.key, paging.current, paging.where)
        value = paging.after(paging.current)
        state = {"page_url": page_url, "label": label, "title": title, "fragment": True,
                 "paging": paging.as_state(), "prev": mark(links), "walked": 1, "value": value}
        yield from self._ask(ctx, with_page(call, paging, value), state)

    def _fragment_walked(self, response: Response, ctx: Context,
                         state: dict[str, Any]) -> Iterator[scrapy.Request | Link]:
        """A later page of a fragment list API (archived and its links followed as a page's): the
        page after it, unless it showed no link, the same links as the one before, or the bound."""
        ctx.count("explorer_pages_walked")
        try:
            body = response.text  # type: ignore[attr-defined]
        except AttributeError:
            return
        links = fragment_links(body, state["page_url"])
        for text, url in links:
            yield Link(text, url, _context(state.get("label", ""), state.get("title", "")))
        now = mark(links)
        if not links or now == state.get("prev"):
            logger.info("explorer: walk of %s ends: %s", response.url,
                        "a page without links" if not links else "the same links again")
        elif state.get("walked", 1) >= self.bounds.pages_per_api:
            self._bound(ctx, _site(state["page_url"]), f"pages per API ({self.bounds.pages_per_api}): "
                        f"walk of {response.url} stopped")
        else:
            paging = Paging.from_state(state["paging"])
            value = paging.after(int(state["value"]))
            nxt = {**state, "prev": now, "walked": state.get("walked", 1) + 1, "value": value}
            yield from self._ask(ctx, with_page(ApiCall.from_state(state["call"]), paging, value), nxt)

    # -- list APIs -----------------------------------------------------------------------------------
    def _walk(self, ctx: Context, call: ApiCall, data: Any, *, page_url: str, label: str,
              title: str, paging: Paging | None = None) -> Iterator[scrapy.Request]:
        """The other pages of a list API whose answer says there are more."""
        paging = paging or infer_paging(call, data)
        if paging is None:
            link = next_link(call, data)
            if link is not None:  # the answer links its next page: follow the links, one by one
                logger.info("explorer: list API %s links its next page", call.url)
                state = {"page_url": page_url, "label": label, "title": title, "next": True,
                         "prev": fingerprint(records_of(data)), "walked": 1}
                yield from self._ask(ctx, replace(call, url=link), state)
            return
        state = {"page_url": page_url, "label": label, "title": title, "paging": paging.as_state(),
                 "call": call.as_state(), "prev": fingerprint(records_of(data)), "walked": 1}
        if paging.last is None:  # a has-more flag only: one page after another
            logger.info("explorer: list API %s pages by %s=%s (%s, has-more)", call.url, paging.key,
                        paging.current, paging.where)
            value = _next_value(paging, paging.current, records_of(data))
            if value is not None:
                yield from self._ask(ctx, with_page(call, paging, value), {**state, "value": value})
            return
        values, cut = paging.following(self.bounds.pages_per_api)
        logger.info("explorer: list API %s pages by %s=%s (%s): %d more to walk", call.url, paging.key,
                    paging.current, paging.where, len(values))
        if cut:
            self._bound(ctx, _site(call.url), f"pages per API ({self.bounds.pages_per_api}): {call.url} "
                        f"has more up to {paging.key}={paging.last}")
        for value in values:
            yield from self._ask(ctx, with_page(call, paging, value), {**state, "value": value})

    def _siblings(self, ctx: Context, call: ApiCall, before: list[tuple[ApiCall, Any]], *, page_url: str,
                  section: str, title: str, templates: list[dict[str, Any]]) -> Iterator[scrapy.Request]:
        """The same request for the other records of the list a click (or the page) took it from."""
        found, cut = siblings(call, before, limit=self.bounds.siblings_per_call)
        others = found[1:]
        if not others:
            return
        logger.info("explorer: %s asks for one record of a list: asking for its %d others", call.url,
                    len(others))
        if cut:
            self._bound(ctx, _site(call.url), f"siblings per request ({self.bounds.siblings_per_call}): "
                        f"{call.url}")
        for other, name in others:
            if names_decoy(name):  # 政策解读 beside 部门预算: not asked for, as it is not clicked
                continue
            label = f"{section} {name}".strip()
            state = {"page_url": page_url, "label": label, "title": title, "fresh": True,
                     "templates": templates}
            yield from self._ask(ctx, other, state)

    def _options(self, ctx: Context, capture: Capture, read: list[tuple[ApiCall, Any, dict[str, Any]]],
                 templates: list[dict[str, Any]], *, page_url: str, title: str) -> Iterator[scrapy.Request]:
        """A list shown for the option chosen in a ``<select>`` (a year, a kind): the same request for
        each other option, over plain HTTP (an option naming a decoy or a year too old aside), each
        answer read as a list API of its own."""
        for chosen, options in capture.selects:
            wanted = [v for v, text in options if not names_decoy(text)
                      and not ((year := fiscal_year_of(text)) and year < MIN_FISCAL_YEAR)]
            texts = dict(options)
            for call, _, answer in read:
                found = choices(call, chosen, wanted)[:self.bounds.siblings_per_call]
                if not found:
                    continue
                logger.info("explorer: %s carries the option chosen (%s): asking for its %d others", call.url,
                            chosen, len(found))
                for other, value in found:
                    label = " ".join(p for p in (answer.get("section") or "", texts.get(value, value)) if p)
                    state = {"page_url": page_url, "label": label, "title": title, "fresh": True,
                             "templates": templates}
                    yield from self._ask(ctx, other, state)

    def _descend(self, ctx: Context, call: ApiCall, data: Any, templates: list[dict[str, Any]], *,
                 page_url: str, label: str, title: str) -> Iterator[scrapy.Request]:
        """The next level of a tree: for each record of this answer, every request the page made with
        the id of a record of an answer of the same endpoint (a node's children, a body's documents),
        asked with this record's id over plain HTTP; each answer read again the same way, so a lazily
        loaded tree is walked to its leaves (each request once, within the site's bounds)."""
        here = list(endpoint(call))
        for template in templates:
            if list(template["source"]) != here:
                continue
            asked, slot = ApiCall.from_state(template["call"]), IdSlot.from_state(template)
            count = 0
            for records in record_lists(data):
                for record in records:
                    nxt = slot.asking(asked, record)
                    name = record_name(record)
                    if nxt is None or names_decoy(name) or nxt.key() == asked.key():
                        continue
                    if count >= self.bounds.siblings_per_call:
                        self._bound(ctx, _site(page_url), f"siblings per request "
                                    f"({self.bounds.siblings_per_call}): {asked.url} under {call.url}")
                        return
                    count += 1
                    state = {"page_url": page_url, "label": f"{label} {name}".strip(), "title": title,
                             "fresh": True, "templates": templates}
                    yield from self._ask(ctx, nxt, state)

    def _ask(self, ctx: Context, nxt: ApiCall, state: dict[str, Any]) -> Iterator[scrapy.Request]:
        """Ask a list API over plain HTTP as the page's script did (once, within the bound of the site
        whose page it serves)."""
        if not ctx.once(("explorer-call", *nxt.key())):
            return
        site = _site(state["page_url"])
        if not ctx.take(("explorer-api", site), self.bounds.api_pages_per_site):
            self._bound(ctx, site, f"API pages per site ({self.bounds.api_pages_per_site}): {nxt.url} "
                        f"{nxt.body} not asked")
            return
        state = {**state, "call": nxt.as_state()}
        headers = {k: v for k, v in nxt.headers.items() if k.lower() != "content-type"}
        kind = nxt.body_kind
        if state.get("fragment"):  # read as a page (archived, its links followed), then handed back
            meta = {"family": self.name, "family_state": state}
            if nxt.method == "POST":
                typed = {**headers, "Content-Type": nxt.content_type or "application/x-www-form-urlencoded"}
                yield ctx.post(nxt.url, nxt.body, referrer=state["page_url"], headers=typed, meta=meta)
            else:
                yield ctx.page(nxt.url, referrer=state["page_url"], meta=meta, headers=headers)
        elif kind == "json":
            yield ctx.json(nxt.url, family=self.name, referrer=state["page_url"], state=state,
                           json_body=json.loads(nxt.body), headers=headers)
        elif kind == "form":
            yield ctx.json(nxt.url, family=self.name, referrer=state["page_url"], state=state,
                           form=dict(parse_qsl(nxt.body, keep_blank_values=True)), headers=headers)
        elif kind == "none":
            yield ctx.json(nxt.url, family=self.name, referrer=state["page_url"], state=state,
                           headers=headers)

    def _walked(
        self, response: Response, ctx: Context, state: dict[str, Any]
    ) -> Iterator[scrapy.Request | Link]:
        """A later page of a list API: its documents, and in a has-more walk, the page after it."""
        if state.get("fragment") and "call" in state:
            yield from self._fragment_walked(response, ctx, state)
            return
        data = expand(json_body(response))
        if data is None or "call" not in state:
            return
        ctx.count("explorer_pages_walked")
        yield from _links(data, state["page_url"], state.get("label", ""), state.get("title", ""))
        if state.get("fresh"):  # a sibling's list: a list API of its own, and a level of a tree
            call = ApiCall.from_state(state["call"])
            yield from self._walk(ctx, call, data, page_url=state["page_url"],
                                  label=state.get("label", ""), title=state.get("title", ""))
            yield from self._descend(ctx, call, data, state.get("templates") or [],
                                     page_url=state["page_url"], label=state.get("label", ""),
                                     title=state.get("title", ""))
            return
        if state.get("next"):
            yield from self._follow_next(ctx, response, data, state)
            return
        paging = Paging.from_state(state["paging"])
        if paging.last is not None:
            return
        records = records_of(data)
        mark = fingerprint(records)
        url = response.url
        if not records:
            logger.info("explorer: walk of %s ends: a page without records", url)
        elif mark == state.get("prev"):
            logger.info("explorer: walk of %s ends: the same records again (the parameter is ignored)", url)
        elif has_more(data, records) is False:
            logger.info("explorer: walk of %s ends: no more pages", url)
        elif has_more(data, records) is None and len(records) < paging.size:
            logger.info("explorer: walk of %s ends: a short page", url)
        elif state.get("walked", 1) >= self.bounds.pages_per_api:
            self._bound(ctx, _site(url), f"pages per API ({self.bounds.pages_per_api}): "
                        f"walk of {url} stopped")
        elif (value := _next_value(paging, state.get("value", paging.current), records)) is None:
            logger.info("explorer: walk of %s ends: the last record has no %s", url, paging.cursor)
        else:
            call = ApiCall.from_state(state["call"])
            nxt_state = {**state, "prev": mark, "walked": state.get("walked", 1) + 1, "value": value}
            yield from self._ask(ctx, with_page(call, paging, value), nxt_state)

    def _follow_next(self, ctx: Context, response: Response, data: Any,
                     state: dict[str, Any]) -> Iterator[scrapy.Request]:
        """A page reached by its list's next link: on to the page it links, while there are records."""
        call, records = ApiCall.from_state(state["call"]), records_of(data)
        mark, link = fingerprint(records), next_link(ApiCall.from_state(state["call"]), data)
        if not records or mark == state.get("prev") or link is None:
            logger.info("explorer: walk of %s ends: %s", response.url,
                        "no next link" if records and mark != state.get("prev") else "no new records")
        elif state.get("walked", 1) >= self.bounds.pages_per_api:
            self._bound(ctx, _site(response.url), f"pages per API ({self.bounds.pages_per_api}): "
                        f"walk of {response.url} stopped")
        else:
            nxt = {**state, "prev": mark, "walked": state.get("walked", 1) + 1}
            yield from self._ask(ctx, replace(call, url=link), nxt)

    def _bound(self, ctx: Context, site: str, what: str) -> None:
        ctx.count("explorer_bounds_hit")
        logger.warning("explorer: bound reached on %s: %s", site, what)


def _next_value(paging: Paging, value: Any, records: list[Any]) -> Any:
    """The page number, offset or cursor that asks for the page after the one ``value`` asked for."""
    if paging.style != "cursor":
        return paging.after(int(value))
    last = records[-1] if records and isinstance(records[-1], dict) else {}
    cursor = last.get(paging.cursor)
    return None if cursor is None or isinstance(cursor, (dict, list)) else cursor


def _chrome_links(response: Response) -> int:
    """How many of the page's followed links are the site's chrome, not the page's content: links
    back to the page itself (``index.html#/budget`` on ``index.html``: a route of the app, which
    plain HTTP cannot tell from the page), and links up to a directory above it (首页, the column
    it sits in), which every page of the site shows. A list's own links (its articles, its files,
    its next page) lead elsewhere."""
    here, title = response.url.split("#", 1)[0], _title(response)
    count = 0
    for text, url in _anchors(response):
        base = url.split("#", 1)[0]
        if base == here:
            if url == here:
                continue
        elif not _above(base, here):
            continue
        if decide(text, url, context_title=title).action != "skip":
            count += 1
    return count


def _above(url: str, page: str) -> bool:
    """``url`` is a directory (or its index page) above ``page``'s, on the same site, without query."""
    target, here = urlsplit(url), urlsplit(page)
    if target.netloc != here.netloc or target.query or target.scheme != here.scheme:
        return False
    folder = re.sub(r"(?:^|/)(?:index|default|home)\.\w+$", "/", target.path) or "/"
    if not folder.endswith("/"):
        return False
    own = here.path.rsplit("/", 1)[0] + "/"
    return own != folder and own.startswith(folder)


def _anchors(response: Response) -> list[tuple[str, str]]:
    """(text, absolute URL) of the rendered page's ``<a href>`` links."""
    out = []
    for a in response.xpath("//a[@href]"):  # type: ignore[attr-defined]
        text = " ".join(" ".join(a.xpath(".//text()").getall()).split()) or a.attrib.get("title", "")
        out.append((text, urljoin(response.url, a.attrib["href"].strip())))
    return out


def _templates(answers: list[tuple[ApiCall, Any]]) -> list[dict[str, Any]]:
    """The requests the page made with the id of a record an earlier answer listed (a click on a node
    or a body), each with its slot (`IdSlot`): asked again for the records of later answers."""
    out = []
    for index, (call, _) in enumerate(answers):
        found = id_slot(call, answers[:index])
        if found is not None:
            out.append({"call": call.as_state(), **found[0].as_state()})
    return out


def _archived(answer: dict[str, Any], page_url: str) -> Answer:
    """A captured answer as the spider archives it: its bytes as received (its text, when a test's
    capture holds no bytes), its headers, the page it was fetched for as its referrer."""
    raw = answer.get("raw")
    body = raw if isinstance(raw, bytes) else str(answer.get("body") or "").encode("utf-8")
    headers = dict(answer.get("response_headers") or {"content-type": answer.get("content_type") or ""})
    return Answer(answer["url"], body, int(answer.get("status") or 200), headers, page_url,
                  "html" if answer.get("format") == "html" else "json")


def _call_of(answer: dict[str, Any]) -> ApiCall:
    return ApiCall(answer["url"], answer["method"], answer.get("post_data") or "",
                   answer.get("request_content_type") or "", dict(answer.get("headers") or {}))


def _links(data: Any, base: str, label: str, title: str) -> Iterator[Link]:
    for doc in documents(data, base, context=label):
        yield Link(doc.text, doc.url, _context(doc.context, title))


def _context(context: str, title: str) -> str:
    """What a link is read with: what its JSON (or the node clicked) says, then the page's title."""
    return "_".join(p for p in (context, title) if p)


def _site(url: str) -> str:
    """The site a page belongs to, for its bounds: its host and its first directory (one host often
    serves several sites side by side: ``/czj/``, ``/jyj/``), or the host alone for its top pages."""
    parts = urlsplit(url)
    first, _, rest = parts.path.lstrip("/").partition("/")
    return f"{parts.scheme}://{parts.netloc}/{first + '/' if rest or parts.path.endswith('/') else ''}"


def _cookies_for(cookies: list[tuple[str, str, str]], url: str) -> dict[str, str]:
    """The browser's cookies that belong to ``url``'s host (its domain, or a parent domain's)."""
    host = (urlsplit(url).hostname or "").lower()
    out: dict[str, str] = {}
    for name, value, domain in cookies:
        domain = domain.lower().lstrip(".")
        if domain and (host == domain or host.endswith("." + domain)):
            out[name] = value
    return out


def _as_dict(cookies: Any) -> dict[str, str]:
    if isinstance(cookies, dict):
        return {str(k): str(v) for k, v in cookies.items()}
    return {}


def _title(response: Response) -> str:
    try:
        value = response.xpath("//title/text()").get() or ""  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return ""
    return " ".join(value.split())


FAMILY = Explorer()
