"""Whose page is this? The division a page names in its identity, and how sure that is.

Only a page's own identity counts: the ``SiteIDCode`` meta of the national government-website
registry (it starts with the six-digit division code, which is proof), ``SiteName``, the
``<title>`` and the top headings. Body text does not: a city's platform lists all its counties.
Names are read with `govbudget.regions.named_in`, so a county named after its city (``邯郸市临漳县``)
or a short name (``临漳``) is understood, and a name several divisions share (朝阳区) counts only
when the parent named beside it, or the parent the caller expects, settles which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsel import Selector

from govbudget.regions import Division, named_in
from govbudget.regions.names import is_under

# confidence by the kind of evidence, strongest first
SITE_ID_CODE = 1.0
SITE_NAME = 0.9
TITLE = 0.85
HEADING = 0.75
AMBIGUOUS = 0.6  # factor for a name that only the expected parent tells apart (朝阳区)


@dataclass(frozen=True)
class Identity:
    """The texts a page identifies itself by."""

    site_id_code: str
    site_name: str
    title: str
    headings: tuple[str, ...]


@dataclass(frozen=True)
class Verdict:
    """What a page's identity says about one division: ``names`` it, names ``other``, or neither."""

    names: bool
    confidence: float
    evidence: str
    other: Division | None = None


def identity(html: str) -> Identity:
    sel = Selector(text=html or "<html></html>")

    def meta(name: str) -> str:
        return (sel.xpath(f'//meta[translate(@name, "abcdefghijklmnopqrstuvwxyz", '
                          f'"ABCDEFGHIJKLMNOPQRSTUVWXYZ")="{name.upper()}"]/@content').get() or "").strip()

    headings = tuple(_clean(" ".join(h.xpath(".//text()").getall())) for h in sel.xpath("//h1 | //h2")[:3])
    title = _clean(" ".join(sel.xpath("//title//text()").getall()))
    return Identity(meta("SiteIDCode"), meta("SiteName"), title, tuple(h for h in headings if h))


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def verdict(page: Identity, target: Division) -> Verdict:
    """Whether the page is ``target``'s, judged from the strongest evidence the page gives.

    The site code decides when present. Otherwise the first of SiteName, title and headings that
    names a division decides: the target itself (its 财政局's site names the county too) names it;
    any other division (a neighbour, a child) is ``other``. A text naming one of the target's
    ancestors does not decide alone: a province's platform (SiteName 山西省预决算公开平台) shows a
    county's page under a title naming the county; only when nothing names the target is the page
    the ancestor's (a link redirected to the city's own platform).
    """
    code = re.sub(r"\D", "", page.site_id_code)
    if len(code) >= 6:
        if code.startswith(target.code):
            return Verdict(True, SITE_ID_CODE, f"SiteIDCode {page.site_id_code}")
        owner = _division_of_code(code[:6])
        if owner is not None:
            return Verdict(False, SITE_ID_CODE, f"SiteIDCode {page.site_id_code}", other=owner)
    context = [c for c in (target.parent, target.code) if c]
    ancestor: Verdict | None = None
    for text, confidence, label in ((page.site_name, SITE_NAME, "SiteName"), (page.title, TITLE, "title"),
                                    *((h, HEADING, "heading") for h in page.headings)):
        if not text:
            continue
        named = named_in(text)
        if named is None:  # a name several divisions share: the expected parent may settle it, weakly
            named = named_in(text, context)
            confidence *= AMBIGUOUS
        if named is None:
            continue
        if named.code == target.code:
            return Verdict(True, round(confidence, 2), f"{label} {text[:60]}")
        if is_under(target.code, named.code):  # the parent's platform: its title may name the target
            ancestor = ancestor or Verdict(False, confidence, f"{label} {text[:60]}", other=named)
            continue
        return Verdict(False, confidence, f"{label} {text[:60]}", other=named)
    return ancestor or Verdict(False, 0.0, "the page names no division")


def _division_of_code(code: str) -> Division | None:
    from govbudget.regions import all_divisions

    return all_divisions().get(code)
