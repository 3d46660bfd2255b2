"""Disclosures for the family sites beyond the corpus's own set, rendered from seeds as variants.

Every family needs several departments and years of its own so a test can tell which family's
adapter found what. Each document is a real seed-rendered PDF (another department, year and
amounts, sums intact), so parsing it means something; a few edge cases are built here by hand: an
``.xls`` that is really an HTML table and a ZIP holding two disclosures.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from govbudget.simulator.decoys import tender_pdf


@dataclass(frozen=True)
class FamilyDocument:
    """A servable disclosure (the simulator's `Disclosure` protocol plus the corpus's descriptive fields)."""

    slug: str
    fmt: str
    filename: str
    title: str
    department: str
    fiscal_year: int
    data: bytes
    seed_id: str = "002"
    variant: object | None = None
    doc_kind: str = "budget"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _variant(department: str, year: int, seed: int) -> object:
    from govbudget.corpus.variants import Variant

    return Variant(department, None, year, Decimal("1.0") + Decimal(seed) / 10, seed=seed)


def _variant_pdf(variant: object) -> bytes:
    from govbudget.corpus.render_pdf import render_pdf

    return render_pdf("002", variant=variant)  # type: ignore[arg-type]


def budget_pdf(slug: str, department: str, year: int, seed: int) -> FamilyDocument:
    """`<department><year>年部门预算` as a seed-002 variant PDF."""
    title = f"{department}{year}年部门预算"
    variant = _variant(department, year, seed)
    # `variant` is set so that checks of the unperturbed seed (variant None) never pick these up,
    # and truth_records("002", variant=...) gives their truth.
    return FamilyDocument(
        slug=slug,
        fmt="pdf",
        filename=f"{title}.pdf",
        title=f"{title}公开",
        department=department,
        fiscal_year=year,
        data=_variant_pdf(variant),
        variant=variant,
    )


def html_xls(slug: str, department: str, year: int) -> FamilyDocument:
    """An `.xls` that is an HTML table: what many county systems export."""
    title = f"{department}{year}年部门预算"
    rows = [
        ("项目", "本年预算数"),
        ("一般公共预算拨款收入", "1,286.40"),
        ("政府性基金预算拨款收入", "0.00"),
        ("收入总计", "1,286.40"),
    ]
    cells = "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in rows)
    page = (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>'
        f"<table><caption>{title}收支总表</caption>{cells}</table><p>单位：万元</p></body></html>"
    )
    return FamilyDocument(
        slug=slug,
        fmt="xls",
        filename=f"{title}.xls",
        title=f"{title}公开",
        department=department,
        fiscal_year=year,
        data=page.encode("utf-8"),
        seed_id="html",
    )


def zip_of(
    slug: str, title: str, department: str, year: int, members: list[FamilyDocument]
) -> FamilyDocument:
    """A ZIP of disclosures (fixed timestamps, so the bytes are the same on every run)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for doc in members:
            info = zipfile.ZipInfo(doc.filename, date_time=(year, 1, 15, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, doc.data)
    return FamilyDocument(
        slug=slug,
        fmt="zip",
        filename=f"{title}.zip",
        title=title,
        department=department,
        fiscal_year=year,
        data=buf.getvalue(),
        seed_id="zip",
    )


def old_budget_pdf(department: str, year: int) -> bytes:
    """A small PDF for a pre-2016 budget: a decoy by year (never a disclosure we archive)."""
    return tender_pdf(f"{department}{year}年部门预算")


@cache
def family_documents() -> dict[str, tuple[FamilyDocument, ...]]:
    """Documents per family site prefix (rendered once per process)."""
    bd_culture = budget_pdf("bd-whj-2023", "保定市文化广电和旅游局", 2023, 31)
    bd_sport = budget_pdf("bd-tyj-2023", "保定市体育局", 2023, 32)
    return {
        "hw": (
            budget_pdf("hz-czj-2023", "杭州市财政局", 2023, 11),
            budget_pdf("hz-jyj-2022", "杭州市教育局", 2022, 12),
        ),
        "spa": (
            budget_pdf("nj-wjw-2023", "南京市卫生健康委员会", 2023, 13),
            budget_pdf("nj-jtj-2022", "南京市交通运输局", 2022, 14),
        ),
        "asp": (
            budget_pdf("db-czj-2023", "茂名市电白区财政局", 2023, 15),
            budget_pdf("db-slj-2022", "茂名市电白区水务局", 2022, 16),
        ),
        "ifr": (
            budget_pdf("sjz-sjj-2023", "石家庄市审计局", 2023, 17),
            budget_pdf("sjz-tjj-2022", "石家庄市统计局", 2022, 18),
        ),
        "rs": (
            budget_pdf("wh-ylj-2023", "武汉市园林和林业局", 2023, 19),
            budget_pdf("wh-sfj-2022", "武汉市司法局", 2022, 20),
        ),
        "jsl": (budget_pdf("cs-swj-2023", "长沙市商务局", 2023, 21),),
        "gk": (
            budget_pdf("zh-czj-2024", "珠海市财政局", 2024, 35),
            budget_pdf("zh-jyj-2023", "珠海市教育局", 2023, 36),
            budget_pdf("zh-mzj-2022", "珠海市民政局", 2022, 37),
        ),
        "yjs": (
            budget_pdf("sz-jyj-2024", "苏州市教育局", 2024, 38),
            budget_pdf("sz-jtj-2023", "苏州市交通运输局", 2023, 39),
        ),
        "frg": (
            budget_pdf("wz-czj-2024", "温州市财政局", 2024, 40),
            budget_pdf("wz-jyj-2023", "温州市教育局", 2023, 41),
        ),
        "tre": (
            budget_pdf("nb-czj-2024", "宁波市财政局", 2024, 43),
            budget_pdf("nb-hbj-2023", "宁波市海曙区环保局", 2023, 45),
        ),
        "qry": (
            budget_pdf("tz-czj-2024", "台州市财政局", 2024, 46),
            budget_pdf("tz-jyj-2023", "台州市教育局", 2023, 47),
        ),
        "sel": (
            budget_pdf("ls-czj-2024", "丽水市财政局", 2024, 48),
            budget_pdf("ls-jyj-2023", "丽水市教育局", 2023, 49),
        ),
        "enc": (
            budget_pdf("qz-czj-2024", "衢州市财政局", 2024, 50),
            budget_pdf("qz-jyj-2023", "衢州市教育局", 2023, 51),
        ),
        "edge": (
            html_xls("bd-yjj-2023-xls", "保定市应急管理局", 2023),
            zip_of(
                "bd-2023-zip",
                "保定市文化和体育部门2023年部门预算（打包下载）",
                "保定市文化广电和旅游局",
                2023,
                [bd_culture, bd_sport],
            ),
            budget_pdf("bd-kjj-2022", "保定市科学技术局", 2022, 33),
            budget_pdf("bd-sfj-2024", "保定市司法局", 2024, 34),
        ),
    }
