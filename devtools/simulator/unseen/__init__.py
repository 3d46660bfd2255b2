"""The unseen-family suite (issue #14): five JavaScript platforms no adapter in ``crawler/`` knows.

The known families each have an adapter written for them, so the known suite's recall says little
about a portal the crawler has never met. These platforms are that portal: each is an empty app shell
(a mount node, a ``<noscript>`` asking for JavaScript, no link to a document) whose script builds the
list from an API of its own shape, and each shape differs from every adapter's and from the others':

  /nb/ 宁波  `rest_records`  GET, ``{code, data: {records: [{wjmc, fjdz, fbrq, dwmc}], total}}``,
                             ``pageNum``/``pageSize``, numbered page buttons, static upload paths
  /qd/ 青岛  `post_rows`     POST JSON ``{pageIndex, pageSize, catalogId}``, ``result.rows``, catalog
                             tabs, files by relative ``api/file/download?id=`` (Content-Disposition)
  /xm/ 厦门  `jsonp_list`    JSONP ``?callback=jQuery…&start=&limit=``, ``totalCount``, config in
                             the script tag's data attributes
  /dl/ 大连  `hash_tree`     hash routes ``#/list/<nid>[/<page>]``, a lazily loaded category tree: a
                             list only after a click on 部门预算 / 部门决算; file URLs built from keys
  /sz/ 深圳  `load_more`     ES module, endpoints from a bootstrap call, ``offset``/``limit`` and
                             ``hasMore`` behind 加载更多, files opened by click handlers (no ``<a>``)

Each serves ten disclosures (eleven files) of four departments and three years, some only past the
first page of its API, beside decoys (一图读懂, a notice about disclosure work, execution news, a
pre-2016 budget). The truth is the simulator's as for every family: ``expected_disclosures()`` and
``decoy_urls()`` of ``PortalSimulator(suite="unseen")``. ``govbudget eval-sim`` scores this suite
apart from the known one. Nothing under ``crawler/`` may name this suite or its platforms' globals
and endpoints (``markers()``; a test checks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from govbudget.simulator.sites import RenderedSite, Site
from govbudget.simulator.unseen import hash_tree, jsonp_list, load_more, post_rows, rest_records
from govbudget.simulator.unseen.content import PlatformSite, build_site

SUITE = "unseen"


@dataclass(frozen=True)
class Platform:
    """One unseen platform: where it is mounted, how it renders, and the names its app uses."""

    site: PlatformSite
    render: Callable[[Site], RenderedSite]
    markers: tuple[str, ...]


PLATFORMS: tuple[Platform, ...] = (
    Platform(PlatformSite("nb", "宁波市", "330200", "czj.ningbo.gov.cn", "宁波市财政预决算公开平台",
                          rest_records.FAMILY, ("宁波市教育局", "宁波市民政局", "宁波市交通运输局",
                                                "宁波市农业农村局")),
             rest_records.render, rest_records.MARKERS),
    Platform(PlatformSite("qd", "青岛市", "370200", "yjsgk.qingdao.gov.cn", "青岛市预决算公开统一平台",
                          post_rows.FAMILY, ("青岛市卫生健康委员会", "青岛市自然资源和规划局", "青岛市商务局",
                                             "青岛市文化和旅游局")),
             post_rows.render, post_rows.MARKERS),
    Platform(PlatformSite("xm", "厦门市", "350200", "cz.xm.gov.cn", "厦门市财政预决算信息公开",
                          jsonp_list.FAMILY, ("厦门市财政局", "厦门市公安局", "厦门市水利局",
                                              "厦门市人力资源和社会保障局")),
             jsonp_list.render, jsonp_list.MARKERS),
    Platform(PlatformSite("dl", "大连市", "210200", "czj.dl.gov.cn", "大连市预决算公开平台",
                          hash_tree.FAMILY, ("大连市住房和城乡建设局", "大连市生态环境局", "大连市司法局",
                                             "大连市体育局")),
             hash_tree.render, hash_tree.MARKERS),
    Platform(PlatformSite("sz", "深圳市", "440300", "yjsgk.sz.gov.cn", "深圳市部门预决算公开",
                          load_more.FAMILY, ("深圳市科技创新局", "深圳市应急管理局", "深圳市统计局",
                                             "深圳市退役军人事务局")),
             load_more.render, load_more.MARKERS),
)

RENDERERS: dict[str, Callable[[Site], RenderedSite]] = {p.site.family: p.render for p in PLATFORMS}


def unseen_sites() -> list[Site]:
    """The suite's sites, to mount in a simulator of their own (``PortalSimulator(suite="unseen")``)."""
    return [build_site(p.site) for p in PLATFORMS]


def markers() -> tuple[str, ...]:
    """Names that would betray knowledge of this suite: its own name, the platforms' globals, endpoints
    and script names. Code under ``crawler/`` must mention none of them."""
    return (SUITE, *(m for p in PLATFORMS for m in p.markers))


__all__ = ["PLATFORMS", "RENDERERS", "SUITE", "Platform", "markers", "unseen_sites"]
