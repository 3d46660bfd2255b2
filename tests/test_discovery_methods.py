"""Discovery's rules on their own: whose a page is, code patterns, and the real directory pages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from govbudget.crawler.discovery.children import child_links
from govbudget.crawler.discovery.hosts import candidate_hosts
from govbudget.crawler.discovery.identity import identity, verdict
from govbudget.crawler.discovery.platform import pattern_of
from govbudget.crawler.regions import entry_points
from govbudget.regions import resolve

REALHTML = Path(__file__).parent / "data" / "realhtml"


def test_a_site_code_is_proof_and_names_decide_by_strength() -> None:
    linzhang = resolve("130423")
    coded = identity('<meta name="SiteIDCode" content="1304230001"><title>首页</title>')
    assert verdict(coded, linzhang).names
    other = verdict(identity('<meta name="SiteIDCode" content="1304270001"><title>临漳县</title>'), linzhang)
    assert not other.names and other.other is not None and other.other.name == "磁县"
    assert verdict(identity("<title>临漳县人民政府</title>"), linzhang).confidence == 0.85
    nobody = verdict(identity("<title>预决算公开</title>"), linzhang)
    assert (nobody.names, nobody.other) == (False, None)


def test_a_name_several_divisions_share_is_weak_evidence() -> None:
    chaoyang = resolve("110105")
    weak = verdict(identity("<title>朝阳区人民政府</title>"), chaoyang)
    strong = verdict(identity("<title>北京市朝阳区人民政府</title>"), chaoyang)
    assert weak.names and weak.confidence < 0.6 <= strong.confidence
    assert verdict(identity("<title>北京市朝阳区人民政府</title>"), resolve("220104")).other == chaoyang


def test_a_parents_platform_page_is_the_childs_when_its_title_names_the_child() -> None:
    page = identity('<meta name="SiteName" content="山西省预决算公开平台">'
                    '<title>山西省阳泉市盂县预决算公开</title>')
    assert verdict(page, resolve("140322")).names
    city = identity('<meta name="SiteName" content="邯郸市人民政府"><title>预决算公开</title>')
    own = verdict(city, resolve("130426"))
    assert not own.names and own.other == resolve("130400")  # a county's link that landed on the city's page


def test_code_patterns_in_query_and_path_carry_over_to_siblings() -> None:
    query = pattern_of("http://p.gov.cn/list?ADMDIV=130423000&page=1", "130423")
    assert query is not None and query.for_division("130424") == "http://p.gov.cn/list?ADMDIV=130424000&page=1"
    path = pattern_of("http://p.gov.cn/yjs/130423000000/index.html", "130423")
    assert path is not None and path.for_division("130424") == "http://p.gov.cn/yjs/130424000000/index.html"
    assert pattern_of("http://p.gov.cn/yjs/1304231/index.html", "130423") is None


def test_candidate_hosts_spell_the_name() -> None:
    assert candidate_hosts("临漳县")[:2] == ("www.linzhang.gov.cn", "www.linzhangxian.gov.cn")
    assert "www.lzx.gov.cn" in candidate_hosts("临漳县")
    assert candidate_hosts("涉县")[0] == "www.shexian.gov.cn"  # one character: spelt with its level word


def test_the_directory_method_reproduces_the_guangdong_registry_from_the_real_pages() -> None:
    pages = {"gd_gov_cn_zwgk_czxx.html": ("http://www.gd.gov.cn/zwgk/czxx/", "440000"),
             "maoming_qx_czyjs.html": ("http://www.maoming.gov.cn/zwgk/zwzl/zdlyxxgkzl/czysjshsgjfgk/czyjus/qx/",
                                       "440900")}
    for name, (url, owner) in pages.items():
        html = (REALHTML / name).read_text(encoding="utf-8")
        read = {(d.code, link) for d, link, _ in child_links(html, url, resolve(owner))}
        shipped = {(e.region_code, e.url) for e in entry_points(owner, include_children=True)
                   if e.source_url == url and e.region_code != owner}
        assert shipped and read == shipped, name


def test_an_outage_leaves_the_registry_as_it_was(tmp_path: Path) -> None:
    registry = tmp_path / "entry_points.csv"
    shipped = Path(__file__).parents[1] / "crawler" / "regions" / "entry_points.csv"
    registry.write_bytes(shipped.read_bytes())
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GOVBUDGET_")},
           "GOVBUDGET_HTTP_PROXY": "http://127.0.0.1:9"}  # nothing listens on the discard port
    command = [sys.executable, "-m", "govbudget.cli", "sources", "discover", "--province", "茂名市",
               "--out", str(registry), "--no-hosts"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "no page answered" in done.stdout + done.stderr
    assert registry.read_bytes() == shipped.read_bytes()
