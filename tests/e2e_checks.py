"""Assertions shared by the end-to-end tests (embedded default and real services alike)."""

from __future__ import annotations

import io
import time
import zipfile
from typing import Any

from govbudget.simulator.evaluate import archived_disclosures as _disclosures


def archived_disclosures(catalog: Any) -> dict[str, dict[str, Any]]:
    """Fetched disclosure files; archive members are derived from one and counted through it."""
    return _disclosures(catalog.documents())


def assert_archive_matches_simulator(catalog: Any, sim: Any) -> None:
    """Exactly the simulator's disclosures are archived as disclosures, with full provenance."""
    expected = sim.expected_disclosures()
    archived = archived_disclosures(catalog)
    assert set(archived) == set(expected), (
        f"missing {sorted(set(expected) - set(archived))}, unexpected {sorted(set(archived) - set(expected))}"
    )
    for sha, doc in archived.items():
        captures = list(catalog.captures(sha))
        assert captures, f"no capture for {sha}"
        first = captures[0]
        assert first.status == 200
        assert first.url.startswith(sim.base_url)
        assert first.referrer and first.referrer.startswith(sim.base_url)
        assert first.link_text
        assert first.headers and any(k.lower() == "content-type" for k in first.headers)
        assert first.via == "http"
        assert doc["storage_key"].endswith(sha)
        assert doc["size"] == len(expected[sha].data)
        assert doc["parse_status"] in {"ok", "partial", "failed"}
    decoys = set(sim.decoy_urls())
    for doc in archived.values():
        assert doc["url"] not in decoys, f"decoy archived as a disclosure: {doc['url']}"
    pages = [d for d in catalog.documents() if d["doc_kind"] == "page"]
    assert pages, "the pages leading to the files must be archived too"


def line_items_of(catalog: Any, sha: str) -> list[dict[str, Any]]:
    return list(catalog.records(sha256=sha, type="line_item"))


def assert_handan_2022_line_items(catalog: Any, sim: Any) -> None:
    """The 邯郸 2022 seed, as PDF and as XLSX, yields the seed's numbers."""
    docs = [d for d in sim.expected_disclosures().values() if d.seed_id == "002" and d.variant is None]
    assert {d.fmt for d in docs} >= {"pdf", "xlsx"}
    for doc in docs:
        items = line_items_of(catalog, doc.sha256)
        keyed = {(i["table_kind"], i["code"], i["measure"]): i for i in items}
        for table in ("expenditure_summary", "general_budget_expenditure"):
            item = keyed[(table, "2101501", "basic")]
            assert (item["name"], item["amount"], item["unit"]) == ("行政运行", "903.22", "万元")
            assert keyed[(table, "2101504", "project")]["amount"] == "770.00"
            assert keyed[(table, "21015", "total")]["name"] == "医疗保障管理事务"
        assert all(i["doc"] == doc.sha256 for i in items)


def zip_members(sim: Any) -> int:
    """How many files the simulator's ZIP disclosures hold (each is archived as its own object)."""
    zips = [d.data for d in sim.expected_disclosures().values() if d.fmt == "zip"]
    return sum(len(zipfile.ZipFile(io.BytesIO(data)).namelist()) for data in zips)


def wait_for_parses(catalog: Any, crawl_id: str, timeout_s: float = 300.0) -> dict[str, int]:
    """The crawl's parse tally once no file is pending (workers may still parse after a crawl)."""
    deadline = time.monotonic() + timeout_s
    while True:
        tally = catalog.parse_tally(crawl_id)
        if tally["pending"] == 0:
            return dict(tally)
        if time.monotonic() > deadline:
            raise AssertionError(f"parses still pending after {timeout_s:.0f}s: {tally}")
        time.sleep(0.5)
