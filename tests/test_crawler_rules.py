"""The crawler's pure rules: URL safety, link decisions, classification, JS pagination."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from govbudget.crawler.classify import classify_link, department_of, fiscal_year_of, kind_of, page_context
from govbudget.crawler.families.trs import create_page_html_urls
from govbudget.crawler.link_policy import decide, looks_like_file
from govbudget.crawler.url_safety import check_url
from govbudget.simulator.county_site import COUNTIES, DEPARTMENTS
from govbudget.simulator.sites import Site

REAL_HTML = Path(__file__).parent / "data" / "realhtml"


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5/budget.pdf",
        "http://192.168.1.1/",
        "http://172.16.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://0.0.0.0/",
    ],
)
def test_private_and_link_local_addresses_are_always_refused(url: str) -> None:
    assert not check_url(url, allow_loopback=True).allowed


def test_loopback_needs_explicit_permission() -> None:
    assert not check_url("http://127.0.0.1:8000/", allow_loopback=False).allowed
    assert "loopback" in check_url("http://localhost/", allow_loopback=False).reason
    assert check_url("http://127.0.0.1:8000/", allow_loopback=True).allowed
    assert check_url("http://[::1]:8000/", allow_loopback=True).allowed


@pytest.mark.parametrize("url", ["ftp://example.com/a.pdf", "file:///etc/passwd", "javascript:alert(1)"])
def test_only_http_and_https(url: str) -> None:
    verdict = check_url(url, allow_loopback=True)
    assert not verdict.allowed and "scheme" in verdict.reason


def test_public_address_is_allowed() -> None:
    assert check_url("http://8.8.8.8/index.html").allowed


def test_create_page_html_on_a_real_mof_list_page() -> None:
    html = (REAL_HTML / "mof_yss_dfzgl_sjtj_index_1.htm").read_text(encoding="utf-8")
    base = "http://yss.mof.gov.cn/zhuantilanmu/dfzgl/sjtj/index_1.htm"
    urls = create_page_html_urls(html, base)
    assert len(urls) == 13  # 14 pages, the current one (index_1) excluded
    assert "http://yss.mof.gov.cn/zhuantilanmu/dfzgl/sjtj/index.htm" in urls
    assert "http://yss.mof.gov.cn/zhuantilanmu/dfzgl/sjtj/index_13.htm" in urls
    assert base not in urls


def test_create_page_html_first_page() -> None:
    html = '<script>createPageHTML(3, 0, "index", "html");</script>'
    assert create_page_html_urls(html, "http://x.cn/czyjs/index.html") == [
        "http://x.cn/czyjs/index_1.html",
        "http://x.cn/czyjs/index_2.html",
    ]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("邯郸市医疗保障局2022年部门预算公开", "budget"),
        ("邯郸市医疗保障局2021年部门决算公开", "final"),
        ("2022年三公经费预算公开", "three_public"),
        ("门源县医疗保障局2024年部门预算项目支出绩效目标公开表", "performance"),
        ("关于2022年部门预算的政策解读", "other"),
        ("2022年上半年预算执行情况", "other"),
        ("办公设备采购项目招标公告", "other"),
        ("人事任免通知", "other"),
        # Decoy words inside a department's name do not make its budget a decoy.
        ("临城县退役军人事务局2023年部门预算公开", "budget"),
        ("2022年某市新闻出版局部门决算", "final"),
        ("临城县退役军人事务局关于2023年上半年预算执行情况的说明", "other"),
        ("县退役军人事务局关于公开2023年部门预算的说明", "budget"),
        ("某市新闻出版局关于2023年部门决算的说明", "final"),
        ("某市劳动人事争议仲裁院2022年单位决算", "final"),
        ("关于2023年人事任免的通知", "other"),
    ],
)
def test_kind_of(text: str, kind: str) -> None:
    assert kind_of(text) == kind


def test_classify_file_link_uses_text_file_name_and_page_title() -> None:
    c = classify_link("附件：邯郸市医疗保障局2022年部门预算.pdf", "http://x.cn/a/W020220315001.pdf")
    summary = (c.doc_kind, c.fiscal_year, c.phase, c.department)
    assert summary == ("budget", 2022, "budget", "邯郸市医疗保障局")
    # A bare attachment name borrows the article's title.
    c = classify_link("附件1", "http://x.cn/a/W0123.xlsx", context_title="邯郸市财政局2023年部门决算公开")
    assert (c.doc_kind, c.fiscal_year, c.department) == ("final", 2023, "邯郸市财政局")


def test_department_after_year() -> None:
    assert department_of("2022年邯郸市医疗保障局部门预算") == "邯郸市医疗保障局"


def test_every_body_a_county_publishes_for_is_followed_and_named() -> None:
    """Bureaus, Party and congress offices, courts, schools, associations: 60 bodies × 3 years."""
    county = COUNTIES[0][0]
    for body in DEPARTMENTS:
        for year in (2022, 2023, 2024):
            title = f"{county}{body}{year}年部门预算公开"
            assert decide(title, "http://x.cn/xxgk/art_1.html").action == "page", title
            file_text, file_url = f"{county}{body}{year}年部门预算.pdf", "http://x.cn/xxgk/files/W0202.pdf"
            assert decide(file_text, file_url, context_title=title).action == "file", title
            c = classify_link(file_text, file_url, context_title=title)
            assert (c.doc_kind, c.fiscal_year, c.department) == ("budget", year, f"{county}{body}"), title


def test_department_before_guanyu() -> None:
    assert department_of("县退役军人事务局关于公开2023年部门预算的说明") == "县退役军人事务局"
    assert department_of("关于2023年人事任免的通知") is None


@pytest.mark.parametrize(
    ("text", "url", "action"),
    [
        ("信息公开", "http://x.cn/xxgk/", "page"),
        ("财政预决算", "http://x.cn/xxgk/czyjs/index.html", "page"),
        ("邯郸市医疗保障局2022年部门预算公开", "http://x.cn/a/t1.html", "page"),
        ("政策解读", "http://x.cn/zcjd/", "skip"),
        ("人事信息", "http://x.cn/rsxx/", "skip"),
        ("临城县退役军人事务局2024年部门预算公开", "http://x.cn/a/t2.html", "page"),
        ("临城县退役军人事务局2024年部门预算.pdf", "http://x.cn/a/W0202402.pdf", "file"),
        ("2015年部门预算公开", "http://x.cn/a/t0.html", "skip"),
        ("联系我们", "http://x.cn/lxwm/", "skip"),
        ("邯郸市医疗保障局2022年部门预算.pdf", "http://x.cn/a/W0202203.pdf", "file"),
        ("XX项目招标公告.pdf", "http://x.cn/a/W0202204.pdf", "skip"),
        ("2014年部门预算.pdf", "http://x.cn/a/W0201404.pdf", "skip"),
    ],
)
def test_link_decisions(text: str, url: str, action: str) -> None:
    assert decide(text, url).action == action


def test_download_servlets_are_files() -> None:
    assert looks_like_file("http://x.cn/module/download/downfile.jsp?classid=0&showname=%E9%A2%84%E7%AE%97.pdf")
    assert not looks_like_file("http://x.cn/col/col123/index.html")


# -- attachments inherit their article (issue #14 item 5) -----------------------------------------
ARTICLE = "某县民政局2023年部门决算公开_通知公告_某县人民政府"


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("附件二.xlsx", "http://x.cn/art/2024/8/22/W020240822381234567890.xlsx"),
        ("点此下载", "http://x.cn/art/2024/8/22/P020240822.pdf"),
        ("查看原文", "http://x.cn/uploads/20240822093011.docx"),
        ("附件下载", "http://x.cn/common/download?id=12"),
        ("W020240822556612718921.pdf", "http://x.cn/art/W020240822556612718921.pdf"),
        ("", "http://x.cn/art/W0202408225566.wps"),
        ("情况说明", "http://x.cn/art/P020240822.pdf"),
    ],
)
def test_a_generic_attachment_takes_kind_year_and_body_from_its_article(text: str, url: str) -> None:
    assert decide(text, url, context_title=ARTICLE).action == "file"
    c = classify_link(text, url, ARTICLE)
    assert (c.doc_kind, c.fiscal_year, c.phase, c.department, c.scope) == (
        "final", 2023, "final", "某县民政局", "department")


def test_an_upload_stamp_in_a_file_name_is_no_fiscal_year() -> None:
    """W0/P0 names carry the upload date: a 2023 final uploaded in 2024 stays 2023, and a 2016 budget
    uploaded in December 2015 is not dropped as older than the crawl's first year."""
    assert fiscal_year_of("附件1.pdf P020240822.pdf") is None
    assert fiscal_year_of("W020151228000123.pdf") is None
    assert fiscal_year_of("2019swb.pdf") == 2019
    title = "某县林业局2016年部门预算公开"
    assert decide("附件1", "http://x.cn/a/W020151228000123.pdf", context_title=title).action == "file"
    assert classify_link("附件1", "http://x.cn/a/W020151228000123.pdf", title).fiscal_year == 2016


def test_a_decoy_word_in_the_sites_part_of_a_title_leaves_the_article_a_disclosure() -> None:
    title = "某县水利局2024年部门预算_新闻中心_某县人民政府"
    assert decide("附件1.pdf", "http://x.cn/a/P0202402.pdf", context_title=title).action == "file"
    decoy_first = "政策解读_" + title
    assert decide("附件1.pdf", "http://x.cn/a/P0202402.pdf", context_title=decoy_first).action == "skip"


@pytest.mark.parametrize(
    ("title", "heading", "context"),
    [
        ("某县人民政府", "某县民政局2023年部门决算公开", "某县民政局2023年部门决算公开"),
        ("某县民政局2023年部门决算_某县人民政府", "某县人民政府", "某县民政局2023年部门决算_某县人民政府"),
        ("政策解读_某县人民政府", "某县2024年部门预算", "政策解读_某县人民政府"),
        ("", "某县2024年部门预算", "某县2024年部门预算"),
        ("某县人民政府", "欢迎访问", "某县人民政府"),
    ],
)
def test_the_heading_speaks_for_a_page_whose_title_is_only_the_sites_name(
    title: str, heading: str, context: str
) -> None:
    assert page_context(title, heading) == context


@pytest.mark.parametrize("title", ["某县人民政府", "某县公安局办公楼维修招标公告", "一图读懂某县2024年预算"])
def test_a_generic_attachment_of_any_other_page_is_skipped(title: str) -> None:
    assert decide("附件1.pdf", "http://x.cn/a/P0202402.pdf", context_title=title).action == "skip"


# -- interpretations, notices, government scope, bodies' names, formats (issue #14 item 7) --------
@pytest.mark.parametrize(
    "text",
    [
        "图解：某市2024年市级部门预算",
        "一图看懂某区2023年财政决算",
        "某县2024年预算报告解读",
        "图说某县2025年预算草案",
        "某市2024年县级预算答记者问",
    ],
)
def test_interpretations_and_infographics_are_not_disclosures(text: str) -> None:
    assert kind_of(text) == "other"
    assert decide(text, "http://x.cn/a/t1.html").action == "skip"
    assert decide(text, "http://x.cn/a/t1.pdf", context_title="部门预算").action == "skip"


@pytest.mark.parametrize(
    "text",
    [
        "某县财政局关于开展2023年度预决算公开专项检查的通知",
        "2024年部门决算编审培训班开班",
        "某市2023年预决算信息公开工作要点",
        "某区预决算公开工作实施方案",
        "关于报送2022年度部门决算报表的通知",
        "关于进一步加强部门预算公开管理的意见",
        "某县2023年度部门预决算公开情况的通报",
        "关于召开2023年部门决算布置会议的通知",
    ],
)
def test_notices_about_doing_the_disclosure_work_are_not_disclosures(text: str) -> None:
    assert kind_of(text) == "other"
    assert decide(text, "http://x.cn/a/1.docx", context_title="财政预决算").action == "skip"


@pytest.mark.parametrize(
    ("text", "kind", "year", "phase"),
    [
        ("某县2022年县本级财政决算", "final", 2022, "final"),
        ("某市2023年全市一般公共预算收支决算表", "final", 2023, "final"),
        ("关于某区2022年决算的报告", "final", 2022, "final"),
        ("某县财政局关于某县2023年财政决算草案的报告", "final", 2023, "final"),
        ("某县2024年预算执行情况和2025年预算（草案）的报告", "budget", 2025, "budget"),
        ("某自治州2024年州级预算调整方案", "budget", 2024, "budget"),
        ("全县2023年度“三公”经费决算情况说明", "three_public", 2023, "final"),
        ("市本级2024年“三公”经费预算", "three_public", 2024, "budget"),
        ("某县2022年度“三公”经费预算执行情况", "three_public", 2022, "final"),
        ("某县2025年预算", "budget", 2025, "budget"),
        ("某县第十七届人民代表大会第三次会议关于2024年预算的决议", "budget", 2024, "budget"),
    ],
)
def test_the_governments_own_budgets_and_accounts_are_kept_as_government(
    text: str, kind: str, year: int, phase: str
) -> None:
    url = "http://x.cn/a/P0202501.pdf"
    assert decide(text, url, context_title="财政预决算").action == "file"
    c = classify_link(text, url, "财政预决算")
    assert (c.doc_kind, c.fiscal_year, c.phase) == (kind, year, phase)
    assert (c.scope, c.department) == ("government", None)


@pytest.mark.parametrize(
    ("text", "department"),
    [
        ("某县教育局2023年“三公”经费决算", "某县教育局"),
        ("某县第一中学（本级）2024年部门预算", "某县第一中学"),
        ("某县财政局2023年部门预算", "某县财政局"),
        ("某市人民政府办公室2022年单位决算", "某市人民政府办公室"),
    ],
)
def test_a_departments_own_disclosure_keeps_department_scope(text: str, department: str) -> None:
    c = classify_link(text, "http://x.cn/a/P0202501.pdf", "政府预决算")
    assert (c.scope, c.department) == ("department", department)


def test_a_governments_report_in_a_departments_article_context_still_names_no_department() -> None:
    c = classify_link("附件1", "http://x.cn/a/P0.pdf", "某县人民政府关于2023年财政决算的报告_某县人民政府")
    assert (c.doc_kind, c.scope, c.department, c.fiscal_year) == ("final", "government", None, 2023)


@pytest.mark.parametrize(
    "text",
    [
        "某县2024年1-9月财政收支情况",
        "某县2024年1—6月一般公共预算收支执行情况",
        "某区2023年第三季度预算执行情况",
        "某局关于2023年预算执行情况的说明",
    ],
)
def test_periodic_or_a_departments_execution_figures_are_not_disclosures(text: str) -> None:
    assert kind_of(text) == "other"


BODIES = ["某县妇女联合会", "共青团某市委员会", "县科协", "某县第二中学（本级）", "某县人民法院",
          "县委宣传部"]


COLUMNS = ["部门决算_财政预决算_某县人民政府", "某县预决算公开专栏", "2024年部门预算"]


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("body", BODIES)
def test_a_bodys_name_in_a_disclosure_list_is_followed_as_its_disclosure(body: str, column: str) -> None:
    d = decide(body, "http://x.cn/a/art_3.html", context_title=column)
    assert d.action == "page" and d.classification is not None
    assert d.classification.doc_kind == ("budget" if "预算" in column.replace("预决算", "") else "final")
    assert (d.classification.department, d.classification.scope) == (body.split("（")[0], "department")


@pytest.mark.parametrize("title", ["某县人民政府", "某县民政局2023年部门决算公开", "信息公开指南"])
def test_a_bodys_name_outside_a_disclosure_list_is_not_followed(title: str) -> None:
    assert decide("某县妇女联合会", "http://x.cn/a/art_3.html", context_title=title).action == "skip"


@pytest.mark.parametrize("text", ["帮助中心", "个人中心", "某县人民政府", "网站地图", "联系我们"])
def test_portal_links_named_like_bodies_are_not_followed_from_a_disclosure_list(text: str) -> None:
    assert decide(text, "http://x.cn/a/x.html", context_title="部门决算").action == "skip"


@pytest.mark.parametrize("ext", ["docx", "doc", "wps", "et", "xls", "xlsx", "zip", "rar", "DOCX"])
def test_a_three_public_file_in_a_county_list_is_fetched_in_any_format(ext: str) -> None:
    text = "某县农业农村局2023年“三公”经费决算"
    d = decide(text, f"http://x.cn/u/sgjf2023.{ext}", context_title="三公经费")
    assert d.action == "file" and d.classification is not None
    assert (d.classification.doc_kind, d.classification.phase) == ("three_public", "final")


@pytest.mark.parametrize(
    "url",
    [
        "http://x.cn/u/sgjf2023.docx;jsessionid=8F2A6C0E",
        "http://x.cn/common/download?file=/u/sgjf2023.docx",
        "http://x.cn/DownloadFile.ashx?fid=31",
        "http://x.cn/fileDownload.action?id=88",
    ],
)
def test_session_parameters_file_queries_and_download_handlers_are_files(url: str) -> None:
    assert looks_like_file(url)
    assert decide("下载", url, context_title="某县2023年“三公”经费预算公开").action == "file"


@pytest.mark.parametrize(
    "url", ["http://x.cn/download/index.html", "http://x.cn/xxgk/download", "http://x.cn/zt/fujian",
            "http://x.cn/countdown.jsp?t=1"],
)
def test_pages_whose_names_only_look_like_downloads_stay_pages(url: str) -> None:
    assert not looks_like_file(url)


def test_three_public_spelled_out_is_three_public() -> None:
    assert kind_of("2023年因公出国（境）费、公务接待费、公务用车购置及运行费支出情况") == "three_public"


@pytest.mark.parametrize(("title", "action"), [("财政信息_某省人民政府", "page"), ("部门预算", "page"),
                                               ("某县人民政府", "skip")])
def test_more_opens_the_full_list_only_on_a_budget_path_page(title: str, action: str) -> None:
    assert decide("更多>>", "http://x.cn/bmys/index.html", context_title=title).action == action


# -- a crawl of a simulated county whose attachments say only 附件1.pdf ---------------------------
def _attachment_site() -> Site:
    """A plain county CMS: generic attachment names in disclosure articles, the government's own
    reports, a county 三公 ``.docx``, and an infographic and a work notice carrying files of their own."""
    from govbudget.simulator import layout
    from govbudget.simulator.families import PLAIN_FAMILY
    from govbudget.simulator.family_docs import FamilyDocument
    from govbudget.simulator.ids import article_id, stored_name
    from govbudget.simulator.sites import Article, Attachment

    def attach(text: str, title: str, published: date, fmt: str, disclosure: bool, n: int) -> Attachment:
        data = f"%PDF-1.4\n% {title} {n}\n%%EOF\n".encode() if fmt == "pdf" else f"PK {title} {n}".encode()
        doc = FamilyDocument(slug=f"att-{article_id(title)}-{n}", fmt=fmt, filename=f"{title}.{fmt}",
                             title=title, department="", fiscal_year=published.year, data=data)
        return Attachment(link_text=text, stored_name=stored_name(published, f"{title}:{n}", fmt), data=data,
                          fmt=fmt, document=doc if disclosure else None)

    def article(title: str, published: date, *files: tuple[str, str, bool]) -> Article:
        attachments = tuple(attach(t, title, published, fmt, d, n) for n, (t, fmt, d) in enumerate(files))
        return Article(article_id=article_id(title), title=title, pub_date=published, source="某县财政局",
                       paragraphs=(f"现将{title}公布如下。", "附件："), attachments=attachments)

    articles = [
        article("某县民政局2023年部门决算公开", date(2024, 8, 20),
                ("附件1.pdf", "pdf", True), ("点击下载", "xlsx", True)),
        article("某县2024年预算执行情况和2025年预算（草案）的报告", date(2025, 1, 10),
                ("附件.pdf", "pdf", True)),
        article("某县2022年度“三公”经费预算执行情况", date(2023, 9, 1),
                ("某县2022年度“三公”经费预算执行情况.docx", "docx", True)),
        article("一图读懂某县2025年预算报告", date(2025, 1, 12), ("附件1.pdf", "pdf", False)),
        article("某县财政局关于开展2024年预决算公开专项检查的通知", date(2024, 5, 6),
                ("附件1.docx", "docx", False)),
    ]
    return layout.family_site(prefix="fj", city="某县", domain="www.mx.gov.cn", code="130599",
                              family=PLAIN_FAMILY, articles=articles)


@pytest.fixture(scope="module")
def attachment_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from govbudget.simulator import PortalSimulator
    from govbudget.simulator.evaluate import archived_disclosures
    from govbudget.tasks.crawl import crawl_config, run_crawl
    from govbudget.tasks.runtime import configure
    from govbudget.tasks.settings import Settings

    with PortalSimulator(sites=[_attachment_site()], documents=[]) as sim:
        data_dir = tmp_path_factory.mktemp("attachments")
        svc = configure(Settings.from_env(data_dir=data_dir, allow_loopback=True))
        run_crawl(svc, crawl_config(svc.settings, sim.start_urls))
        archived = archived_disclosures(svc.catalog.documents())
        by_text = {c.link_text: c for sha in archived for c in svc.catalog.captures(sha)}
        yield {"sim": sim, "archived": archived, "captures": by_text, "decoys": set(sim.decoy_urls())}


def test_the_crawl_archives_every_attachment_of_the_disclosure_articles_and_nothing_else(
    attachment_crawl: dict[str, Any],
) -> None:
    assert set(attachment_crawl["archived"]) == set(attachment_crawl["sim"].expected_disclosures())
    archived_urls = {d["url"] for d in attachment_crawl["archived"].values()}
    assert not archived_urls & attachment_crawl["decoys"]


def test_an_attachment_named_only_by_number_takes_its_articles_reading(
    attachment_crawl: dict[str, Any],
) -> None:
    captures = attachment_crawl["captures"]
    generic = captures["附件1.pdf"]
    assert (generic.doc_kind, generic.fiscal_year, generic.phase, generic.department) == (
        "final", 2023, "final", "某县民政局")
    download = captures["点击下载"]
    assert (download.doc_kind, download.fiscal_year, download.department) == ("final", 2023, "某县民政局")
    report = captures["附件.pdf"]
    assert (report.doc_kind, report.fiscal_year, report.department) == ("budget", 2025, None)
    three = captures["某县2022年度“三公”经费预算执行情况.docx"]
    assert (three.doc_kind, three.fiscal_year, three.phase, three.department) == (
        "three_public", 2022, "final", None)
    assert (generic.scope, download.scope, report.scope, three.scope) == (
        "department", "department", "government", "government")
