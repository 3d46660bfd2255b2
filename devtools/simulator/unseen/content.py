"""What every unseen platform publishes: departments × years of disclosures, and the decoys beside them.

The platforms differ in how they publish (API shapes, paging, routing), not in what a city publishes,
so the content is built here once per platform, as the simulator's plain data (`Site`, `Column`,
`Article`, `Attachment`): one column per category (部门预算, 部门决算, 三公经费, 绩效目标, 一图读懂,
工作动态, 通知公告). Each platform groups the columns its own way (one flat list, tabs, tree nodes).

Disclosures are real seed renderings (seed 002 as PDF, XLSX or DOCX, seed 001 for 绩效目标 tables),
each a variant of its own department, year and amounts, so no two files share bytes. The corpus has no
决算 seed: a 部门决算 here is a seed-002 variant published under a 决算 title — discovery judges the
label, the parser reports what the content says. Decoys carry budget words and real files too:
一图读懂 infographics (a PNG and a PDF), a notice about the disclosure work, execution news and a
pre-2016 budget; none of them is a disclosure to archive.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache

from govbudget.simulator.decoys import finance_office
from govbudget.simulator.family_docs import FamilyDocument, old_budget_pdf
from govbudget.simulator.ids import article_id, budget_pub_date, stable_int, stored_name
from govbudget.simulator.sites import Article, Attachment, Column, Site

# (slug, name) of the categories, in the order a portal's menu shows them.
CATEGORIES = (
    ("bmys", "部门预算"),
    ("bmjs", "部门决算"),
    ("sgjf", "三公经费"),
    ("jxmb", "绩效目标"),
    ("ytdd", "一图读懂"),
    ("gzdt", "工作动态"),
    ("tzgg", "通知公告"),
)
CATEGORY_OF_KIND = {"budget": "部门预算", "final": "部门决算", "three_public": "三公经费",
                    "performance": "绩效目标"}
LATEST_YEAR = 2024


@dataclass(frozen=True)
class Planned:
    """One disclosure a platform publishes: its kind, which department (index), year and files."""

    kind: str
    dept: int
    year: int
    fmts: tuple[str, ...] = ("pdf",)


# Ten disclosures (eleven files) per platform: four departments, budgets of two years, finals of two,
# a 三公 budget and a 绩效目标 table; PDF mostly, one XLSX beside its PDF, a DOCX and an HTML `.xls`.
PLAN = (
    Planned("budget", 0, 2024),
    Planned("budget", 1, 2024, ("pdf", "xlsx")),
    Planned("budget", 2, 2024, ("docx",)),
    Planned("budget", 0, 2023),
    Planned("budget", 3, 2023),
    Planned("final", 1, 2023),
    Planned("final", 2, 2023, ("xls",)),
    Planned("final", 0, 2022),
    Planned("three_public", 3, 2024),
    Planned("performance", 0, 2024),
)


def _variant(department: str, year: int, key: str) -> object:
    from govbudget.corpus.variants import Variant

    return Variant(department, None, year, Decimal("0.80") + Decimal(stable_int(key, 2)) / 100,
                   seed=stable_int(key, 6))


def _title(kind: str, department: str, year: int) -> tuple[str, str]:
    """(article title, file name stem) as portals word them."""
    if kind == "budget":
        return f"{department}{year}年部门预算公开", f"{department}{year}年部门预算"
    if kind == "final":
        return f"{department}{year}年度部门决算公开", f"{department}{year}年度部门决算"
    if kind == "three_public":
        return f"{department}{year}年“三公”经费预算公开", f"{department}{year}年“三公”经费预算"
    if kind == "performance":
        name = f"{department}{year}年部门预算项目支出绩效目标表"
        return name, name
    raise ValueError(f"unknown disclosure kind {kind!r}")


def _html_xls(title: str, key: str) -> bytes:
    """An `.xls` that is an HTML table (what many finance systems export), amounts from `key`."""
    total = Decimal(800 + stable_int(key, 4) % 4000) + Decimal(stable_int(key + ":c", 2)) / 100
    general = (total * Decimal("0.86")).quantize(Decimal("0.01"))
    rows = [("项目", "决算数"), ("一般公共预算财政拨款收入", f"{general:,.2f}"),
            ("其他收入", f"{total - general:,.2f}"), ("本年收入合计", f"{total:,.2f}")]
    cells = "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in rows)
    return (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>'
            f"<table><caption>{title}收入支出决算总表</caption>{cells}</table><p>单位：万元</p></body></html>"
            ).encode()


def disclosure_file(prefix: str, department: str, item: Planned, fmt: str) -> FamilyDocument:
    """One disclosure file, rendered from a seed as a variant of its own (distinct bytes)."""
    title, stem = _title(item.kind, department, item.year)
    slug = f"{prefix}-{item.kind}-{item.dept}-{item.year}-{fmt}"
    variant = _variant(department, item.year, slug)
    seed = "001" if item.kind == "performance" else "002"
    if fmt == "xls":
        data, seed, variant = _html_xls(stem, slug), "html", None
    elif fmt == "pdf":
        from govbudget.corpus.render_pdf import render_pdf

        data = render_pdf(seed, variant=variant)  # type: ignore[arg-type]
    elif fmt == "xlsx":
        from govbudget.corpus.render_xlsx import render_xlsx

        data = render_xlsx(seed, variant=variant)  # type: ignore[arg-type]
    elif fmt == "docx":
        from govbudget.corpus.render_docx import render_docx

        data = render_docx(seed, variant=variant)  # type: ignore[arg-type]
    else:
        raise ValueError(f"no rendering for {fmt!r}")
    return FamilyDocument(slug=slug, fmt=fmt, filename=f"{stem}.{fmt}", title=title, department=department,
                          fiscal_year=item.year, data=data, seed_id=seed, variant=variant, doc_kind=item.kind)


@lru_cache(maxsize=64)
def notice_pdf(title: str, lines: tuple[str, ...]) -> bytes:
    """A one-page PDF with a title and a few lines; deterministic bytes (reportlab `invariant`)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, invariant=1)
    pdf.setTitle(title)
    pdf.setFont("STSong-Light", 15)
    pdf.drawString(60, 770, title)
    pdf.setFont("STSong-Light", 11)
    for n, line in enumerate(lines):
        pdf.drawString(60, 730 - 20 * n, line)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def infographic_png(title: str, width: int = 48, height: int = 32) -> bytes:
    """A small PNG (colour bands from the title, the title in an iTXt chunk): an infographic's bytes."""
    seed = stable_int(title, 9)
    rows = b"".join(b"\x00" + bytes(((seed >> (y % 24)) + x * 5) % 256 for x in range(width * 3))
                    for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    text = b"Title\x00\x00\x00\x00\x00" + title.encode("utf-8")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"iTXt", text)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def _article(prefix: str, title: str, published: date, source: str, files: list[tuple[str, str, bytes,
             FamilyDocument | None]], text: str) -> Article:
    attachments = tuple(
        Attachment(link_text=name, stored_name=stored_name(published, f"{prefix}:{title}:{n}", fmt),
                   data=data, fmt=fmt, document=doc)
        for n, (name, fmt, data, doc) in enumerate(files))
    return Article(article_id=article_id(f"{prefix}:{title}"), title=title, pub_date=published, source=source,
                   paragraphs=(text,), attachments=attachments)


def _published(prefix: str, item: Planned, title: str) -> date:
    if item.kind == "final":  # 决算 are approved mid-year and published in August or September
        n = stable_int(f"{prefix}:{title}", 4)
        return date(item.year + 1, 8 + n % 2, 1 + n % 28)
    return budget_pub_date(item.year, f"{prefix}:{title}")


def disclosure_articles(prefix: str, departments: tuple[str, ...]) -> dict[str, list[Article]]:
    """Category name → the platform's disclosure articles (one per `PLAN` entry, its files attached)."""
    out: dict[str, list[Article]] = {}
    for item in PLAN:
        department = departments[item.dept]
        docs = [disclosure_file(prefix, department, item, fmt) for fmt in item.fmts]
        title = docs[0].title
        art = _article(prefix, title, _published(prefix, item, title), department,
                       [(d.filename, d.fmt, d.data, d) for d in docs],
                       f"根据《中华人民共和国预算法》和《地方预决算公开操作规程》，现将{title}有关情况公布如下。")
        out.setdefault(CATEGORY_OF_KIND[item.kind], []).append(art)
    return out


def decoy_articles(prefix: str, city: str, departments: tuple[str, ...]) -> dict[str, list[Article]]:
    """Category name → items that speak of budgets but are no disclosure (their files included)."""
    office = finance_office(city)
    year = LATEST_YEAR
    picture = f"一图读懂{city}{year}年市级部门预算"
    final_picture = f"一图读懂{city}{year - 1}年度部门决算"
    notice = f"{office}关于做好{year}年部门预算公开工作的通知"
    news = f"{city}{year}年上半年预算执行情况"
    old = f"{departments[0]}2015年部门预算"
    return {
        "一图读懂": [
            _article(prefix, picture, date(year, 2, 27), office,
                     [(f"{picture}.png", "png", infographic_png(picture), None)],
                     "一张图带您读懂市级部门预算的收入来源和支出去向。"),
            _article(prefix, final_picture, date(year, 9, 12), office,
                     [(f"{final_picture}.pdf", "pdf", notice_pdf(final_picture, (
                         "收入决算：一般公共预算财政拨款收入占比最高。",
                         "支出决算：基本支出保运转，项目支出保重点。")),
                       None)],
                     "图解部门决算：钱从哪里来，花到哪里去。"),
        ],
        "通知公告": [
            _article(prefix, notice, date(year, 1, 12), office,
                     [(f"{notice}.pdf", "pdf", notice_pdf(notice, (
                         "各预算部门：", f"为做好{year}年部门预算公开工作，现就有关事项通知如下。",
                         "一、公开时间：预算批复后20日内。",
                         "二、公开内容：部门预算公开表及情况说明。")), None)],
                     "请各部门按要求做好部门预算公开工作。"),
        ],
        "工作动态": [
            _article(prefix, news, date(year, 7, 25), office,
                     [(f"{news}.pdf", "pdf", notice_pdf(news, (
                         f"{year}年上半年，全市一般公共预算收入完成年度预算的51.8%。",
                         "支出进度总体平稳。")), None)],
                     f"{year}年上半年全市预算执行情况总体平稳。"),
        ],
        # Lists keep budgets from before 2016; the crawl leaves them.
        "部门预算": [
            _article(prefix, f"{old}公开", date(2015, 2, 10), departments[0],
                     [(f"{old}.pdf", "pdf", old_budget_pdf(departments[0], 2015), None)],
                     f"现将{old}有关情况公布如下。"),
        ],
    }


@dataclass(frozen=True)
class PlatformSite:
    """Where and what one unseen platform publishes (the renderer decides how)."""

    prefix: str
    city: str
    region_code: str
    domain: str
    name: str
    family: str
    departments: tuple[str, ...]


@cache
def _columns(prefix: str, city: str, departments: tuple[str, ...]) -> tuple[Column, ...]:
    found = disclosure_articles(prefix, departments)
    decoys = decoy_articles(prefix, city, departments)
    return tuple(Column(slug, name, (*found.get(name, ()), *decoys.get(name, ())))
                 for slug, name in CATEGORIES)


def build_site(spec: PlatformSite) -> Site:
    """The platform's `Site`: one column per category (documents rendered once per process)."""
    site = Site(prefix=spec.prefix, name=spec.name, domain=spec.domain,
                site_id_code=f"{spec.region_code}0001", region_code=spec.region_code, family=spec.family,
                needs_browser=True)
    return replace(site, columns=_columns(spec.prefix, spec.city, spec.departments))


def entries(site: Site, *names: str) -> list[tuple[str, Article]]:
    """(category, article) of the named categories (all when none is named), newest first, ties by id."""
    found = [(c.name, i) for c in site.columns if not names or c.name in names
             for i in c.items if isinstance(i, Article)]
    return sorted(found, key=lambda e: (e[1].pub_date, e[1].article_id), reverse=True)
