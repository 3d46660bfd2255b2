"""Export of a simulator crawl: typed Parquet/CSV files that load in DuckDB and pandas, seed totals, package.

The crawl is made once per session by `crawled_dataset` (each simulator site crawled with its region,
as a researcher would run `govbudget crawl URL --region CODE`); the panel, report and web tests reuse it.
"""

from __future__ import annotations

import collections
import json
import threading
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from govbudget.corpus.seeds import SEEDS
from govbudget.corpus.truth import truth_records
from govbudget.exports.collect import Selection
from govbudget.exports.fields import REGIONS, RESOURCES
from govbudget.exports.writer import export
from govbudget.regions import named_in
from govbudget.regions.names import is_under
from govbudget.tasks.crawl import crawl_config, run_crawl
from govbudget.tasks.runtime import Services, configure
from govbudget.tasks.settings import Settings


@dataclass
class Dataset:
    """A crawled simulator archive: its services, the simulator, and the sites' regions."""

    svc: Services
    sim: Any
    regions: dict[str, str]  # region code -> site name


_lock = threading.Lock()
_built: dict[str, Dataset] = {}


def crawled_dataset(tmp_path_factory: pytest.TempPathFactory, sim: Any) -> Dataset:
    """Crawl every simulator site with its region once per session (shared by the dataset tests)."""
    with _lock:
        if "data" not in _built:
            settings = Settings.from_env(
                {}, data_dir=tmp_path_factory.mktemp("dataset") / "data", allow_loopback=True
            )
            svc = configure(settings)
            for site in sim.sites:
                config = crawl_config(settings, [site.start_url], region_code=site.region_code)
                summary = run_crawl(svc, config)
                assert summary.parse_pending == 0
            _built["data"] = Dataset(svc, sim, {s.region_code: s.name for s in sim.sites})
        configure(_built["data"].svc.settings)
        return _built["data"]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory, simulator: Any) -> Dataset:
    return crawled_dataset(tmp_path_factory, simulator)


@pytest.fixture(scope="module")
def parquet_export(dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export-parquet")
    export(dataset.svc.catalog, out, "parquet")
    return out


def handan_2022(dataset: Dataset) -> list[str]:
    """Digests of the unvaried 邯郸 2022 seed (PDF and XLSX renderings)."""
    docs = dataset.sim.expected_disclosures().values()
    return sorted(d.sha256 for d in docs if d.seed_id == "002" and d.variant is None
                  and d.department == "邯郸市医疗保障局" and d.fiscal_year == 2022)


def archived_files(dataset: Dataset) -> dict[str, dict[str, Any]]:
    """The files the crawl archived: the simulator's disclosures (those its crawler reaches, as sites are
    added) and members taken out of archives it served."""
    files = {d["sha256"]: d for d in dataset.svc.catalog.documents() if d["doc_kind"] != "page"}
    assert set(handan_2022(dataset)) <= set(files)
    return files


def printed_region(doc: Any, site: Any) -> str:
    """The region a served file prints: its site's, for that place's departments (and files the
    simulator did not render itself, such as ZIP members); else its seed's documented place (邯郸's
    portal posts 北戴河区, 大厂 and 门源 files)."""
    place = site.name
    for word in ("人民政府", "财政局", "预决算公开平台"):
        place = place.removesuffix(word)
    if doc is None:
        return str(site.region_code)
    if doc.department.startswith(place):  # the place's own body, or one of a district under it
        below = named_in(doc.department, [str(site.region_code)])
        return below.code if below is not None and is_under(below.code, str(site.region_code)) \
            else str(site.region_code)
    return str(SEEDS[doc.seed_id].region_code)


def simulator_cells(dataset: Dataset) -> set[tuple[str, int]]:
    """(region, fiscal year) of every archived file, from the simulator: the region it prints
    (`printed_region`, judged from the latest-crawled site linking it) and the year the corpus rendered."""
    expected = dataset.sim.expected_disclosures()
    sites = dataset.sim.sites
    cells = set()
    for sha, doc in archived_files(dataset).items():
        urls = [c["url"] for c in dataset.svc.catalog.captures(sha)]
        owners = [s for s in sites if any(u.startswith(s.start_url) for u in urls)]
        assert owners, f"no simulator site serves {urls}"
        year = expected[sha].fiscal_year if sha in expected else doc["fiscal_year"]
        cells.add((printed_region(expected.get(sha), owners[-1]), year))
    return cells


def seed_kinds(totals: dict[tuple[str, str], Decimal]) -> set[str]:
    return {kind for kind, _ in totals}


def seed_totals() -> dict[tuple[str, str], Decimal]:
    """Sum of the seed's line items per (table kind, measure): the tables the corpus has truth for
    (a parser may read more tables, e.g. 国有资产占用情况表, which the seed truth does not cover)."""
    totals: dict[tuple[str, str], Decimal] = collections.defaultdict(Decimal)
    for rec in truth_records("002"):
        if rec["type"] == "line_item":
            totals[(rec["table_kind"], rec["measure"])] += Decimal(rec["amount"])
    return dict(totals)


def test_every_record_type_has_a_file_with_provenance(parquet_export: Path) -> None:
    import pyarrow.parquet as pq

    for res in RESOURCES:
        schema = pq.read_schema(parquet_export / f"{res.name}.parquet")
        assert schema.names[:4] == ["sha256", "source_url", "captured_at", "locator"]
        assert schema.names == [f.name for f in res.fields]


def test_duckdb_reads_typed_columns_and_seed_totals(parquet_export: Path, dataset: Dataset) -> None:
    import duckdb

    con = duckdb.connect()
    items = str(parquet_export / "line_items.parquet")
    described = con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{items}')")
    types = dict(described.fetchall())
    assert types["amount"].startswith("DECIMAL") and types["amount_yuan"].startswith("DECIMAL")
    assert types["fiscal_year"] in {"BIGINT", "INTEGER"} and types["level"] in {"BIGINT", "INTEGER"}
    assert types["captured_at"].startswith("TIMESTAMP")
    expected = seed_totals()
    assert expected, "the seed has line items"
    for sha in handan_2022(dataset):
        got = con.execute(
            f"SELECT table_kind, measure, sum(amount) FROM '{items}' WHERE sha256 = ? GROUP BY ALL", [sha]
        ).fetchall()
        totals = {(k, m): Decimal(v) for k, m, v in got if k in seed_kinds(expected)}
        assert totals == expected
        fy = con.execute(f"SELECT DISTINCT fiscal_year, region_code FROM '{items}' WHERE sha256 = ?", [sha])
        assert fy.fetchall() == [(2022, "130400")]
    docs = str(parquet_export / "documents.parquet")
    assert con.execute(f"SELECT count(*) FROM '{docs}' WHERE status IS NULL").fetchone() == (0,)
    missing_url = con.execute(f"SELECT count(*) FROM '{items}' WHERE source_url IS NULL").fetchone()
    assert missing_url == (0,)


def test_pandas_reads_decimals_and_integers(parquet_export: Path, dataset: Dataset) -> None:
    import pandas as pd

    items = pd.read_parquet(parquet_export / "line_items.parquet")
    assert isinstance(items["amount"].dropna().iloc[0], Decimal)
    assert str(items["fiscal_year"].dtype) == "int64"
    sha = handan_2022(dataset)[0]
    mine = items[items["sha256"] == sha]
    grouped = mine.groupby(["table_kind", "measure"])["amount"].apply(lambda s: sum(s, Decimal(0)))
    expected = seed_totals()
    assert {k: v for k, v in grouped.to_dict().items() if k[0] in seed_kinds(expected)} == expected
    locator = json.loads(mine["locator"].iloc[0])
    assert {"row"} <= set(locator)
    docs = pd.read_parquet(parquet_export / "documents.parquet")
    assert set(docs["sha256"]) == set(archived_files(dataset))
    assert set(docs["status"]) <= {"ok", "partial", "failed"}
    empty = pd.read_parquet(parquet_export / "checks.parquet")
    assert list(empty.columns)[:4] == ["sha256", "source_url", "captured_at", "locator"]


def _kinds(report: Any) -> dict[str, list[str]]:
    """A failed validation's errors by type, with the first message of each."""
    out: dict[str, list[str]] = {}
    for _task, kind, message in report.flatten(["taskNumber", "type", "message"]):
        out.setdefault(kind, []).append(message)
    return {k: [str(len(v)), v[0][:300]] for k, v in out.items()}


def test_datapackage_validates_with_frictionless(
    parquet_export: Path, dataset: Dataset, tmp_path: Path
) -> None:
    from frictionless import validate

    report = validate(str(parquet_export / "datapackage.json"))
    assert report.valid, _kinds(report)
    csv_dir = tmp_path / "csv"
    summary = export(dataset.svc.catalog, csv_dir, "csv")
    report = validate(str(csv_dir / "datapackage.json"))
    assert report.valid, _kinds(report)
    package = json.loads((csv_dir / "datapackage.json").read_text(encoding="utf-8"))
    items = next(r for r in package["resources"] if r["name"] == "line_items")
    assert items["hash"].startswith("sha256:")
    assert items["bytes"] == (csv_dir / "line_items.csv").stat().st_size
    assert [r["name"] for r in package["resources"]] == [r.name for r in (*RESOURCES, REGIONS)]
    amount = next(f for f in package["resources"][2]["schema"]["fields"] if f["name"] == "amount")
    assert amount["type"] == "number" and amount["description"]
    assert summary.rows["line_items"] == report.tasks[2].stats["rows"]


def test_region_and_years_filter(dataset: Dataset, tmp_path: Path) -> None:
    import duckdb

    summary = export(dataset.svc.catalog, tmp_path, "parquet", Selection.parse("130400", "2022-2023"))
    docs = f"'{tmp_path}/documents.parquet'"
    rows = duckdb.connect().execute(f"SELECT DISTINCT region_code, fiscal_year FROM {docs}").fetchall()
    assert rows and {r[0] for r in rows} == {"130400"} and {r[1] for r in rows} <= {2022, 2023}
    count = duckdb.connect().execute(f"SELECT count(*) FROM {docs}").fetchone()
    assert count == (summary.rows["documents"],)
    hd = {s for s, d in dataset.sim.expected_disclosures().items() if d.fiscal_year in (2022, 2023)}
    assert 0 < summary.rows["documents"] <= len(hd)
    province = export(dataset.svc.catalog, tmp_path / "p", "parquet", Selection.parse("130000"))
    hebei = {sha for sha, d in archived_files(dataset).items() if (d["region_code"] or "").startswith("13")}
    assert "130400" in {d["region_code"] for d in archived_files(dataset).values()}
    assert province.rows["documents"] == len(hebei), "130000 covers 130400 too"


def test_one_copy_per_disclosure_is_canonical(parquet_export: Path, dataset: Dataset) -> None:
    import duckdb

    con = duckdb.connect()
    docs, items = f"'{parquet_export}/documents.parquet'", f"'{parquet_export}/line_items.parquet'"
    pdf_xlsx = handan_2022(dataset)
    marks = con.execute(f"SELECT format, disclosure_id, canonical FROM {docs} WHERE sha256 IN (?, ?) "
                        "ORDER BY format", pdf_xlsx).fetchall()
    assert [m[0] for m in marks] == ["pdf", "xlsx"]
    assert marks[0][1] == marks[1][1] and (marks[0][2], marks[1][2]) == (False, True)
    got = con.execute(f"SELECT table_kind, measure, sum(amount) FROM {items} WHERE disclosure_id = ? "
                      "AND canonical GROUP BY ALL", [marks[0][1]]).fetchall()
    expected = seed_totals()
    assert {(k, m): Decimal(v) for k, m, v in got if k in seed_kinds(expected)} == expected
    both = con.execute(f"SELECT count(*) FROM {items} WHERE disclosure_id = ?", [marks[0][1]]).fetchone()
    one = con.execute(f"SELECT count(*) FROM {items} WHERE disclosure_id = ? AND canonical",
                      [marks[0][1]]).fetchone()
    assert both is not None and one is not None and both[0] == 2 * one[0]
    per_disclosure = con.execute(f"SELECT disclosure_id, count(*) FILTER (canonical) FROM {docs} GROUP BY 1")
    assert {n for _, n in per_disclosure.fetchall()} == {1}


def test_every_line_item_names_its_table_and_no_value_is_invalid(parquet_export: Path) -> None:
    import duckdb

    con = duckdb.connect()
    items, tables = f"'{parquet_export}/line_items.parquet'", f"'{parquet_export}/tables.parquet'"
    assert con.execute(f"SELECT count(*) FROM {items} WHERE table_id IS NULL").fetchone() == (0,)
    wrong = con.execute(f"SELECT count(*) FROM {items} i JOIN {tables} t USING (table_id) "
                        "WHERE i.table_kind <> t.table_kind OR i.sha256 <> t.sha256").fetchone()
    assert wrong == (0,)
    n_tables = con.execute(f"SELECT count(*), count(DISTINCT table_id) FROM {tables}").fetchone()
    assert n_tables is not None and n_tables[0] == n_tables[1] > 0
    for res in RESOURCES:
        bad = con.execute(f"SELECT count(*) FROM '{parquet_export}/{res.name}.parquet' "
                          "WHERE extra LIKE '%\"_invalid\"%'").fetchone()
        assert bad == (0,), res.name
    worded = con.execute(f"SELECT count(*) FROM '{parquet_export}/checks.parquet' "
                         "WHERE expected IS NULL AND expected_text IS NOT NULL").fetchone()
    assert worded is not None and worded[0] > 0, "worded checks keep their text"


def test_datapackage_has_keys_hashes_version_and_citation(parquet_export: Path) -> None:
    import hashlib

    package = json.loads((parquet_export / "datapackage.json").read_text(encoding="utf-8"))
    by_name = {r["name"]: r for r in package["resources"]}
    assert by_name["line_items"]["schema"]["primaryKey"] == ["record_id"]
    assert by_name["tables"]["schema"]["primaryKey"] == ["table_id"]
    foreign = by_name["line_items"]["schema"]["foreignKeys"]
    refs = {(fk["fields"], fk["reference"]["resource"]) for fk in foreign}
    assert refs == {("table_id", "tables"), ("sha256", "documents")}
    tables_fk = by_name["tables"]["schema"]["foreignKeys"]
    assert tables_fk == [{"fields": "sha256", "reference": {"resource": "documents", "fields": "sha256"}}]
    measure = next(f for f in by_name["line_items"]["schema"]["fields"] if f["name"] == "measure")
    assert {"total", "basic", "other"} <= set(measure["constraints"]["enum"])
    files = package["govbudget"]["files"]
    assert set(files) == {r["path"] for r in package["resources"]}
    for res in package["resources"]:
        data = (parquet_export / res["path"]).read_bytes()
        assert files[res["path"]] == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    from importlib.metadata import version

    assert package["version"] == version("govbudget") == package["govbudget"]["version"]
    assert package["govbudget"]["parsers"] and all("@" in p for p in package["govbudget"]["parsers"])
    assert version("govbudget") in package["govbudget"]["citation"]


def test_csv_codes_stay_strings_in_pandas_and_duckdb(dataset: Dataset, tmp_path: Path) -> None:
    """The README's loader snippets: field types from datapackage.json, codes read as text."""
    import duckdb
    import pandas as pd

    export(dataset.svc.catalog, tmp_path, "csv")
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    items = next(r for r in package["resources"] if r["name"] == "line_items")
    strings = {f["name"]: str for f in items["schema"]["fields"] if f["type"] == "string"}
    frame = pd.read_csv(tmp_path / "line_items.csv", dtype=strings, keep_default_na=False, na_values=[""])
    codes = set(frame["code"].dropna())
    assert "208" in codes and any(len(c) == 7 for c in codes), sorted(codes)[:10]
    assert all(isinstance(c, str) and "." not in c for c in codes)
    types = {name: "VARCHAR" for name in strings}
    rel = duckdb.connect().execute(
        "SELECT DISTINCT code FROM read_csv(?, header = true, types = ?) WHERE code IS NOT NULL",
        [str(tmp_path / "line_items.csv"), types])
    assert {r[0] for r in rel.fetchall()} == codes


def test_documents_point_at_regions_only_when_regions_holds_their_codes() -> None:
    from govbudget.exports.writer import datapackage

    def refs(rows: int, complete: bool) -> list[dict[str, Any]]:
        package = datapackage("csv", Selection(), {"regions": rows}, regions_complete=complete)
        docs = next(r for r in package["resources"] if r["name"] == "documents")
        return docs["schema"].get("foreignKeys", [])

    to_regions = {"fields": "region_code", "reference": {"resource": "regions", "fields": "region_code"}}
    assert refs(3, True) == [to_regions]
    assert refs(0, True) == [] and refs(3, False) == []
