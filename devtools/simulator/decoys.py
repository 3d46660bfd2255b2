"""Decoys: items a careless crawler would archive as budget disclosures but must not.

Real 财政预决算 columns mix in policy explainers, execution news, tenders with PDF attachments and
links to other hosts; the simulator reproduces each so crawler tests can prove they are skipped.
"""

from __future__ import annotations

import io
from datetime import date
from functools import lru_cache

from govbudget.simulator.ids import article_id, stored_name
from govbudget.simulator.sites import Article, Attachment, ExternalLink


def finance_office(region: str) -> str:
    """财政厅 for a province, 财政局 below: sources print the publishing office."""
    return region + ("财政厅" if region.endswith("省") else "财政局")


@lru_cache(maxsize=8)
def tender_pdf(title: str) -> bytes:
    """A tiny one-page PDF announcing a tender; deterministic bytes (reportlab `invariant`)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, invariant=1)
    pdf.setTitle(title)
    pdf.setFont("STSong-Light", 16)
    pdf.drawString(72, 760, title)
    pdf.setFont("STSong-Light", 11)
    lines = ("一、项目名称及编号：见招标文件。", "二、采购方式：公开招标。",
             "三、投标截止时间：以公告为准。", "四、联系方式：采购人及代理机构。")
    for n, line in enumerate(lines):
        pdf.drawString(72, 720 - 20 * n, line)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def policy_explainer(city: str, year: int) -> Article:
    """政策解读: mentions 部门预算 in its title but carries no budget file."""
    title = f"{city}{year}年市级部门预算公开工作政策解读"
    return Article(
        article_id=article_id(title), title=title, pub_date=date(year, 2, 20), source=finance_office(city),
        paragraphs=(f"为做好{year}年部门预算公开工作，现就有关政策解读如下。",
                    "一、公开范围：使用财政拨款的部门和单位。二、公开时间：批复后20日内。"),
    )


def execution_news(city: str, year: int) -> Article:
    """预算执行情况 news: budget words, no disclosure."""
    title = f"{city}{year}年上半年预算执行情况"
    return Article(
        article_id=article_id(title), title=title, pub_date=date(year, 7, 25), source=finance_office(city),
        paragraphs=(f"{year}年上半年，全市一般公共预算收入完成年度预算的52.3%，同比增长4.1%。",),
    )


def tender_notice(city: str, year: int) -> Article:
    """招标公告 with a real PDF attachment that is not a budget."""
    title = f"{city}{year}年医疗保障信息平台运维服务项目招标公告"
    published = date(year, 4, 12)
    pdf = tender_pdf(title)
    return Article(
        article_id=article_id(title), title=title, pub_date=published, source=f"{city}公共资源交易中心",
        paragraphs=("现对该项目进行公开招标，欢迎合格的供应商参加投标。", "附件："),
        attachments=(Attachment(link_text=f"{title}.pdf", stored_name=stored_name(published, title, "pdf"),
                                data=pdf, fmt="pdf"),),
    )


def personnel_notice(city: str, year: int) -> Article:
    """人事任免: an ordinary article in another column."""
    title = f"{city}人民政府关于张某某等同志职务任免的通知"
    return Article(
        article_id=article_id(title), title=title, pub_date=date(year, 5, 8), source=f"{city}人民政府办公室",
        paragraphs=("经研究决定：任命张某某为市医疗保障局副局长，免去李某某的市医疗保障局副局长职务。",),
    )


def external_budget_link(city: str, year: int) -> ExternalLink:
    """A list item on another host: must never be fetched by a crawler confined to the site."""
    return ExternalLink(title=f"{city}{year}年政府预算公开平台（外部链接）",
                        url=f"http://example.invalid/yjsgk/{year}/index.html", pub_date=date(year, 1, 30))


def plain_article(title: str, published: date, source: str, text: str) -> Article:
    """An ordinary page on the navigation path (指南, 新闻): real sites are mostly these."""
    return Article(article_id=article_id(title), title=title, pub_date=published, source=source,
                   paragraphs=(text,))
