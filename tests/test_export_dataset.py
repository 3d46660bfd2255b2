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

from govbudget.corpus.truth import truth_records
from govbudget.exports.collect import Selection
from govbudget.exports.fields import RESOURCES
from govbudget.exports.writer import export
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


def simulator_cells(dataset: Dataset) -> set[tuple[str, int]]:
    """(region, fiscal year) of every archived file, from the simulator: the region of the site whose
    pages link it (the latest-crawled one when two sites do) and the year the corpus rendered."""
    expected = dataset.sim.expected_disclosures()
    sites = dataset.sim.sites
    cells = set()
    for sha, doc in archived_files(dataset).items():
        urls = [c["url"] for c in dataset.svc.catalog.captures(sha)]
        owners = [s for s in sites if any(u.startswith(s.start_url) for u in urls)]
        assert owners, f"no simulator site serves {urls}"
        year = expected[sha].fiscal_year if sha in expected else doc["fiscal_year"]
        cells.add((owners[-1].region_code, year))
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


def test_datapackage_validates_with_frictionless(
    parquet_export: Path, dataset: Dataset, tmp_path: Path
) -> None:
    from frictionless import validate

    report = validate(str(parquet_export / "datapackage.json"))
    assert report.valid, report.flatten(["type", "message"])[:5]
    csv_dir = tmp_path / "csv"
    summary = export(dataset.svc.catalog, csv_dir, "csv")
    report = validate(str(csv_dir / "datapackage.json"))
    assert report.valid, report.flatten(["type", "message"])[:5]
    package = json.loads((csv_dir / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in package["resources"]] == [r.name for r in RESOURCES]
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
