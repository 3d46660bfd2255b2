"""TRS WCM lists: every page a ``createPageHTML`` call (or ``var countPage``) announces is fetched."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from govbudget.crawler.families import trs
from tests.family_fixtures import context, on_page, saved_page

HD = "http://www.hd.gov.cn/hd/xxgk/fdzdgknr/czyjs/"
MOF = "http://yss.mof.gov.cn/zhuantilanmu/dfzgl/sjtj/"
REAL_HTML = Path(__file__).parent / "data" / "realhtml"


def test_a_gbk_list_with_create_page_html_matches() -> None:
    assert trs.FAMILY.matches(saved_page("trs", "czyjs_index.html", HD + "index.html"))


def test_the_other_pages_of_a_list_are_fetched_as_pages() -> None:
    requests = list(trs.FAMILY.requests(saved_page("trs", "czyjs_index.html", HD + "index.html"), context()))
    assert [r.url for r in requests] == [HD + "index_1.html", HD + "index_2.html"]
    for r in requests:
        assert (r.method, r.callback, r.meta["link_text"], r.meta["referrer"]) == (
            "GET", on_page, "", HD + "index.html")
        assert r.headers[b"Referer"] == (HD + "index.html").encode()


def test_a_real_mof_list_with_a_commented_call_and_count_page() -> None:
    page = saved_page("trs", "mof_yss_dfzgl_sjtj_index_1.htm", MOF + "index_1.htm")
    assert trs.FAMILY.matches(page)
    urls = [r.url for r in trs.FAMILY.requests(page, context())]
    assert urls == [MOF + "index.htm"] + [MOF + f"index_{n}.htm" for n in range(2, 14)]


@pytest.mark.parametrize("name", ["gd_gov_cn_zwgk_czxx.html", "maoming_qx_czyjs.html", "mof_sjyjsgkzl.html"])
def test_real_pages_of_other_shapes_do_not_match(name: str) -> None:
    page = HtmlResponse("http://www.gd.gov.cn/zwgk/czxx/", body=(REAL_HTML / name).read_bytes())
    assert not trs.FAMILY.matches(page)
