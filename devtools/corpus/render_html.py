"""Render a seed (or variant) as a GBK-encoded HTML page, as older portal CMSs publish disclosures.

Narrative as `<p>`, each table as `<table border="1">` with `rowspan`/`colspan` headers; the page
declares `charset=gbk` and its bytes are GBK (characters outside GBK become numeric references), so a
reader that assumes UTF-8 fails visibly instead of passing by luck.
"""

from __future__ import annotations

from functools import cache

from lxml import etree
from lxml.html import builder as E

from .grid import covered, table_grid
from .render_pdf import clean_text
from .seeds import SEEDS
from .seedtables import Paragraph, SeedTable
from .variants import Variant, load_document


def _cell(tag: str, text: str, **attrs: str) -> etree._Element:
    el = etree.Element(tag, **attrs)
    lines = text.split("\n")
    el.text = lines[0]
    for line in lines[1:]:
        br = etree.SubElement(el, "br")
        br.tail = line
    return el


def _table(table: SeedTable) -> list[etree._Element]:
    out: list[etree._Element] = []
    if table.title:
        out.append(E.P(E.B(clean_text(table.title)), align="center"))
    out += [E.P(clean_text(line)) for line in table.header_block]
    grid = table_grid(table)
    hidden = covered(grid.spans)
    spans = {(s.row, s.col): s for s in grid.spans}
    el = etree.Element("table", border="1", cellspacing="0", cellpadding="2")
    for r, row in enumerate(grid.header):
        tr = etree.SubElement(el, "tr")
        for c, text in enumerate(row):
            if (r, c) in hidden:
                continue
            attrs = {}
            if (span := spans.get((r, c))) is not None:
                if span.rowspan > 1:
                    attrs["rowspan"] = str(span.rowspan)
                if span.colspan > 1:
                    attrs["colspan"] = str(span.colspan)
            tr.append(_cell("th", text, **attrs))
    for row in grid.rows:
        tr = etree.SubElement(el, "tr")
        for text in row:
            tr.append(_cell("td", text))
    out.append(el)
    out += [E.P(clean_text(note)) for note in table.notes]
    return out


@cache
def render_html(seed_id: str, *, variant: Variant | None = None) -> bytes:
    """The seed as GBK HTML bytes (deterministic)."""
    info = SEEDS[seed_id]
    doc = load_document(seed_id, variant)
    department = variant.department if variant else info.department
    year = variant.fiscal_year if variant else info.fiscal_year
    body = E.BODY()
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            text = clean_text(block.text)
            if text:
                body.append(_cell("p", text))
        else:
            for el in _table(block):
                body.append(el)
    http_equiv = {"http-equiv": "Content-Type", "content": "text/html; charset=gbk"}
    head = E.HEAD(etree.Element("meta", charset="gbk"), etree.Element("meta", **http_equiv),
                  E.TITLE(f"{department}{year}年部门预算公开"))
    text = etree.tostring(E.HTML(head, body), encoding="unicode", method="html", pretty_print=True)
    return ("<!DOCTYPE html>\n" + text).encode("gbk", errors="xmlcharrefreplace")
