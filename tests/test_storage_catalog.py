"""Catalog behaviour: the same tests against a fresh SQLite file and the real PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from govbudget.storage.catalog import CaptureRow, Catalog
from govbudget.storage.catalog_queries import DOCUMENT_KEYS
from govbudget.storage.fetch import utc_now
from govbudget.storage.keys import content_key, sha256_hex

T0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


def _object(catalog: Catalog, body: bytes) -> str:
    sha = sha256_hex(body)
    catalog.ensure_object(sha, len(body), content_key(sha), "application/pdf")
    return sha


def _records(n: int, tag: str = "a") -> list[dict]:
    doc = {"type": "document", "sha256": "x", "department": "邯郸市医疗保障局", "fiscal_year": 2022}
    items = [
        {"type": "line_item", "code": f"2101{i:03d}", "amount": f"{i}.50", "tag": tag} for i in range(n - 1)
    ]
    return [doc, *items]


# -- objects ---------------------------------------------------------------------------------------------


def test_ensure_object_is_true_once_then_false(catalog: Catalog) -> None:
    sha = sha256_hex(b"x")
    assert catalog.ensure_object(sha, 1, content_key(sha), "text/html") is True
    assert catalog.ensure_object(sha, 1, content_key(sha), "text/html") is False
    assert catalog.has_object(sha)
    assert not catalog.has_object(sha256_hex(b"y"))
    assert catalog.count("objects") == 1


def test_concurrent_ensure_object_creates_one_row_and_one_winner(catalog: Catalog) -> None:
    sha = sha256_hex(b"race")
    results: list[bool] = []
    barrier = threading.Barrier(6)

    def worker() -> None:
        barrier.wait()
        results.append(catalog.ensure_object(sha, 4, content_key(sha), None))

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 5 + [True]
    assert catalog.count("objects") == 1


# -- captures --------------------------------------------------------------------------------------------


def test_add_capture_returns_ids_and_round_trips_columns(catalog: Catalog) -> None:
    sha = _object(catalog, b"pdf")
    row = CaptureRow(
        sha256=sha,
        url="http://czj.example.gov.cn/a.pdf",
        final_url="http://cdn.example.gov.cn/a.pdf",
        referrer="http://czj.example.gov.cn/list.html",
        link_text="2022年部门预算",
        status=200,
        headers={"Content-Type": "application/pdf", "ETag": '"abc"'},
        fetched_at=T0,
        via="browser",
        kind="file",
        region_code="130400",
        fiscal_year=2022,
        doc_kind="department_budget",
        title="2022年部门预算",
        department="邯郸市医疗保障局",
        phase="budget",
        format="pdf",
        crawl_id="run-1",
        revisit=False,
    )
    first = catalog.add_capture(row)
    second = catalog.add_capture(row)
    assert second > first
    stored = list(catalog.captures(sha))
    assert len(stored) == 2
    got = stored[0]
    for name, value in vars(row).items():
        assert got[name] == value, name
    assert got.url == row.url  # rows also read as attributes
    assert got["fetched_at"].tzinfo is not None


def test_fetched_at_in_another_zone_is_stored_as_the_same_instant(catalog: Catalog) -> None:
    sha = _object(catalog, b"tz")
    beijing = T0.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    catalog.add_capture(CaptureRow(sha256=sha, url="http://x/", fetched_at=beijing))
    (got,) = catalog.captures(sha)
    assert got["fetched_at"] == T0
    assert got["fetched_at"].utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(catalog: Catalog) -> None:
    sha = _object(catalog, b"naive")
    with pytest.raises(Exception, match="naive"):
        catalog.add_capture(CaptureRow(sha256=sha, url="http://x/", fetched_at=datetime(2024, 1, 1)))


def test_a_capture_needs_its_object(catalog: Catalog) -> None:
    with pytest.raises(IntegrityError):
        catalog.add_capture(CaptureRow(sha256=sha256_hex(b"unknown"), url="http://x/"))


def test_capture_row_validates_via_and_kind() -> None:
    with pytest.raises(ValueError):
        CaptureRow(sha256="a" * 64, url="u", via="ftp")
    with pytest.raises(ValueError):
        CaptureRow(sha256="a" * 64, url="u", kind="blob")


def test_last_capture_for_url_is_the_latest_fetch(catalog: Catalog) -> None:
    old, new = _object(catalog, b"v1"), _object(catalog, b"v2")
    url = "http://x/a.pdf"
    catalog.add_capture(
        CaptureRow(sha256=new, url=url, fetched_at=T0 + timedelta(days=1), headers={"ETag": "2"})
    )
    catalog.add_capture(CaptureRow(sha256=old, url=url, fetched_at=T0, headers={"ETag": "1"}))
    last = catalog.last_capture_for_url(url)
    assert last is not None
    assert last["sha256"] == new
    assert last["headers"] == {"ETag": "2"}
    assert catalog.last_capture_for_url("http://x/other") is None


# -- parse results and records ---------------------------------------------------------------------------


def _state(catalog: Catalog, sha: str) -> tuple[list[dict], list[tuple]]:
    results = [(r["parser"], r["status"], r["errors"], r["record_count"]) for r in catalog.parse_results(sha)]
    return list(catalog.records(sha, parser="pdf@1")), results


def test_save_parse_result_twice_leaves_the_same_rows(catalog: Catalog) -> None:
    sha = _object(catalog, b"doc")
    catalog.save_parse_result(sha, "pdf@1", "partial", ["table 3 unreadable"], _records(5))
    first = _state(catalog, sha)
    catalog.save_parse_result(sha, "pdf@1", "partial", ["table 3 unreadable"], _records(5))
    assert _state(catalog, sha) == first
    assert catalog.count("records") == 5
    assert catalog.count("parse_results") == 1
    assert first[0] == _records(5)
    (result,) = catalog.parse_results(sha)
    assert (result["status"], result["record_count"]) == ("partial", 5)


def test_a_shorter_second_run_deletes_the_tail(catalog: Catalog) -> None:
    sha = _object(catalog, b"doc")
    catalog.save_parse_result(sha, "pdf@1", "ok", [], _records(6, tag="first"))
    catalog.save_parse_result(sha, "pdf@1", "ok", [], _records(3, tag="second"))
    assert list(catalog.records(sha)) == _records(3, tag="second")
    assert catalog.count("records") == 3


def test_a_failed_parse_is_stored_with_its_errors_and_no_records(catalog: Catalog) -> None:
    sha = _object(catalog, b"broken")
    catalog.save_parse_result(sha, "pdf@1", "ok", [], _records(4))
    catalog.save_parse_result(sha, "pdf@1", "failed", ["encrypted PDF"], [])
    assert catalog.parse_status(sha) == "failed"
    assert list(catalog.records(sha)) == []
    (result,) = catalog.parse_results(sha)
    assert result["errors"] == ["encrypted PDF"]
    assert result["record_count"] == 0


def test_save_parse_result_refuses_unknown_status_and_untyped_records(catalog: Catalog) -> None:
    sha = _object(catalog, b"doc")
    with pytest.raises(ValueError):
        catalog.save_parse_result(sha, "pdf@1", "great", [], [])
    with pytest.raises(ValueError):
        catalog.save_parse_result(sha, "pdf@1", "ok", [], [{"amount": "1"}])
    assert catalog.parse_status(sha) is None


def test_concurrent_save_parse_result_leaves_one_set_of_rows(catalog: Catalog) -> None:
    sha = _object(catalog, b"contended")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(n: int, tag: str) -> None:
        try:
            barrier.wait()
            for _ in range(5):
                catalog.save_parse_result(sha, "pdf@1", "ok", [], _records(n, tag))
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=worker, args=(40, "a")),
        threading.Thread(target=worker, args=(25, "b")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    got = list(catalog.records(sha))
    assert got in (_records(40, "a"), _records(25, "b"))
    assert catalog.count("records") == len(got)
    assert catalog.count("parse_results") == 1
    (result,) = catalog.parse_results(sha)
    assert result["record_count"] == len(got)


def test_parse_status_follows_the_latest_parse(catalog: Catalog) -> None:
    sha = _object(catalog, b"doc")
    assert catalog.parse_status(sha) is None
    catalog.save_parse_result(sha, "pdf@1", "failed", ["old parser"], [])
    catalog.save_parse_result(sha, "pdf@2", "ok", [], _records(3))
    assert catalog.parse_status(sha) == "ok"


def test_records_default_to_each_objects_latest_parse(catalog: Catalog) -> None:
    sha = _object(catalog, b"doc")
    catalog.save_parse_result(sha, "pdf@1", "ok", [], _records(4, "v1"))
    catalog.save_parse_result(sha, "pdf@2", "ok", [], _records(2, "v2"))
    assert list(catalog.records(sha)) == _records(2, "v2")
    assert list(catalog.records(sha, parser="pdf@1")) == _records(4, "v1")


def test_records_filter_by_type_and_object(catalog: Catalog) -> None:
    a, b = _object(catalog, b"a"), _object(catalog, b"b")
    catalog.save_parse_result(a, "pdf@1", "ok", [], _records(3))
    catalog.save_parse_result(b, "pdf@1", "ok", [], _records(2))
    assert len(list(catalog.records(type="document"))) == 2
    assert len(list(catalog.records(type="line_item"))) == 3
    assert len(list(catalog.records(a, type="line_item"))) == 2
    assert len(list(catalog.records())) == 5


def test_unparsed_files_lists_file_objects_without_a_result(catalog: Catalog) -> None:
    parsed, pending, page = (
        _object(catalog, b"parsed"),
        _object(catalog, b"pending"),
        _object(catalog, b"page"),
    )
    catalog.add_capture(CaptureRow(sha256=parsed, url="http://x/1.pdf"))
    catalog.add_capture(CaptureRow(sha256=pending, url="http://x/2.pdf"))
    catalog.add_capture(CaptureRow(sha256=page, url="http://x/list.html", kind="page"))
    catalog.save_parse_result(parsed, "pdf@1", "failed", ["bad"], [])
    assert catalog.unparsed_files() == [pending]


def test_unparsed_files_oldest_first_up_to_a_time_and_a_limit(catalog: Catalog) -> None:
    def pending_file(body: bytes) -> str:
        sha = _object(catalog, body)
        catalog.add_capture(CaptureRow(sha256=sha, url=f"http://x/{body.decode()}.pdf"))
        return sha

    old = [pending_file(b"first"), pending_file(b"second")]
    cutoff = utc_now()
    young = pending_file(b"third")
    assert catalog.unparsed_files() == [*old, young]
    assert catalog.unparsed_files(first_seen_by=cutoff) == old
    assert catalog.unparsed_files(first_seen_by=cutoff, limit=1) == old[:1]
    assert catalog.unparsed_files(first_seen_by=T0) == []


def test_objects_lists_every_archived_object_by_digest(catalog: Catalog) -> None:
    shas = [_object(catalog, body) for body in (b"one", b"two", b"three")]
    objects = list(catalog.objects())
    assert [o.sha256 for o in objects] == sorted(shas)
    assert {o.sha256: (o.size, o.storage_key) for o in objects} == {
        sha256_hex(b): (len(b), content_key(sha256_hex(b))) for b in (b"one", b"two", b"three")
    }


# -- documents -------------------------------------------------------------------------------------------


def test_documents_have_exactly_the_contract_keys(catalog: Catalog) -> None:
    sha = _object(catalog, b"doc")
    catalog.add_capture(CaptureRow(sha256=sha, url="http://x/a.pdf", fetched_at=T0))
    (doc,) = catalog.documents()
    assert tuple(doc) == DOCUMENT_KEYS
    assert set(doc) == {
        "sha256", "url", "referrer", "link_text", "title", "doc_kind", "fiscal_year", "phase",
        "department", "region_code", "format", "size", "fetched_at", "storage_key", "parse_status",
        "region_source",
    }  # fmt: skip
    assert doc["fetched_at"] == T0.isoformat()
    assert doc["storage_key"] == content_key(sha)
    assert doc["size"] == 3
    assert doc["parse_status"] is None


def test_documents_use_the_latest_capture(catalog: Catalog) -> None:
    sha = _object(catalog, b"doc")
    catalog.add_capture(CaptureRow(sha256=sha, url="http://new/", fetched_at=T0 + timedelta(hours=1)))
    catalog.add_capture(CaptureRow(sha256=sha, url="http://old/", fetched_at=T0))
    (doc,) = catalog.documents()
    assert doc["url"] == "http://new/"


def test_documents_fall_back_to_the_parsed_document_record(catalog: Catalog) -> None:
    sha = _object(catalog, b"doc")
    catalog.add_capture(
        CaptureRow(sha256=sha, url="http://x/a.pdf", title="链接标题", fetched_at=T0, link_text="下载")
    )
    document = {
        "type": "document", "title": "2022 年部门预算", "department": "邯郸市医疗保障局",
        "fiscal_year": 2022, "phase": "budget", "format": "pdf",
    }  # fmt: skip
    catalog.save_parse_result(sha, "pdf@1", "ok", [], [document])
    (doc,) = catalog.documents()
    assert doc["title"] == "链接标题"  # the capture's own value wins
    assert doc["department"] == "邯郸市医疗保障局"
    assert doc["fiscal_year"] == 2022
    assert doc["phase"] == "budget"
    assert doc["parse_status"] == "ok"
    assert doc["link_text"] == "下载"


def test_documents_list_every_object_once(catalog: Catalog) -> None:
    for i in range(3):
        sha = _object(catalog, f"doc{i}".encode())
        for j in range(2):
            catalog.add_capture(CaptureRow(sha256=sha, url=f"http://x/{i}", fetched_at=T0 + timedelta(j)))
    assert len(list(catalog.documents())) == 3


# -- crawl runs ------------------------------------------------------------------------------------------


def test_crawl_runs_start_and_finish(catalog: Catalog) -> None:
    crawl_id = catalog.start_crawl(["http://czj.example.gov.cn/"], region_code="130400", fiscal_year=2022)
    run = catalog.crawl_run(crawl_id)
    assert run is not None
    assert run["status"] == "running"
    assert run["finished_at"] is None
    catalog.finish_crawl(crawl_id, {"files": 3, "errors": []}, "finished")
    run = catalog.crawl_run(crawl_id)
    assert run is not None
    assert run["status"] == "finished"
    assert run["summary"] == {"files": 3, "errors": []}
    assert run["finished_at"] >= run["started_at"]
    with pytest.raises(KeyError):
        catalog.finish_crawl("no-such-run", {}, "failed")


def test_crawl_runs_are_listed_oldest_first(catalog: Catalog) -> None:
    ids = [catalog.start_crawl([f"http://x/{n}/"], region_code="130400", crawl_id=n) for n in ("b", "a", "c")]
    catalog.finish_crawl("a", {"files": 2}, "finished")
    runs = list(catalog.crawl_runs())
    assert [r["id"] for r in runs] == ids
    assert runs[1]["summary"] == {"files": 2} and runs[1]["status"] == "finished"
    assert runs[0]["start_urls"] == ["http://x/b/"]


def test_crawled_regions_are_the_distinct_codes_of_crawl_runs(catalog: Catalog) -> None:
    assert catalog.crawled_regions() == []
    for region in ("320000", "130400", None, "320000"):
        catalog.start_crawl(["http://x/"], region_code=region)
    assert catalog.crawled_regions() == ["130400", "320000"]


def test_last_start_urls_are_the_latest_runs_that_had_any(catalog: Catalog) -> None:
    assert catalog.last_start_urls("130400") == []
    catalog.start_crawl(["http://old/"], region_code="130400")
    catalog.start_crawl(["http://new/", "http://new/2"], region_code="130400")
    catalog.start_crawl([], region_code="130400")  # a run without start URLs is passed over
    catalog.start_crawl(["http://other/"], region_code="320000")
    assert catalog.last_start_urls("130400") == ["http://new/", "http://new/2"]


# -- opening ---------------------------------------------------------------------------------------------


def test_reopening_an_existing_catalog_keeps_its_rows(catalog_url: str) -> None:
    with Catalog(catalog_url) as first:
        _object(first, b"kept")
    with Catalog(catalog_url) as second:
        assert second.count("objects") == 1


def test_describe_hides_passwords() -> None:
    with Catalog("sqlite://") as cat:
        assert cat.describe() == "sqlite://"
    assert "secret" not in Catalog("postgresql://u:secret@127.0.0.1:1/x", migrate=False).describe()
