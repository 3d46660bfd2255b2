"""A county portal of the size real ones have: the crawl benchmark's site, and its department list.

The simulator's own sites hold two or three disclosures each, so a crawl of them lasts half a
second and measures start-up (robots.txt, the first cookie, the first catalog write) more than
throughput. A real county's 财政预决算 column lists every department's budget for several
years: here 60 departments × 3 years, on the plain CMS family (one list page holding
every item, absolute links), with the usual decoy columns around it. A family whose pagination
exists only in script (TRS ``createPageHTML``, Hanweb ``jpage``) would hide most of the site from
the bare follow-all spider, and the two sides would no longer fetch the same pages.

`DEPARTMENTS` is the bodies a county publishes for (bureaus, Party and people's-congress offices,
courts, schools, centres, associations); the crawler's rules are tested against every one of them.
Every attachment has bytes of its own (a seed-002 PDF with a distinct trailing comment, which PDF
readers ignore), so content addressing deduplicates nothing that a real portal would not.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from govbudget.simulator import layout
from govbudget.simulator.families import PLAIN_FAMILY
from govbudget.simulator.family_docs import FamilyDocument, budget_pdf
from govbudget.simulator.portals import articles_from
from govbudget.simulator.sites import Site

# (name, prefix, domain, region code) of the counties a multi-portal crawl uses.
COUNTIES = (
    ("临城县", "lc", "www.lincheng.gov.cn", "130522"),
    ("内丘县", "nq", "www.neiqiu.gov.cn", "130523"),
    ("柏乡县", "bx", "www.baixiang.gov.cn", "130524"),
    ("隆尧县", "ly", "www.longyao.gov.cn", "130525"),
)
YEARS = (2022, 2023, 2024)
DEPARTMENTS = (
    "财政局", "教育局", "卫生健康局", "民政局", "人力资源和社会保障局", "自然资源和规划局",
    "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局", "文化广电和旅游局", "应急管理局",
    "审计局", "统计局", "市场监督管理局", "医疗保障局", "退役军人事务局", "司法局", "公安局",
    "发展和改革局", "工业和信息化局", "科学技术局", "生态环境分局", "林业局", "体育局", "信访局",
    "行政审批局", "城市管理综合行政执法局", "机关事务服务中心", "档案馆", "融媒体中心", "供销合作社联合社",
    "总工会", "团县委", "妇女联合会", "科学技术协会", "残疾人联合会", "红十字会", "工商业联合会",
    "县委办公室", "县政府办公室", "县人大常委会办公室", "县政协办公室", "县委组织部", "县委宣传部",
    "县委统战部", "县委政法委员会", "县纪委监委", "县委党校", "人民法院", "人民检察院", "疾病预防控制中心",
    "妇幼保健院", "第一中学", "职业技术教育中心", "农业技术推广中心", "水务服务中心", "不动产登记中心",
    "政务服务中心",
)
VARIANTS = 6  # rendered PDFs; the rest are byte-distinct copies of these


@cache
def _pdfs() -> tuple[FamilyDocument, ...]:
    return tuple(budget_pdf(f"county-v{n}", f"某县{DEPARTMENTS[n]}", YEARS[-1], 40 + n)
                 for n in range(VARIANTS))


def documents(county: int = 0, departments: int = len(DEPARTMENTS)) -> list[FamilyDocument]:
    """One budget PDF per department and year of the `county`-th county, bytes no other file has."""
    name, prefix = COUNTIES[county][:2]
    docs = []
    for n, (dept, year) in enumerate((d, y) for y in YEARS for d in DEPARTMENTS[:departments]):
        base = _pdfs()[n % VARIANTS]
        title = f"{name}{dept}{year}年部门预算"
        docs.append(replace(base, slug=f"{prefix}-{n}", filename=f"{title}.pdf", title=f"{title}公开",
                            department=f"{name}{dept}", fiscal_year=year,
                            data=base.data + f"\n% bench copy {prefix} {n}\n".encode()))
    return docs


def county_site(county: int = 0, departments: int = len(DEPARTMENTS)) -> Site:
    """A county portal: `departments` × 3 years of disclosures in one list, decoy columns beside it."""
    name, prefix, domain, code = COUNTIES[county]
    articles = articles_from(documents(county, departments), prefix)
    return layout.family_site(prefix=prefix, city=name, domain=domain, code=code, family=PLAIN_FAMILY,
                              articles=articles)
