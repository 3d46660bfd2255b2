"""PDF tables: our parser vs pdfplumber's default `extract_tables` and camelot lattice.

Same rendered disclosures for all three (corpus seeds with financial tables, and their variants).
Cell-level F1 is scored on (row name, amount) cells against `corpus.truth.truth_records`: a cell
counts when the amount sits in the row of the right name, which is what wrapped names, merged headers
and page breaks break. For the baselines, which only return grids, each amount cell is paired with
the nearest text cell to its left in the same row (codes and 序号 before the name are skipped), the
reading a user of those libraries would write first. Column (measure) assignment is not scored.
"""

from __future__ import annotations

import io
import re
import tempfile
import time
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

from bench.harness import Context, Row, Section, rounds
from govbudget.corpus.documents import disclosures
from govbudget.corpus.truth import truth_records
from govbudget.parsers import parse_bytes

_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"^-?[\d,]*\.?\d+$")
Cell = tuple[str, Decimal]


def _norm(text: str) -> str:
    return _SPACE.sub("", text or "")


def _amount(text: str) -> Decimal | None:
    t = _norm(text)
    if not _NUMBER.match(t):
        return None
    try:
        return Decimal(t.replace(",", ""))
    except InvalidOperation:
        return None


def record_cells(records: list[dict]) -> Counter[Cell]:
    """(name, amount) of every line item with an amount: from the truth or from our parser."""
    out: Counter[Cell] = Counter()
    for r in records:
        if r.get("type") == "line_item" and r.get("amount") not in (None, ""):
            value = _amount(str(r["amount"]))
            if value is not None:
                out[(_norm(r.get("name") or ""), value)] += 1
    return out


def grid_cells(tables: list[list[list[str | None]]]) -> Counter[Cell]:
    """(name, amount) cells read off raw grids: each amount goes with the nearest text cell on its left."""
    out: Counter[Cell] = Counter()
    for table in tables:
        for row in table:
            label: str | None = None
            for cell in row:
                text = _norm(cell or "")
                if not text:
                    continue
                value = _amount(text)
                if value is None:
                    label = text
                elif label is not None:
                    out[(label, value)] += 1
    return out


def f1(found: Counter[Cell], truth: Counter[Cell]) -> tuple[float, float, float]:
    """Precision, recall and F1 of multisets of cells."""
    tp = sum((found & truth).values())
    p = tp / max(1, sum(found.values()))
    r = tp / max(1, sum(truth.values()))
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def ours(data: bytes) -> Counter[Cell]:
    return record_cells(parse_bytes(data).records)


def pdfplumber_tables(data: bytes) -> Counter[Cell]:
    import pdfplumber

    tables: list = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            tables.extend(page.extract_tables())
            page.close()
    return grid_cells(tables)


def camelot_lattice(path: Path) -> Counter[Cell]:
    import camelot

    found = camelot.read_pdf(str(path), flavor="lattice", pages="all")
    return grid_cells([t.df.values.tolist() for t in found])


def documents(ctx: Context) -> list[tuple[str, bytes, Counter[Cell]]]:
    """The PDF disclosures that have line-item truth (in quick and tiny mode the richest one)."""
    out = []
    for doc in disclosures():
        if doc.fmt != "pdf":
            continue
        truth = record_cells(truth_records(doc.seed_id, variant=doc.variant))
        if truth:
            out.append((doc.slug, doc.data, truth))
    richest = max(out, key=lambda doc: sum(doc[2].values()))  # quick/tiny: the most line items
    if ctx.tiny:
        slug, data, truth = richest
        return [(slug, table_pages(data, 2), truth)]
    return [richest] if ctx.quick else out


def table_pages(data: bytes, count: int) -> bytes:
    """The first `count` pages from the first one that prints a table (the smoke test's tiny input).

    A disclosure may open with pages of narrative; a cut of those would score every reader at 0.
    Its F1 against the whole document's truth is low, and means nothing.
    """
    import pypdfium2

    src = pypdfium2.PdfDocument(data)
    first = next((i for i in range(len(src)) if "合计" in src[i].get_textpage().get_text_range()), 0)
    dst = pypdfium2.PdfDocument.new()
    dst.import_pages(src, list(range(first, min(first + count, len(src)))))
    buf = io.BytesIO()
    dst.save(buf)
    return buf.getvalue()


def run(ctx: Context) -> Section:
    docs = documents(ctx)
    tmp = Path(tempfile.mkdtemp(prefix="bench-pdf-", dir=ctx.workdir))
    paths = []
    for slug, data, _ in docs:
        (tmp / f"{slug}.pdf").write_bytes(data)
        paths.append(tmp / f"{slug}.pdf")
    found: dict[str, Counter[Cell]] = {}

    def timed(name: str, fn, inputs) -> float:  # type: ignore[no-untyped-def]
        total: Counter[Cell] = Counter()
        t0 = time.perf_counter()
        for x in inputs:
            total += fn(x)
        seconds = time.perf_counter() - t0
        found[name] = total
        return seconds

    datas = [d for _, d, _ in docs]
    med = rounds(ctx, {
        "ours": lambda: timed("ours", ours, datas),
        "pdfplumber": lambda: timed("pdfplumber", pdfplumber_tables, datas),
        "camelot": lambda: timed("camelot", camelot_lattice, paths),
    })
    truth: Counter[Cell] = Counter()
    for _, _, t in docs:
        truth += t
    scores = {name: f1(found[name], truth) for name in found}
    pages = sum(_pages(d) for d in datas)
    section = Section("PDF tables", f"{len(docs)} rendered disclosures, {pages} pages, "
                                    f"{sum(truth.values())} truth cells")
    for name, label in (("pdfplumber", "pdfplumber extract_tables"), ("camelot", "camelot lattice")):
        speed = med[name] / med["ours"]
        section.rows.append(Row(
            "seconds for all documents", med["ours"], med[name], label, "s", speed,
            "≥ 2× faster" if name == "camelot" else "", (speed >= 2) if name == "camelot" else None))
        better = scores["ours"][2] > scores[name][2]
        section.rows.append(Row(
            "cell F1 (name, amount)", scores["ours"][2], scores[name][2], label, "F1",
            None, "higher F1" if name == "camelot" else "", better if name == "camelot" else None))
    for name, (p, r, f) in scores.items():
        section.notes.append(f"{name}: precision {p:.3f}, recall {r:.3f}, F1 {f:.3f}")
    section.notes.append("our time includes format detection, table recognition and SCHEMA.md records; "
                         "the baselines only return grids")
    section.extra = {"scores": scores, "seconds": med}
    return section


def _pages(data: bytes) -> int:
    import pypdfium2

    doc = pypdfium2.PdfDocument(data)
    try:
        return len(doc)
    finally:
        doc.close()
