"""Read an HTML page (or an HTML table saved as `.xls`) into the row stream.

Portals serve GBK and UTF-8 alike and often lie in one of the headers, so the encoding comes from the
bytes: w3lib reads a BOM, then a `<meta>` or XML declaration, as a browser does; a page that declares
nothing is strict UTF-8, else GB18030 (a superset of GBK and GB2312). `colspan`/`rowspan` are laid out
on a grid so every cell lands under its header column, with a merged cell's text only at its first
position.
"""

from __future__ import annotations

from w3lib.encoding import html_body_declared_encoding, html_to_unicode, read_bom

from govbudget.parsers.grid import ReadDocument, Row, join_wrapped
from govbudget.parsers.readers.html_title import page_title

# w3lib reads GB2312 and GBK labels as GBK, whose WHATWG decoder is GB18030's; Python's gb18030 codec
# is used for them all, as it maps a few characters (A8BC to ḿ) where that decoder gives private-use ones.
_GB_FAMILY = {"gbk", "gb18030"}
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "caption", "title", "center", "span", "font"}
_SKIP = {"script", "style", "noscript", "head", "template"}
MAX_SPAN = 100
MAX_ROWS = 200_000


class HtmlReadError(ValueError):
    """The page cannot be read; the message is the reason."""


def decode_html(data: bytes) -> str:
    """The page's text in the encoding its bytes say (no HTTP header reaches a parser)."""
    if read_bom(data)[0] is None and html_body_declared_encoding(data) is None:
        # w3lib would guess from byte statistics, which reads a short GBK page as Korean
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("gb18030", errors="replace")
    encoding, text = html_to_unicode(None, data)
    return data.decode("gb18030", errors="replace") if encoding in _GB_FAMILY else text


def read_html(data: bytes) -> ReadDocument:
    """Text blocks and table rows in document order."""
    import lxml.html

    text = decode_html(data)
    if not text.strip():
        raise HtmlReadError("html is empty")
    # libxml2's HTML mode never expands DTD entities; no_network also stops it fetching anything a
    # DOCTYPE names (XXE), so a hostile page parses as text without reading files or URLs.
    parser = lxml.html.HTMLParser(no_network=True, huge_tree=False)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except Exception as exc:
        raise HtmlReadError(f"html cannot be parsed: {type(exc).__name__}: {exc}") from exc
    rows: list[Row] = []
    counters = {"table": 0, "line": 0}
    _walk(root, rows, counters)
    if not rows and (body := " ".join(root.text_content().split())):
        rows.append(Row((body,), "text", {"line": 1}))  # bare text outside any block element
    return ReadDocument(rows=rows, pages=1, title=page_title(root))


def _walk(el: object, rows: list[Row], counters: dict[str, int]) -> None:
    for child in el:  # type: ignore[attr-defined]
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _SKIP:
            continue
        if tag == "table":
            for caption in child.findall("caption"):  # a table's title, printed above it
                if text := " ".join(caption.text_content().split()):
                    counters["line"] += 1
                    rows.append(Row((text,), "text", {"line": counters["line"]}))
            counters["table"] += 1
            rows.extend(_table_rows(child, counters["table"]))
        elif tag in _BLOCKS and child.find(".//table") is None and not _has_block(child):
            text = " ".join(child.text_content().split())
            if text:
                counters["line"] += 1
                rows.append(Row((text,), "text", {"line": counters["line"]}))
        else:
            _walk(child, rows, counters)
        if len(rows) > MAX_ROWS:
            raise HtmlReadError(f"html has more than {MAX_ROWS} rows")


def _has_block(el: object) -> bool:
    """True when a descendant (not the element itself) is a block that makes its own line."""
    inner = _BLOCKS - {"span", "font"}
    return any(c is not el and isinstance(c.tag, str) and c.tag in inner for c in el.iter())  # type: ignore[attr-defined]


def _table_rows(table: object, number: int) -> list[Row]:
    pending: dict[int, int] = {}  # column → rows still covered by a rowspan above
    out: list[Row] = []
    trs = [tr for tr in table.iter("tr") if _owner_table(tr) is table]  # type: ignore[attr-defined]
    for r, tr in enumerate(trs, start=1):
        cells: list[str] = []
        col = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
                continue
            while pending.get(col, 0) > 0:
                cells.append("")
                col += 1
            colspan = _span(td.get("colspan"))
            rowspan = _span(td.get("rowspan"))
            cells.append(join_wrapped("\n".join(td.itertext())))
            cells.extend([""] * (colspan - 1))
            for c in range(col, col + colspan):
                pending[c] = rowspan  # decremented below, after the row is placed
            col += colspan
        while pending.get(col, 0) > 0:
            cells.append("")
            col += 1
        pending = {c: n - 1 for c, n in pending.items() if n - 1 > 0}
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            out.append(Row(tuple(cells), "table", {"table": number, "row": r}))
    return out


def _owner_table(tr: object) -> object:
    el = tr.getparent()  # type: ignore[attr-defined]
    while el is not None and el.tag != "table":
        el = el.getparent()
    return el


def _span(value: str | None) -> int:
    try:
        return max(1, min(MAX_SPAN, int(str(value).strip())))
    except (TypeError, ValueError):
        return 1
