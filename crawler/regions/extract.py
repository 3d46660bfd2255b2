"""Reading portal entry points out of real directory pages (the registry's sources).

Three shapes of page are known, each from a real page in ``tests/data/realhtml/``:

- ``mof_directory``: the Ministry of Finance's 省级预决算公开专栏, a map whose ``<area href>`` links
  carry no text; the province is told from the host name (``czt.hubei.gov.cn`` → 湖北省,
  ``czt.yn.gov.cn`` → 云南省) by the pinyin of the names in the GB/T 2260 table;
- ``named_links``: a city page listing its counties' platforms as ``<a>高州市预决算公开平台</a>``; the
  text names a division under the page's own region (functional zones such as 茂名新城 that are not
  GB/T 2260 divisions are kept under the city itself);
- ``column_index``: a province's 财政信息 column whose "更多" links open its budget and final-account
  lists (one per year), kept when they lie under the column and are not for years before 2016.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from govbudget.crawler.regions.registry import EntryPoint
from govbudget.regions.divisions import Division, UnknownRegion, all_divisions, candidates

MIN_YEAR = 2016
# GB/T 17693's spelling for 陕西 is "Shaanxi" (山西 is "Shanxi"): pinyin alone cannot tell them apart.
_SPELLING_EXCEPTIONS = {"610000": ("shaanxi",)}
_NOT_PORTALS = re.compile(r"beian|conac\.cn|w3\.org|jiucuo|mof\.gov\.cn", re.I)


@cache
def _province_spellings() -> dict[str, str]:
    """Host-name word → province code: full pinyin (``hubei``) and initials (``hb``) when unambiguous."""
    from pypinyin import lazy_pinyin

    full: dict[str, str] = {}
    initials: dict[str, list[str]] = {}
    for d in all_divisions().values():
        if d.level != "province":
            continue
        short = re.sub(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$", "", d.name)
        syllables = lazy_pinyin(short)
        words = _SPELLING_EXCEPTIONS.get(d.code, ("".join(syllables),))
        for word in words:
            full[word] = d.code
        initials.setdefault("".join(s[0] for s in syllables), []).append(d.code)
    shared = [w for w, c in full.items() if list(full.values()).count(c) > 1 and w == "shanxi"]
    out = {w: c for w, c in full.items() if w not in shared or c != "610000"}
    out.update({w: codes[0] for w, codes in initials.items() if len(codes) == 1 and w not in out})
    return out


def province_of_host(host: str) -> Division | None:
    """The province a government host name belongs to, or None (``www.mof.gov.cn``)."""
    spellings = _province_spellings()
    labels = [p for p in host.lower().split(".") if p not in {"www", "gov", "cn", "com", "org", "net"}]
    for label in labels:
        if label in spellings:
            return all_divisions()[spellings[label]]
    for label in labels:  # czt.xx / xxzwfw.gov.cn: a spelling at the start of a label
        for word in sorted(spellings, key=len, reverse=True):
            if len(word) >= 2 and label.startswith(word) and len(label) > len(word):
                return all_divisions()[spellings[word]]
    return None


def mof_directory(html: str, source_url: str, source_file: str) -> list[EntryPoint]:
    """Province entry points from the MoF map of provincial 预决算公开 columns."""
    sel = Selector(text=html)
    out: dict[str, EntryPoint] = {}
    for href in sel.xpath("//area/@href | //a/@href").getall():
        url = urljoin(source_url, href.strip())
        host = urlsplit(url).hostname or ""
        if not url.startswith("http") or _NOT_PORTALS.search(url) or not host.endswith(".gov.cn"):
            continue
        prov = province_of_host(host)
        if prov is None:
            continue
        out.setdefault(url, EntryPoint(prov.code, prov.name, url, f"{prov.name}预决算公开", source_url,
                                       source_file, "mof_directory"))
    return list(out.values())


def named_links(html: str, source_url: str, source_file: str, region: Division) -> list[EntryPoint]:
    """Platforms of divisions under ``region`` named by their link text.

    ``高州市预决算公开平台`` (a county's platform) or a bare ``广州`` in a list of the cities'
    预决算 columns; a name that is no GB/T 2260 division under ``region`` (茂名新城, a functional zone)
    stays with ``region`` itself when the text says 预决算.
    """
    sel = Selector(text=html)
    out: dict[str, EntryPoint] = {}
    for a in sel.xpath("//a[@href]"):
        text = re.sub(r"\s+", "", "".join(a.xpath(".//text()").getall()) or a.attrib.get("title", ""))
        url = urljoin(source_url, a.attrib["href"].strip())
        if not url.startswith("http") or url.rstrip("/") == source_url.rstrip("/") or url in out:
            continue
        match = re.fullmatch(r"(.{2,20}?)(?:预决算公开平台|预决算公开|财政预决算)", text)
        if match:
            owner = _named_division(match.group(1), region) or region
        else:
            owner = _named_division(text, region) if 2 <= len(text) <= 12 else None
            if owner is None:
                continue
        out[url] = EntryPoint(owner.code, owner.name, url, text, source_url, source_file, "named_links")
    return list(out.values())


def _named_division(name: str, region: Division) -> Division | None:
    found = candidates(name, within=region.code)
    return found[0] if len(found) == 1 else None


def column_index(html: str, source_url: str, source_file: str, region: Division) -> list[EntryPoint]:
    """A 财政信息 column and the budget/final lists under it that its "更多" links open."""
    sel = Selector(text=html)
    column = sel.xpath('//meta[@name="ColumnName"]/@content').get() or "财政信息"
    out = [EntryPoint(region.code, region.name, source_url, column, source_url, source_file, "column_index")]
    seen = {source_url}
    for url, label in _more_links(sel, source_url):
        year = re.search(r"/(20\d\d)", url)
        if url in seen or (year and int(year.group(1)) < MIN_YEAR):
            continue
        seen.add(url)
        year_label = f"{year.group(1)}年" if year and year.group(1) not in label else ""
        out.append(EntryPoint(region.code, region.name, url, year_label + label, source_url, source_file,
                              "column_index"))
    return out


def _more_links(sel: Selector, source_url: str) -> Iterator[tuple[str, str]]:
    """(URL, heading) of "更多" links under the column whose heading names a budget or final account."""
    base = source_url.rstrip("/") + "/"
    for a in sel.xpath('//a[@href][contains(@class, "more") or normalize-space(.)="更多"]'):
        url = urljoin(source_url, a.attrib["href"].strip())
        heading = re.sub(r"\s+", "", a.xpath("preceding::text()[normalize-space()][1]").get() or "")
        if url.startswith(base) and re.search(r"预算|决算", heading):
            yield url, heading


def region_named(name: str) -> Division:
    """The division a MANIFEST ``region`` cell names (``广东省茂名市``), for the builder."""
    found = candidates(name)
    if len(found) != 1:
        raise UnknownRegion(f"MANIFEST region {name!r} matches {len(found)} divisions")
    return found[0]
