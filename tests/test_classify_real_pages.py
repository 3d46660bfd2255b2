"""Link classification scored on real saved portal pages against hand labels.

`tests/data/realhtml/labels/links.tsv` holds every ``<a href>`` the spider would see on the saved
pages (same extraction: ``#``, ``javascript:`` and ``mailto:`` links left out), each labelled by
reading its text and where it stands: a disclosure (``budget``, ``final``, ``three_public``,
``performance``, with ``scope`` ``department`` or ``government``), ``nav`` (a column or list on the
way to disclosures) or ``ignore``. The crawler's answer for a link is `decide` with the page's title
as context: a file or an article it reads as a disclosure, a page it follows as navigation, or a skip.
Years are not judged here (``min_year`` is lowered): the year cut-off is a crawl setting, not a
reading of the words.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
from parsel import Selector

from govbudget.crawler.classify import DISCLOSURE_KINDS, page_context
from govbudget.crawler.link_policy import decide

REAL_HTML = Path(__file__).parent / "data" / "realhtml"
LABELS = REAL_HTML / "labels" / "links.tsv"
# Where each saved page was published (MANIFEST.tsv), to resolve its relative links.
BASE_URLS = {
    "gd_gov_cn_zwgk_czxx.html": "http://www.gd.gov.cn/zwgk/czxx/",
    "maoming_qx_czyjs.html": "http://www.maoming.gov.cn/zwgk/zwzl/zdlyxxgkzl/czysjshsgjfgk/czyjus/qx/",
    "mof_sjyjsgkzl.html": "http://www.mof.gov.cn/zhuantihuigu/sjyjsgkzl/",
    "mof_yss_dfzgl_sjtj_index_1.htm": "http://yss.mof.gov.cn/zhuantilanmu/dfzgl/sjtj/index_1.htm",
}
MIN_PRECISION, MIN_RECALL = 0.98, 0.99


@dataclass(frozen=True)
class Labelled:
    page: str
    n: int
    label: str
    scope: str
    text: str
    url: str
    note: str


def _labels() -> list[Labelled]:
    with LABELS.open(encoding="utf-8", newline="") as fh:
        return [Labelled(r["page"], int(r["n"]), r["label"], r["scope"], r["text"], r["url"], r["note"])
                for r in csv.DictReader(fh, delimiter="\t")]


def _page(name: str) -> tuple[str, list[tuple[str, str]]]:
    """The page's title as the spider reads it (its one ``<h1>`` when the title names no disclosure),
    and its (text, absolute URL) links."""
    sel = Selector((REAL_HTML / name).read_text(encoding="utf-8"))
    title = ""
    for query in ('//meta[@name="ArticleTitle"]/@content', "//title/text()"):
        value = sel.xpath(query).get()
        if value and value.strip():
            title = re.sub(r"\s+", " ", value).strip()
            break
    headings = sel.xpath("//h1")
    heading = " ".join(headings[0].xpath(".//text()").getall()).strip() if len(headings) == 1 else ""
    title = page_context(title, re.sub(r"\s+", " ", heading))
    links = []
    for a in sel.xpath("//a[@href]"):
        href = (a.attrib.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        text = re.sub(r"\s+", " ", " ".join(a.xpath(".//text()").getall())).strip()
        links.append((text or a.attrib.get("title", ""), urljoin(BASE_URLS[name], href)))
    return title, links


def _answer(text: str, url: str, title: str) -> tuple[str, str]:
    """(label, scope) the crawler gives a link, in the vocabulary of the labels."""
    decision = decide(text, url, context_title=title, min_year=2000)
    if decision.action == "skip":
        return "ignore", ""
    c = decision.classification
    if c is not None and c.is_disclosure:
        return c.doc_kind, c.scope or ""
    return "nav", ""


def _scored() -> Iterator[tuple[Labelled, tuple[str, str]]]:
    pages = {name: _page(name) for name in BASE_URLS}
    for row in _labels():
        title, _ = pages[row.page]
        yield row, _answer(row.text, row.url, title)


def test_the_labels_still_match_the_saved_pages() -> None:
    rows = _labels()
    assert {r.page for r in rows} == set(BASE_URLS)
    for name in BASE_URLS:
        _, links = _page(name)
        mine = [(r.text, r.url) for r in rows if r.page == name]
        assert mine == links, f"{name}: labels and page links differ; relabel"
    assert {r.label for r in rows} <= DISCLOSURE_KINDS | {"nav", "ignore"}
    assert all((r.scope in {"department", "government"}) == (r.label in DISCLOSURE_KINDS) for r in rows)


def test_disclosure_precision_and_recall_on_real_pages() -> None:
    scored = list(_scored())
    truth = [(r, a) for r, a in scored if r.label in DISCLOSURE_KINDS]
    claimed = [(r, a) for r, a in scored if a[0] in DISCLOSURE_KINDS]
    hits = [(r, a) for r, a in truth if a == (r.label, r.scope)]
    precision = len(hits) / len(claimed)
    recall = len(hits) / len(truth)
    misses = [(r, a) for r, a in scored if (r.label in DISCLOSURE_KINDS or a[0] in DISCLOSURE_KINDS)
              and a != (r.label, r.scope)]
    print(f"\n{len(scored)} links, {len(truth)} labelled disclosures, {len(claimed)} claimed: "
          f"precision {precision:.4f}, recall {recall:.4f}")
    for r, a in misses:
        print(f"  MISS {r.page}#{r.n} {r.text!r}: labelled {r.label}/{r.scope or '-'}, "
              f"got {a[0]}/{a[1] or '-'}")
    assert precision >= MIN_PRECISION
    assert recall >= MIN_RECALL


def test_government_reports_are_not_filed_as_a_departments() -> None:
    scored = list(_scored())
    government = [(r, a) for r, a in scored if r.scope == "government"]
    assert len(government) >= 10
    assert [r.text for r, a in government if a != (r.label, "government")] == []


@pytest.mark.parametrize("label", ["nav", "ignore"])
def test_navigation_and_noise_on_real_pages(label: str) -> None:
    """Columns on the way are followed and noise is skipped; the few exceptions are printed."""
    scored = [(r, a) for r, a in _scored() if r.label == label]
    wrong = [(r, a) for r, a in scored if a[0] != label]
    print(f"\n{label}: {len(scored) - len(wrong)}/{len(scored)} answered {label}")
    for r, a in wrong:
        print(f"  {r.page}#{r.n} {r.text!r} ({r.note or '-'}): got {a[0]}")
    # Off-path links followed cost a page each; a skipped column loses everything under it.
    assert len(wrong) <= (0 if label == "nav" else 2)
