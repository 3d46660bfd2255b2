"""The scorable corpus: every seed and its variants in every rendering, each file with its truth.

Seven renderings, the formats portals publish: a reportlab ruled PDF (`pdf-ruled`), a PDF exported
from the spreadsheet by LibreOffice (`pdf-sheet`), XLSX, XLS (LibreOffice from the XLSX), DOCX, DOC
(LibreOffice from the DOCX) and GBK HTML. File names carry no metadata (`s002-v1-docx.docx`): a parser
must read department and year from the content. Truth per file is `<name>.truth.jsonl`: the document,
table and line-item records of `truth.py`, plus indicator and fact records when `truth_indicators.py`
and `truth_facts.py` provide them. Spreadsheet renderings hold tables only, so they carry no facts.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .layout_variants import render_pdf_layouts
from .office import convert_many
from .raster import render_pdf_raster
from .render_docx import render_docx
from .render_html import render_html
from .render_pdf import render_pdf
from .render_xlsx import render_xlsx
from .scoring import Record
from .seeds import SEEDS
from .truth import truth_records
from .variant_plan import variants_for
from .variants import Variant


@dataclass(frozen=True)
class Rendering:
    """One way a document is published: file extension, the format a detector must report, and truth."""

    name: str
    ext: str
    fmt: str
    tables_only: bool  # spreadsheets carry no narrative, hence no fact truth
    locator_fmt: str | None  # whose table locators the truth can state exactly


RENDERINGS: dict[str, Rendering] = {r.name: r for r in (
    Rendering("pdf-ruled", "pdf", "pdf", False, "pdf"),
    Rendering("pdf-sheet", "pdf", "pdf", True, None),
    Rendering("xlsx", "xlsx", "xlsx", True, "xlsx"),
    Rendering("xls", "xls", "xls", True, "xlsx"),
    Rendering("docx", "docx", "docx", False, None),
    Rendering("doc", "doc", "doc", False, None),
    Rendering("html", "html", "html", False, None),
    Rendering("pdf-layouts", "pdf", "pdf", False, None),  # in-cell titles, 3 panels, mid-table breaks
    Rendering("pdf-raster", "pdf", "pdf", False, None),  # table pages scanned at 200 dpi (raster.py)
)}
OPT_IN = frozenset({"pdf-raster"})  # OCR takes seconds a page: `write_corpus` writes it only when named


@dataclass(frozen=True)
class CorpusFile:
    seed_id: str
    variant_index: int  # 0 = the seed itself
    variant: Variant | None
    rendering: Rendering
    data: bytes

    @property
    def filename(self) -> str:
        return f"s{self.seed_id}-v{self.variant_index}-{self.rendering.name}.{self.rendering.ext}"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


DocKey = tuple[str, int, Variant | None]


def documents(variants_per_seed: int = 2, seeds: list[str] | None = None) -> list[DocKey]:
    """(seed, index, variant) for every seed and its variants; index 0 is the seed as printed."""
    out: list[DocKey] = []
    for seed_id in seeds or sorted(SEEDS):
        if seed_id not in SEEDS:
            raise ValueError(f"unknown seed {seed_id!r}; known: {', '.join(sorted(SEEDS))}")
        out.append((seed_id, 0, None))
        out += [(seed_id, k, v) for k, v in enumerate(variants_for(seed_id, variants_per_seed), 1)]
    return out


_DIRECT: dict[str, Callable[..., bytes]] = {
    "pdf-ruled": render_pdf, "xlsx": render_xlsx, "docx": render_docx, "html": render_html,
    "pdf-layouts": render_pdf_layouts, "pdf-raster": render_pdf_raster,
}
# rendering -> (source rendering function, source extension, LibreOffice target)
_CONVERTED: dict[str, tuple[Callable[..., bytes], str, str]] = {
    "pdf-sheet": (lambda s, variant: render_xlsx(s, variant=variant, for_print=True), "xlsx", "pdf"),
    "xls": (render_xlsx, "xlsx", "xls"),
    "doc": (render_docx, "docx", "doc"),
}


def render_files(docs: list[DocKey], renderings: list[str] | None = None) -> list[CorpusFile]:
    """Render every (document, rendering); LibreOffice conversions run in one batch per target."""
    names = renderings or list(RENDERINGS)
    unknown = [n for n in names if n not in RENDERINGS]
    if unknown:
        raise ValueError(f"unknown rendering(s) {unknown}; known: {list(RENDERINGS)}")
    out: list[CorpusFile] = []
    for name in names:
        if name in _DIRECT:
            out += [CorpusFile(s, k, v, RENDERINGS[name], _DIRECT[name](s, variant=v)) for s, k, v in docs]
        else:
            source, ext, target = _CONVERTED[name]
            converted = convert_many([(source(s, variant=v), ext) for s, _, v in docs], target)
            out += [CorpusFile(s, k, v, RENDERINGS[name], data)
                    for (s, k, v), data in zip(docs, converted, strict=True)]
    return out


def _pages(data: bytes, fmt: str) -> int | None:
    if fmt == "pdf":
        import pypdfium2

        pdf = pypdfium2.PdfDocument(data)
        try:
            return len(pdf)
        finally:
            pdf.close()
    if fmt in ("xlsx", "xls"):
        from python_calamine import CalamineWorkbook

        return len(CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names)
    return None


@cache
def _extra_truth() -> dict[str, Callable[..., list[Record]]]:
    """indicator_truth / fact_truth from their modules, when those modules exist."""
    found: dict[str, Callable[..., list[Record]]] = {}
    try:
        from .truth_indicators import indicator_truth

        found["indicator"] = indicator_truth
    except ImportError:
        pass
    try:
        from .truth_facts import fact_truth

        found["fact"] = fact_truth
    except ImportError:
        pass
    return found


def file_truth(f: CorpusFile) -> list[Record]:
    """Truth records for one file, with its sha256, format, rendering and page count filled in."""
    records = truth_records(f.seed_id, variant=f.variant, fmt=f.rendering.locator_fmt)
    extra = _extra_truth()
    if "indicator" in extra:
        records += [{"type": "indicator", **r} for r in extra["indicator"](f.seed_id, f.variant)]
    if "fact" in extra and not f.rendering.tables_only:
        records += [{"type": "fact", **r} for r in extra["fact"](f.seed_id, f.variant)]
    out = []
    for rec in records:
        if rec["type"] == "document":
            rest = {k: v for k, v in rec.items() if k != "type"}
            rec = {"type": "document", "sha256": f.sha256, "format": f.rendering.fmt, **rest,
                   "pages": _pages(f.data, f.rendering.fmt), "rendering": f.rendering.name,
                   "seed_id": f.seed_id, "variant": f.variant_index}
        else:
            rec = {**rec, "doc": f.sha256}
        out.append(rec)
    return out


def write_corpus(out_dir: Path, variants_per_seed: int = 2, *, renderings: list[str] | None = None,
                 seeds: list[str] | None = None) -> list[Path]:
    """Write every file, `<name>.truth.jsonl` beside it and a `manifest.jsonl`; return the files."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written, manifest = [], []
    names = renderings or [n for n in RENDERINGS if n not in OPT_IN]
    for f in render_files(documents(variants_per_seed, seeds), names):
        path = out_dir / f.filename
        path.write_bytes(f.data)
        lines = [json.dumps(r, ensure_ascii=False) for r in file_truth(f)]
        path.with_name(path.name + ".truth.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
        manifest.append({"filename": f.filename, "seed_id": f.seed_id, "variant": f.variant_index,
                         "rendering": f.rendering.name, "format": f.rendering.fmt, "sha256": f.sha256,
                         "department": f.variant.department if f.variant else SEEDS[f.seed_id].department,
                         "fiscal_year": f.variant.fiscal_year if f.variant else SEEDS[f.seed_id].fiscal_year})
    text = "".join(json.dumps(m, ensure_ascii=False) + "\n" for m in manifest)
    (out_dir / "manifest.jsonl").write_text(text, encoding="utf-8")
    return written
