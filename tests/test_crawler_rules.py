"""The crawler's pure rules: URL safety, link decisions, classification, JS pagination."""

from __future__ import annotations

from pathlib import Path

import pytest

from govbudget.crawler.classify import classify_link, department_of, kind_of
from govbudget.crawler.link_policy import decide, looks_like_file
from govbudget.crawler.families.trs import create_page_html_urls
from govbudget.crawler.url_safety import check_url
from govbudget.simulator.county_site import COUNTIES, DEPARTMENTS

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
