"""The fixed set of files the local portal simulator serves, and a writer for a scorable corpus.

Every seed as PDF, seed 002 also as XLSX, and perturbed variants of 002 (another department and years),
so a crawl of the simulator archives documents whose ground truth is known exactly.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Literal

from .render_pdf import render_pdf
from .render_xlsx import render_xlsx
from .seeds import SEEDS
from .truth import truth_records
from .variants import Variant

Format = Literal["pdf", "xlsx"]

WEIJIANWEI_2023 = Variant("邯郸市卫生健康委员会", "208", 2023, Decimal("1.37"), seed=1)
YIBAOJU_2021 = Variant("邯郸市医疗保障局", "207", 2021, Decimal("0.82"), seed=2)
RENSHEJU_2022 = Variant("邯郸市人力资源和社会保障局", "209", 2022, Decimal("2.15"), seed=3)

# (seed, variant, format, slug)
_PLAN: list[tuple[str, Variant | None, Format, str]] = [
    ("000", None, "pdf", "dachang-ybj-2021-pdf"),
    ("001", None, "pdf", "menyuan-ybj-2024-pdf"),
    ("002", None, "pdf", "handan-ybj-2022-pdf"),
    ("002", None, "xlsx", "handan-ybj-2022-xlsx"),
    ("003", None, "pdf", "beidaihe-ybj-2021-pdf"),
    ("004", None, "pdf", "anyang-ybzx-2021-pdf"),
    ("002", WEIJIANWEI_2023, "pdf", "handan-wjw-2023-pdf"),
    ("002", WEIJIANWEI_2023, "xlsx", "handan-wjw-2023-xlsx"),
    ("002", YIBAOJU_2021, "pdf", "handan-ybj-2021-pdf"),
    ("002", RENSHEJU_2022, "xlsx", "handan-rsj-2022-xlsx"),
]
_KIND_WORDS = {"000": "部门预算信息公开情况说明", "001": "部门预算项目支出绩效目标公开表",
               "003": "单位预算", "004": "整体绩效目标表"}


@dataclass(frozen=True)
class RenderedDocument:
    """One servable file with what a portal article would say about it."""

    slug: str
    seed_id: str
    variant: Variant | None
    fmt: Format
    filename: str
    title: str
    department: str
    fiscal_year: int
    doc_kind: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _make(seed_id: str, variant: Variant | None, fmt: Format, slug: str) -> RenderedDocument:
    info = SEEDS[seed_id]
    department = variant.department if variant else info.department
    year = variant.fiscal_year if variant else info.fiscal_year
    words = _KIND_WORDS.get(seed_id, "部门预算")
    data = render_pdf(seed_id, variant=variant) if fmt == "pdf" else render_xlsx(seed_id, variant=variant)
    return RenderedDocument(
        slug=slug, seed_id=seed_id, variant=variant, fmt=fmt,
        filename=f"{department}{year}年{words}.{fmt}",
        title=f"{department}{year}年{words}" + ("" if words.endswith(("说明", "表")) else "公开"),
        department=department, fiscal_year=year, doc_kind=info.doc_kind, data=data,
    )


@cache
def _disclosures() -> tuple[RenderedDocument, ...]:
    return tuple(_make(*entry) for entry in _PLAN)


def disclosures() -> list[RenderedDocument]:
    """All servable documents (rendered once per process)."""
    return list(_disclosures())


def _pages(doc: RenderedDocument) -> int:
    if doc.fmt == "pdf":
        import pypdfium2

        return len(pypdfium2.PdfDocument(doc.data))
    import io

    from openpyxl import load_workbook

    return len(load_workbook(io.BytesIO(doc.data), read_only=True).sheetnames)


def file_truth(doc: RenderedDocument) -> list[dict]:
    """Truth records for one file: format-dependent fields filled in."""
    records = truth_records(doc.seed_id, variant=doc.variant, fmt=doc.fmt)
    out = []
    for rec in records:
        if rec["type"] == "document":
            rec = {"type": "document", "sha256": doc.sha256, "format": doc.fmt, "pages": _pages(doc),
                   **{k: v for k, v in rec.items() if k != "type"}}
        else:
            rec = {**rec, "doc": doc.sha256}
        out.append(rec)
    return out


def write_corpus(out_dir: Path) -> None:
    """Write every document, `<filename>.truth.jsonl` beside it, and a `manifest.jsonl`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = []
    for doc in disclosures():
        (out_dir / doc.filename).write_bytes(doc.data)
        lines = [json.dumps(r, ensure_ascii=False) for r in file_truth(doc)]
        (out_dir / f"{doc.filename}.truth.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        manifest.append({"slug": doc.slug, "filename": doc.filename, "title": doc.title, "fmt": doc.fmt,
                         "seed_id": doc.seed_id, "department": doc.department, "fiscal_year": doc.fiscal_year,
                         "doc_kind": doc.doc_kind, "sha256": doc.sha256})
    text = "\n".join(json.dumps(m, ensure_ascii=False) for m in manifest) + "\n"
    (out_dir / "manifest.jsonl").write_text(text, encoding="utf-8")
