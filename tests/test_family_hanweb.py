"""Hanweb 大汉 JCMS lists: records inside ``<datastore>`` CDATA, later records only by POST."""

from __future__ import annotations

from urllib.parse import parse_qs

from scrapy import Request
from scrapy.http import XmlResponse

from govbudget.crawler.families import Link, hanweb
from tests.family_fixtures import FAMILY_DATA, context, on_page, saved_page

HZ = "http://www.hangzhou.gov.cn/hw/"
DL = "https://swj.dl.gov.cn/"


def test_a_list_with_a_datastore_matches() -> None:
    assert hanweb.FAMILY.matches(saved_page("hanweb", "col1006_index.html", HZ + "col/col1006/index.html"))


def test_the_records_are_links_and_the_rest_one_post() -> None:
    page = saved_page("hanweb", "col1006_index.html", HZ + "col/col1006/index.html")
    out = list(hanweb.FAMILY.requests(page, context()))
    assert out[:3] == [
        Link("杭州市2023年上半年预算执行情况", HZ + "art/2023/7/25/art_1006_2505500.html"),
        Link("杭州市2023年医疗保障信息平台运维服务项目招标公告", HZ + "art/2023/4/12/art_1006_6282366.html"),
        Link("杭州市2023年市级部门预算公开工作政策解读", HZ + "art/2023/2/20/art_1006_9672804.html"),
    ]
    [post] = out[3:]
    assert isinstance(post, Request)
    assert (post.method, post.url, post.callback) == (
        "POST", HZ + "module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=6&perpage=3", on_page)
    assert post.headers[b"Content-Type"] == b"application/x-www-form-urlencoded"
    assert post.headers[b"Referer"] == (HZ + "col/col1006/index.html").encode()
    assert parse_qs(post.body.decode()) == {
        "col": ["1"], "appid": ["1"], "webid": ["7"], "path": ["/"], "columnid": ["1006"],
        "sourceContentType": ["1"], "unitid": ["5001"], "webname": ["杭州市人民政府"],
        "permissiontype": ["0"],
    }


def test_a_long_list_is_posted_three_pages_at_a_time() -> None:
    page = saved_page("hanweb", "col4296_index.html", DL + "col/col4296/index.html")
    out = list(hanweb.FAMILY.requests(page, context()))
    links = [o for o in out if isinstance(o, Link)]
    posts = [o for o in out if isinstance(o, Request)]
    assert len(links) == 15 and links[0] == Link("大连市水务局2025年部门预算公开",
                                                 DL + "art/2025/2/1/art_4296_77001.html")
    assert [p.url for p in posts] == [
        DL + "module/web/jpage/dataproxy.jsp?startrecord=16&endrecord=60&perpage=15",
        DL + "module/web/jpage/dataproxy.jsp?startrecord=61&endrecord=100&perpage=15",
    ]
    form = parse_qs(posts[0].body.decode())
    assert (form["columnid"], form["unitid"], form["webid"]) == (["4296"], ["31227"], ["28"])
    assert form["webname"] == ["大连市水务局"]  # the template's twice-encoded name, decoded


def test_a_proxy_answer_gives_its_records_and_no_further_posts() -> None:
    url = HZ + "module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=6&perpage=3"
    answer = XmlResponse(url, body=(FAMILY_DATA / "hanweb" / "dataproxy.xml").read_bytes())
    assert hanweb.FAMILY.matches(answer)
    assert list(hanweb.FAMILY.requests(answer, context())) == [
        Link("杭州市财政局2023年部门预算公开", HZ + "art/2023/1/18/art_1006_4059103.html"),
        Link("杭州市教育局2022年部门预算公开", HZ + "art/2022/2/16/art_1006_5573430.html"),
        Link("杭州市财政局2015年部门预算公开", HZ + "art/2015/2/10/art_1006_1262779.html"),
    ]


def test_a_page_without_a_datastore_does_not_match() -> None:
    assert not hanweb.FAMILY.matches(saved_page("trs", "czyjs_index.html", "http://www.hd.gov.cn/hd/"))
