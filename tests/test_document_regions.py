"""Every document has its own region (issue #12 item 1): the place it prints, before its crawl's.

Unit tests read names the way real departments print them; the crawl test runs the simulator's
sites WITHOUT --region and checks every disclosure file against the place it names, which the
simulator knows: the site's own city for its departments, the seed's documented place for the seeds
a portal posts from other places (邯郸's portal serves 北戴河区, 大厂 and 门源 files).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from govbudget.corpus.seeds import SEEDS
from govbudget.crawler.regions import named_in, resolve
from govbudget.exports.collect import Selection
from govbudget.exports.report import build_report
from govbudget.exports.writer import export
from govbudget.storage.catalog import Catalog
from govbudget.storage.rows import CaptureRow
from govbudget.tasks.crawl import crawl_config, run_crawl
from govbudget.tasks.regions_of import infer_region, site_code_in
from govbudget.tasks.runtime import Services, configure
from govbudget.tasks.settings import Settings


def code(name: str) -> str:
    return resolve(name).code


def named(text: str, context: tuple[str, ...] = ()) -> str | None:
    found = named_in(text, context)
    return found.code if found else None


# -- reading names ------------------------------------------------------------------------------------


def test_full_names_chain_down_to_the_county() -> None:
    assert named("秦皇岛市北戴河区医疗保障局（本级）") == code("河北省秦皇岛市北戴河区")
    assert named("安阳市社会医疗保险中心") == code("河南省安阳市")
    assert named("河北省财政厅2023年部门预算") == code("河北省")


def test_autonomous_county_by_its_printed_short_name() -> None:
    assert named("大厂回族自治县医疗保障局") == code("河北省廊坊市大厂回族自治县")
    assert named("门源县医疗保障局") == code("青海省海北藏族自治州门源回族自治县")


def test_short_name_only_when_it_names_one_division() -> None:
    assert named("临漳财政局2022年部门预算") == code("河北省邯郸市临漳县")
    # 新华区 is a district of 石家庄 and of 沧州 (and elsewhere): neither without more evidence
    assert named("新华区财政局") is None
    assert named("新华区财政局", (code("沧州市"),)) == code("河北省沧州市新华区")


def test_same_named_counties_told_apart_by_their_city_or_province() -> None:
    assert named("朝阳区教育局") is None
    assert named("北京市朝阳区教育局") == code("北京市朝阳区")
    assert named("吉林省长春市朝阳区教育局") == code("吉林省长春市朝阳区")
    assert named("天津市河北区教育局") == code("天津市河北区")


def test_office_words_and_unnamed_texts_name_no_place() -> None:
    assert named("公安局2022年部门预算") is None  # 公安县 is not meant
    assert named("邯郸市公安局") == code("河北省邯郸市")
    assert named("2022 年部门预算信息公开目录") is None
    assert named("城区教育局") is None  # several 城区; only a city makes one
    assert named("阳泉市城区教育局") == code("山西省阳泉市城区")


# -- evidence order -----------------------------------------------------------------------------------


def test_the_file_naming_another_county_beats_the_crawl_region() -> None:
    handan = code("河北省邯郸市")
    doc = {"department": "秦皇岛市北戴河区医疗保障局（本级）", "title": "收支预算"}
    assert infer_region(doc, {"region_code": handan}, handan) == (code("北戴河区"), "document")


def test_link_then_site_then_crawl() -> None:
    handan, linzhang = code("河北省邯郸市"), code("临漳县")
    bare = {"department": "财政局", "title": "2022年部门预算"}
    link = {"region_code": handan, "link_text": "临漳县财政局2022年部门预算.pdf", "title": None}
    assert infer_region(bare, link, handan) == (linzhang, "link")
    unnamed = {"region_code": handan, "link_text": "附件1.pdf"}
    assert infer_region(bare, unnamed, code("河北省")) == (code("河北省"), "site")
    assert infer_region(bare, unnamed, None) == (handan, "crawl")
    assert infer_region(bare, {"link_text": "附件1.pdf"}, None) == (None, None)


def test_the_portal_region_tells_same_named_districts_apart() -> None:
    doc = {"department": "新华区财政局"}
    assert infer_region(doc, None, code("沧州市")) == (code("河北省沧州市新华区"), "document")


def test_site_id_code_read_from_a_page() -> None:
    page = b'<html><head><meta name="SiteIDCode" content="1304000001"><title>x</title></head></html>'
    assert site_code_in(page) == "130400"
    assert site_code_in(b'<meta content="4409040012" name="SiteIDCode">') == "440904"
    assert site_code_in(b'<meta name="SiteIDCode" content="9999990001">') is None
    assert site_code_in(b"<html><head></head></html>") is None


# -- the catalog keeps the region and its source ------------------------------------------------------


def test_catalog_keeps_the_inferred_region_over_the_capture(catalog: Catalog) -> None:
    sha, other = "a" * 64, "b" * 64
    for digest in (sha, other):
        catalog.ensure_object(digest, 3, f"objects/{digest}", "application/pdf")
        catalog.add_capture(CaptureRow(sha256=digest, url=f"http://x/{digest[:4]}.pdf", region_code="130400"))
    catalog.save_parse_result(sha, "p@1", "ok", [], [{"type": "document", "sha256": sha}])
    catalog.set_region(sha, "p@1", "130304", "document")
    docs = {d["sha256"]: d for d in catalog.documents()}
    assert (docs[sha]["region_code"], docs[sha]["region_source"]) == ("130304", "document")
    assert (docs[other]["region_code"], docs[other]["region_source"]) == ("130400", "crawl")
    with pytest.raises(ValueError):
        catalog.set_region(sha, "p@1", "130304", "guess")


# -- a crawl without --region -------------------------------------------------------------------------

_lock = threading.Lock()
_built: dict[str, Services] = {}
# Sites served over plain HTTP (the browser-rendered ones only slow the crawl down, their files are
# the same seeds), crawled from their URLs alone.
_SITES = ("/hd/", "/hw/", "/asp/", "/gk/", "/edge/")


def _place(site_name: str) -> str:
    for word in ("人民政府", "财政局", "预决算公开平台"):
        site_name = site_name.removesuffix(word)
    return site_name


def printed_region(sim: Any, sha: str, url: str) -> str:
    """The region a served disclosure prints: its site's, for that city's departments; else its
    seed's documented place (a portal posting another place's file)."""
    doc = sim.expected_disclosures()[sha]
    site = next(s for s in sim.sites if url.startswith(s.start_url))
    if doc.department.startswith(_place(site.name)):
        return site.region_code
    return SEEDS[doc.seed_id].region_code


@pytest.fixture(scope="module")
def unregioned(tmp_path_factory: pytest.TempPathFactory, simulator: Any) -> Services:
    with _lock:
        if "svc" not in _built:
            settings = Settings.from_env({}, data_dir=tmp_path_factory.mktemp("noregion") / "data",
                                         allow_loopback=True)
            svc = configure(settings)
            urls = [s.start_url for s in simulator.sites if s.start_url.endswith(_SITES)]
            assert len(urls) == len(_SITES)
            summary = run_crawl(svc, crawl_config(settings, urls))
            assert summary.parse_pending == 0
            _built["svc"] = svc
        configure(_built["svc"].settings)
        return _built["svc"]


def test_crawl_without_region_gives_every_document_its_printed_region(
    unregioned: Services, simulator: Any
) -> None:
    expected = simulator.expected_disclosures()
    docs = [d for d in unregioned.catalog.documents() if d["sha256"] in expected]
    named_places = {code(n) for n in ("北戴河区", "邯郸市", "大厂回族自治县")}
    assert named_places <= {d["region_code"] for d in docs}
    wrong = {}
    for doc in docs:
        truth = printed_region(simulator, doc["sha256"], doc["url"])
        if doc["region_code"] != truth or doc["region_source"] not in ("document", "link"):
            wrong[doc["url"]] = (doc["region_code"], doc["region_source"], truth)
    assert docs and not wrong
    report = build_report(unregioned.catalog)
    assert "unknown" not in report.regions


def test_export_has_regions_resource_and_region_columns(
    unregioned: Services, tmp_path: Path
) -> None:
    from govbudget.crawler.regions import division_row

    export(unregioned.catalog, tmp_path, "parquet", describe_region=division_row)
    documents = pq.read_table(tmp_path / "documents.parquet").to_pylist()
    regions = {r["region_code"]: r for r in pq.read_table(tmp_path / "regions.parquet").to_pylist()}
    beidaihe = code("河北省秦皇岛市北戴河区")
    assert regions[beidaihe]["name"] == "北戴河区" and regions[beidaihe]["level"] == "county"
    assert regions[beidaihe]["parent"] in regions and regions[beidaihe]["province"] == "130000"
    assert {d["region_code"] for d in documents if d["region_code"]} <= set(regions)
    assert all(d["region_source"] in ("document", "link", "site", "crawl") for d in documents
               if d["region_code"])
    items = pq.read_table(tmp_path / "line_items.parquet", columns=["region_code", "region_source"])
    assert items.num_rows and None not in items.column("region_code").to_pylist()
    by_name = export(unregioned.catalog, tmp_path / "hd", "parquet", Selection.parse(code("邯郸市")))
    assert 0 < by_name.rows["documents"] < len(documents)


def test_commands_take_a_region_name(unregioned: Services, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from govbudget.cli import app

    runner = CliRunner()
    data_dir = str(unregioned.settings.data_dir)
    result = runner.invoke(app, ["report", "--region", "邯郸市", "--data-dir", data_dir, "--json"])
    assert result.exit_code == 0, result.output
    coverage = json.loads(result.stdout.strip().splitlines()[-1])["coverage"]
    assert coverage and {c["region_code"] for c in coverage} == {code("河北省邯郸市")}
    out = str(tmp_path / "x")
    result = runner.invoke(app, ["export", "--region", "河北省", "--format", "csv", "--out", out,
                                 "--data-dir", data_dir, "--json"])
    assert result.exit_code == 0, result.output
    regions = (tmp_path / "x" / "regions.csv").read_text(encoding="utf-8")
    assert "北戴河区" in regions and "杭州市" not in regions
    result = runner.invoke(app, ["panel", "--region", "北戴河区", "--data-dir", data_dir])
    assert result.exit_code == 0, result.output
    rows = result.stdout.strip().splitlines()
    assert len(rows) > 1 and all(code("北戴河区") in row for row in rows[1:])
    result = runner.invoke(app, ["report", "--region", "朝阳区", "--data-dir", data_dir])
    assert result.exit_code == 2 and "unknown region" in result.output


def test_portal_code_read_from_the_archived_referrer_page(unregioned: Services, simulator: Any) -> None:
    from govbudget.storage.fetch import is_archive_member
    from govbudget.tasks.regions_of import site_code

    catalog, store = unregioned.catalog, unregioned.store
    sites = {s.start_url: s.region_code for s in simulator.sites}
    files = [c for c in catalog.captures() if c["kind"] == "file" and c["referrer"]]
    seen = set()
    for capture in files:
        start = next(u for u in sites if capture["url"].startswith(u))
        assert site_code(catalog, store, capture) == sites[start], capture["url"]
        seen.add("member" if is_archive_member(capture["url"], capture["referrer"], capture["link_text"])
                 else "file")
    assert seen == {"file", "member"}  # a ZIP member's page is its archive's referrer
