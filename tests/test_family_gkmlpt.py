"""广东 gkmlpt: the shell's SID and TREE, then each budget category's ``api/all`` JSON, page by page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.spidermiddlewares.httperror import HttpError, HttpErrorMiddleware
from scrapy.utils.test import get_crawler

from govbudget.crawler.families import Context, Link, gkmlpt
from govbudget.crawler.spiders.disclosures import DisclosureSpider
from tests.family_fixtures import FAMILY_DATA, answer, context, on_json, saved_page

SITE = "http://www.zhuhai.gov.cn"
SHELL = SITE + "/gkmlpt/index"
API = SITE + "/gkmlpt/api/all/"
# 财政信息 and everything below it named as a budget, a year or a body; 预算解读 (a decoy) and
# 工作动态 (no body) are left, and so are 统计信息's 2024年 and every other branch.
PICKED = [("2660", "财政信息"), ("2661", "财政预决算"), ("2662", "政府预决算"), ("2663", "部门预决算"),
          ("2664", "2024年"), ("2665", "2023年"), ("2667", "部门决算"), ("2668", "珠海市教育局"),
          ("2670", "三公经费")]


def _shell(url: str = SHELL):  # type: ignore[no-untyped-def]
    return saved_page("gkmlpt", "index.html", url)


def _data(name: str) -> bytes:
    return (FAMILY_DATA / "gkmlpt" / name).read_bytes()


def _state(cat: str, name: str, page: int = 1, seen: int = 0, **more: Any) -> dict[str, Any]:
    return {"api": API, "cat": cat, "category": name, "sid": "756001", "page": page, "seen": seen, **more}


def _list(cat: str, name: str, page: int = 1, seen: int = 0, **more: Any) -> Request:
    return Request(f"{API}{cat}?page={page}&sid=756001",
                   meta={"family": "gkmlpt", "family_state": _state(cat, name, page, seen, **more)})


def _next(request: Request, body: bytes, ctx: Context | None = None) -> list[Any]:
    return list(gkmlpt.FAMILY.requests(answer(request, body), ctx or context()))


def test_the_shell_with_a_sid_and_a_tree_matches() -> None:
    assert gkmlpt.FAMILY.matches(_shell())


def test_a_page_without_a_config_does_not_match() -> None:
    assert not gkmlpt.FAMILY.matches(saved_page("json_directory", "index.html", "http://yjsgk.hebcz.cn/"))


def test_the_shell_asks_for_page_one_of_each_budget_category_over_plain_http() -> None:
    out = list(gkmlpt.FAMILY.requests(_shell(), context()))
    requests = [r for r in out if isinstance(r, Request)]
    assert [r.url for r in requests] == [f"{API}{cat}?page=1&sid=756001" for cat, _ in PICKED]
    assert [r.meta["family_state"] for r in requests] == [_state(cat, name) for cat, name in PICKED]
    assert {(r.method, r.callback, r.meta["family"]) for r in requests} == {("GET", on_json, "gkmlpt")}
    assert not [r for r in requests if "playwright" in r.meta]


def test_a_budget_category_that_lives_elsewhere_is_a_link() -> None:
    links = [r for r in gkmlpt.FAMILY.requests(_shell(), context()) if isinstance(r, Link)]
    assert links == [Link("财政资金", "http://czj.zhuhai.gov.cn/zwgk/czzj/")]


def test_the_sites_own_prefix_and_the_fragments_category_are_kept() -> None:
    url = "http://www.yangjiang.gov.cn/yjzjj/gkmlpt/index#2690"
    requests = [r for r in gkmlpt.FAMILY.requests(_shell(url), context()) if isinstance(r, Request)]
    api = "http://www.yangjiang.gov.cn/yjzjj/gkmlpt/api/all/"
    cats = [cat for cat, _ in PICKED] + ["2690"]
    assert [r.url for r in requests] == [f"{api}{cat}?page=1&sid=756001" for cat in cats]
    assert requests[-1].meta["family_state"]["category"] == "统计信息"


def test_a_page_gives_article_pages_and_attachments_read_with_their_titles_then_the_next_page() -> None:
    out = _next(_list("2663", "部门预决算"), _data("all_2663_page1.json"))
    budget = "珠海市财政局2024年部门预算公开"
    assert out[:-1] == [
        Link(budget, SITE + "/gkmlpt/content/3/3612/post_3612345.html", "部门预决算"),
        Link("珠海市财政局2024年部门预算.pdf", SITE + "/attachment/0/534/534872/3612345.pdf", budget),
        Link("附件2：2024年部门预算公开表.xls", SITE + "/attachment/0/534/534873/3612345.xls", budget),
        Link("珠海市2024年市级部门预算公开工作政策解读", SITE + "/gkmlpt/content/3/3609/post_3609876.html",
             "部门预决算"),
    ]
    following = out[-1]
    assert (following.url, following.callback) == (API + "2663?page=2&sid=756001", on_json)
    assert following.meta["family_state"] == _state("2663", "部门预决算", page=2, seen=2, first="3612345")


def test_the_walk_ends_when_total_is_reached_and_post_url_stands_in_for_url() -> None:
    out = _next(_list("2663", "部门预决算", page=2, seen=2, first="3612345"), _data("all_2663_page2.json"))
    assert out == [
        Link("珠海市卫生健康局2023年部门预算", SITE + "/zwgk/czxx/czyjs/content/post_3498765.html",
             "部门预决算"),
        Link("附件.pdf", SITE + "/attachment/0/498/498011/3498765.pdf", "珠海市卫生健康局2023年部门预算"),
    ]


def test_the_walk_ends_at_an_empty_page() -> None:
    request = _list("2670", "三公经费", page=2, seen=2, first="3700001")
    assert _next(request, _data("all_2670_page2.json")) == []


def test_the_walk_ends_when_page_two_is_refused_with_404() -> None:
    out = _next(_list("2667", "部门决算"), _data("all_2667_page1.json"))
    [page_two] = [r for r in out if isinstance(r, Request)]  # total 5, two listed: page 2 is asked for
    assert page_two.url == API + "2667?page=2&sid=756001"
    refused = answer(page_two, b"<html><body>404 Not Found</body></html>", "text/html")
    refused.status = 404
    # Scrapy drops the 404 before any callback: the family never hears of page 2, so asks no page 3.
    with pytest.raises(HttpError):
        HttpErrorMiddleware.from_crawler(get_crawler(DisclosureSpider)).process_spider_input(refused)


def test_without_a_total_a_page_repeating_the_one_before_ends_the_walk() -> None:
    data = json.loads(_data("all_2663_page1.json"))
    del data["total"], data["classify"]["post_count"]
    body = json.dumps(data).encode()
    [*_, more] = _next(_list("2663", "部门预决算"), body)
    assert more.url == API + "2663?page=2&sid=756001"  # no total: the next page is asked for
    assert [r for r in _next(more, body) if isinstance(r, Request)] == []  # the same list again: done


def test_an_article_page_carrying_the_same_tree_starts_no_second_walk() -> None:
    ctx = context()
    assert len(list(gkmlpt.FAMILY.requests(_shell(), ctx))) == len(PICKED) + 1
    url = SITE + "/gkmlpt/content/3/3612/post_3612345.html"
    article = saved_page("gkmlpt", "content_post_3612345.html", url)
    assert gkmlpt.FAMILY.matches(article)
    assert list(gkmlpt.FAMILY.requests(article, ctx)) == []


def test_the_spider_downloads_an_attachment_named_only_附件_as_its_articles_budget() -> None:
    spider = DisclosureSpider(start_urls=[SHELL])
    request = _list("2663", "部门预决算", page=2, seen=2, first="3612345")
    request.meta.update(referrer=SHELL, link_text="")
    out = list(spider.parse_json(answer(request, _data("all_2663_page2.json"))))
    files = [r for r in out if isinstance(r, Request) and r.callback == spider.save_file]
    assert [(r.url, r.meta["context_title"]) for r in files] == [
        (SITE + "/attachment/0/498/498011/3498765.pdf", "珠海市卫生健康局2023年部门预算")]


# -- the simulator's gkmlpt site, crawled ---------------------------------------------------------

@pytest.fixture(scope="module")
def crawl(simulator: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from govbudget.simulator.evaluate import archived_disclosures
    from govbudget.tasks.crawl import crawl_config, run_crawl
    from govbudget.tasks.runtime import configure
    from govbudget.tasks.settings import Settings as GovSettings

    [start] = [s.start_url for s in simulator.sites if s.family == "gkmlpt"]
    data: Path = tmp_path_factory.mktemp("gkmlpt")
    svc = configure(GovSettings.from_env(data_dir=data, allow_loopback=True))
    before = len(simulator.request_log.snapshot())
    summary = run_crawl(svc, crawl_config(svc.settings, [start]))
    log = [(m, p) for m, p, _ in simulator.request_log.snapshot()[before:] if p.startswith("/gk/")]
    return {"start": start, "summary": summary, "log": log, "sim": simulator,
            "archived": archived_disclosures(list(svc.catalog.documents()))}


def test_a_crawl_of_the_gkmlpt_site_archives_exactly_its_disclosures(crawl: Any) -> None:
    site = crawl["start"]
    expected = {sha for url, sha in crawl["sim"].disclosure_urls().items() if url.startswith(site)}
    assert len(expected) == 3
    assert set(crawl["archived"]) == expected
    decoys = set(crawl["sim"].decoy_urls())
    assert not [d["url"] for d in crawl["archived"].values() if d["url"] in decoys]
    assert crawl["summary"].browser_requests == 0


def test_the_crawl_read_the_generic_attachment_as_its_articles_budget(crawl: Any) -> None:
    [edu] = [d for d in crawl["archived"].values() if d["department"] == "珠海市教育局"]
    assert (edu["doc_kind"], edu["fiscal_year"]) == ("budget", 2023)


def test_the_crawl_walked_each_category_until_total_an_empty_page_or_a_404(crawl: Any) -> None:
    api = [p.removeprefix("/gk/gkmlpt/api/all/") for m, p in crawl["log"] if p.startswith("/gk/gkmlpt/api/")]
    pages = {(p.split("?")[0], int(p.split("page=")[1].split("&")[0])) for p in api}
    assert pages == {
        ("3", 1), ("3", 2), ("3", 3),  # 财政信息: seven articles, three a page
        ("31", 1), ("31", 2), ("311", 1), ("311", 2), ("3111", 1), ("3112", 1),
        ("312", 1), ("312", 2),  # 部门预决算公开: page 2 answers 404, so no page 3
        ("3121", 1), ("3122", 1),
        ("33", 1), ("33", 2),  # 预算执行: ``total`` counts one more than it lists; page 2 is empty
    }
    assert len(api) == len(pages)
