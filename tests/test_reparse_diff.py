"""``govbudget reparse`` and ``govbudget diff`` (issue #12 item 6): archived files parsed again by a
newer parser keep their earlier results, and the diff names exactly what the new version changed.

A parser change is simulated by the parse target the sandboxed child runs (`new_parser`: the real
parsers, relabelled 0.3.0, dropping one line item), in the embedded mode and through a real Celery
worker on a real Redis broker.
"""

from __future__ import annotations

import io
import json
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version

from govbudget.exports.diff import diff_parsers
from govbudget.parsers import PARSER_VERSION, parse_bytes
from govbudget.parsers.outcome import ParseOutcome
from govbudget.storage.catalog import Catalog
from govbudget.storage.fetch import Fetch
from govbudget.storage.rows import CaptureRow
from govbudget.tasks import parse_task
from govbudget.tasks.dispatch import enqueue_parse
from govbudget.tasks.reparse import ReparseError, is_older, reparse
from govbudget.tasks.runtime import Services, configure
from govbudget.tasks.settings import Settings
from tests.cli_process import run_cli
from tests.storage_fixtures import start_celery_worker, stop_process

OLD = f"budget-tables@{PARSER_VERSION}"
NEW = "budget-tables@0.3.0"
DROPPED = ("expenditure_summary", "2101506", "project")  # the line item the new parser loses
ROWS = [
    ["", "合计", "1234.50", "1000.00", "234.50"],
    ["210", "卫生健康支出", "1234.50", "1000.00", "234.50"],
    ["21015", "医疗保障管理事务", "1234.50", "1000.00", "234.50"],
    ["2101501", "行政运行", "1000.00", "1000.00", ""],
    ["2101506", "医疗保障经办事务", "234.50", "", "234.50"],
]
# name, region code, fiscal year of each archived file
FILES = [("handan-2022", "130400", 2022), ("handan-2023", "130400", 2023), ("dianbai-2022", "440904", 2022)]


def budget_html(department: str) -> bytes:
    """A small 支出总表 as a portal publishes it in HTML; the department makes each file's bytes its own."""
    head = ['<tr><td rowspan="2">科目编码</td><td rowspan="2">科目名称</td><td rowspan="2">合计</td>'
            '<td colspan="2">其中</td></tr>', "<tr><td>基本支出</td><td>项目支出</td></tr>"]
    body = ["<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in ROWS]
    return (f'<html><head><meta charset="utf-8"><title>预算</title></head><body><p>2022年部门预算支出总表</p>'
            f"<p>207 {department}</p><p>单位：万元</p><table border=1>{''.join(head + body)}</table>"
            "</body></html>").encode()


def new_parser(data: bytes, *, filename: str | None, sha256: str) -> ParseOutcome:
    """Run in the sandbox child: today's parsers, labelled 0.3.0, losing the `DROPPED` line item."""
    outcome = parse_bytes(data, filename=filename, sha256=sha256)
    outcome.parser = outcome.document["parser"] = outcome.parser.replace(f"@{PARSER_VERSION}", "@0.3.0")
    outcome.records = [
        r for r in outcome.records
        if not (r["type"] == "line_item" and (r["table_kind"], r["code"], r["measure"]) == DROPPED)
    ]
    return outcome


@pytest.fixture
def svc(tmp_path: Path) -> Services:
    return configure(Settings.from_env({}, data_dir=tmp_path / "data"))


def _archive(svc: Services) -> dict[str, str]:
    """The `FILES`, archived and parsed by today's parser: name → sha256."""
    shas = {}
    for name, region, year in FILES:
        fetch = Fetch(url=f"http://portal.example/{name}.html", body=budget_html(name), kind="file",
                      doc_kind="budget", region_code=region, fiscal_year=year)
        shas[name] = sha = svc.archive.archive(fetch).sha256
        enqueue_parse(sha)
        assert [r.parser for r in svc.catalog.parse_results(sha)] == [OLD]
    return shas


def _parsers(svc: Services, sha: str) -> list[str]:
    return [r.parser for r in svc.catalog.parse_results(sha)]


def _line_items(catalog: Catalog, sha: str, parser: str | None = None) -> set[tuple[Any, ...]]:
    return {(r["table_kind"], r["code"], r["measure"], r["amount"])
            for r in catalog.records(sha256=sha, type="line_item", parser=parser)}


def test_reparse_keeps_the_old_results_and_diff_names_the_dropped_item(
    svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    shas = _archive(svc)
    old_items = {sha: _line_items(svc.catalog, sha) for sha in shas.values()}
    monkeypatch.setattr(parse_task, "PARSE_TARGET", new_parser)

    report = reparse(svc)
    assert (report.considered, report.queued, report.errors, report.in_process) == (3, 3, {}, True)
    for sha in shas.values():
        assert _parsers(svc, sha) == [OLD, NEW]  # the new version's result beside the old one
        assert _line_items(svc.catalog, sha, OLD) == old_items[sha]
        dropped = {i for i in old_items[sha] if i[:3] == DROPPED}
        assert len(dropped) == 1
        assert _line_items(svc.catalog, sha) == old_items[sha] - dropped  # exports read the latest

    diff = diff_parsers(svc.catalog, OLD, "0.3.0", limit=10).as_dict()
    assert diff["documents"] == {"a": 3, "b": 3, "compared": 3, "only_a": 0, "only_b": 0,
                                 "status_changes": {}, "examples": []}
    assert diff["tables"] == {"added": {}, "removed": {}}
    items = diff["line_items"]
    assert (items["added"], items["removed"], items["changed"]) == (0, 3, 0)
    assert items["unchanged"] == sum(len(i) for i in old_items.values()) - 3
    assert sorted((e["sha256"], e["table_kind"], e["code"], e["measure"], e["a"], e["b"])
                  for e in items["examples"]["removed"]) == sorted(
        (sha, *DROPPED, {"amount": "234.50", "unit": "万元"}, None) for sha in shas.values())
    assert items["examples"]["added"] == items["examples"]["changed"] == []
    assert len(diff_parsers(svc.catalog, OLD, NEW, limit=1).item_examples["removed"]) == 1


def test_older_than_selects_files_whose_latest_result_is_older(
    svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    shas = _archive(svc)
    monkeypatch.setattr(parse_task, "PARSE_TARGET", new_parser)
    assert reparse(svc, region="440904").queued == 1
    unparsed = svc.archive.archive(Fetch(url="http://portal.example/late.html", body=budget_html("late"),
                                         kind="file", region_code="130400", fiscal_year=2024)).sha256

    dry = reparse(svc, older_than="0.3.0", dry_run=True)
    expected = sorted([shas["handan-2022"], shas["handan-2023"], unparsed])
    assert [f["sha256"] for f in dry.selected] == expected
    assert (dry.considered, dry.queued) == (4, 0)
    assert _parsers(svc, shas["handan-2022"]) == [OLD]  # a dry run queues nothing
    assert [f["sha256"] for f in reparse(svc, older_than="0.2.0", dry_run=True).selected] == [unparsed]

    report = reparse(svc, older_than="0.3.0")
    assert report.queued == 3
    assert reparse(svc, older_than="0.3.0", dry_run=True).selected == []
    assert _parsers(svc, shas["dianbai-2022"]) == [OLD, NEW]  # parsed by 0.3.0 once, not again
    assert _parsers(svc, unparsed) == [NEW]


def test_versions_compare_as_versions_not_strings() -> None:
    assert is_older("budget-tables@0.9.0", Version("0.10.0"))
    assert not is_older("budget-tables@0.10.0", Version("0.9.0"))
    assert not is_older("budget-tables@0.3.0", Version("0.3.0"))
    assert is_older("dispatch", Version("0.1.0")) and is_older(None, Version("0.1.0"))
    with pytest.raises(ReparseError, match="not a version"):
        reparse(None, older_than="latest")  # type: ignore[arg-type]


def test_region_and_years_select_by_captures(svc: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    shas = _archive(svc)
    monkeypatch.setattr(parse_task, "PARSE_TARGET", new_parser)
    by_name = reparse(svc, region="邯郸市", dry_run=True)
    assert by_name.region_code == "130400"
    assert [f["sha256"] for f in by_name.selected] == sorted([shas["handan-2022"], shas["handan-2023"]])
    province = reparse(svc, region="130000", years=(2023, 2024), dry_run=True)
    assert [f["sha256"] for f in province.selected] == [shas["handan-2023"]]

    assert reparse(svc, region="130400", years=(2022, 2022)).queued == 1
    assert _parsers(svc, shas["handan-2022"]) == [OLD, NEW]
    assert _parsers(svc, shas["handan-2023"]) == _parsers(svc, shas["dianbai-2022"]) == [OLD]
    with pytest.raises(ReparseError):
        reparse(svc, region="不存在的地方")


def _object(catalog: Catalog, name: str) -> str:
    sha = f"{uuid.uuid5(uuid.NAMESPACE_URL, name).hex:0<64}"
    catalog.ensure_object(sha, 1, f"objects/{sha}", "text/html")
    catalog.add_capture(CaptureRow(url=f"http://portal.example/{name}", status=200, headers={},
                                   fetched_at=_now(), sha256=sha, via="http", kind="file"))
    return sha


def _now() -> Any:
    from govbudget.storage.fetch import utc_now

    return utc_now()


def _item(code: str | None, name: str, measure: str, amount: str, kind: str = "expenditure_summary") -> dict:
    return {"type": "line_item", "table_kind": kind, "code": code, "name": name, "measure": measure,
            "amount": amount, "unit": "万元"}


def test_diff_counts_status_tables_and_changed_amounts(catalog: Catalog) -> None:
    """On SQLite and PostgreSQL: results of two versions side by side, compared through the catalog."""
    a, b, only_old = _object(catalog, "a.pdf"), _object(catalog, "b.pdf"), _object(catalog, "c.pdf")
    doc = {"type": "document"}
    table = {"type": "table", "table_kind": "expenditure_summary"}
    catalog.save_parse_result(a, "budget-tables@0.2.0", "ok", [], [
        doc, table, _item("210", "卫生健康支出", "total", "10.00"), _item(None, "合计", "total", "10.00"),
        _item(None, "合计", "total", "5.00"), {"type": "table", "table_kind": "three_public_costs"}])
    catalog.save_parse_result(a, "budget-tables@0.10.0", "partial", ["one table failed"], [
        doc, table, _item("210", "卫生健康支出", "total", "10.0"), _item(None, "合计", "total", "10.00"),
        _item(None, "合计", "total", "6.00"), _item("21015", "医疗保障管理事务", "basic", "3.00"),
        {"type": "table", "table_kind": "income_summary"}])
    catalog.save_parse_result(b, "container@0.2.0", "failed", ["bad"], [doc])
    catalog.save_parse_result(b, "container@0.10.0", "failed", ["bad"], [doc])
    catalog.save_parse_result(only_old, "budget-tables@0.2.0", "ok", [], [doc, table])

    diff = diff_parsers(catalog, "0.2.0", "0.10.0", limit=5)
    out = diff.as_dict()
    assert out["documents"]["status_changes"] == {"ok → partial": 1}
    assert (out["documents"]["compared"], out["documents"]["only_a"], out["documents"]["only_b"]) == (2, 1, 0)
    assert out["tables"] == {"added": {"income_summary": 1}, "removed": {"three_public_costs": 1}}
    items = out["line_items"]
    assert (items["added"], items["removed"], items["changed"], items["unchanged"]) == (1, 0, 1, 2)
    [changed] = items["examples"]["changed"]
    assert (changed["sha256"], changed["name"], changed["a"]["amount"], changed["b"]["amount"]) == (
        a, "合计", "5.00", "6.00")
    [added] = items["examples"]["added"]
    assert (added["code"], added["measure"], added["a"]) == ("21015", "basic", None)
    assert added["b"] == {"amount": "3.00", "unit": "万元"}
    # a full label picks one parser; both labels of the same version compare with themselves unchanged
    same = diff_parsers(catalog, "budget-tables@0.2.0", "budget-tables@0.2.0").as_dict()
    assert same["documents"]["compared"] == 2 and not diff_parsers(catalog, "0.2.0", "0.2.0").changed
    assert [r.sha256 for r in catalog.results_by_parser("container@0.10.0")] == [b]


def test_reparse_and_diff_commands(tmp_path: Path) -> None:
    data = tmp_path / "data"
    svc = configure(Settings.from_env({}, data_dir=data))
    fetch = Fetch(url="http://portal.example/a.html", body=budget_html("a"), kind="file",
                  region_code="130400", fiscal_year=2022)
    sha = svc.archive.archive(fetch).sha256
    svc.catalog.save_parse_result(sha, "budget-tables@0.1.0", "ok", [], [{"type": "document"}])

    dry = run_cli("reparse", "--region", "130400", "--older-than", "0.2.0", "--dry-run",
                  "--data-dir", str(data))
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.strip() == "1 of 1 files would be queued in process (dry run)"
    done = run_cli("reparse", "--older-than", "0.2.0", "--json", "--data-dir", str(data))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["queued"] == 1
    assert [r.parser for r in svc.catalog.parse_results(sha)] == ["budget-tables@0.1.0", OLD]

    shown = run_cli("diff", "--parser", "0.1.0", "--parser", OLD, "--data-dir", str(data))
    assert shown.returncode == 0, shown.stderr
    assert f"0.1.0 → {OLD}: 1 documents compared (0 only in A, 0 only in B)" in shown.stdout
    assert "table added" in shown.stdout and "行政运行" in shown.stdout
    as_json = run_cli("diff", "--parser", "0.1.0", "--parser", PARSER_VERSION, "--json", "--limit", "2",
                      "--data-dir", str(data))
    result = json.loads(as_json.stdout)
    assert result["tables"]["added"] == {"expenditure_summary": 1}
    assert result["line_items"]["added"] == 13 and len(result["line_items"]["examples"]["added"]) == 2
    bad = run_cli("reparse", "--years", "2024-2020", "--data-dir", str(data))
    assert bad.returncode == 2 and "ends before it starts" in bad.stderr


@pytest.mark.integration
def test_reparse_queues_through_celery_and_a_worker_parses(
    tmp_path: Path, redis_url: str, pg_database_url: str
) -> None:
    settings = Settings.from_env({}, data_dir=tmp_path / "data", broker_url=redis_url,
                                 database_url=pg_database_url)
    svc = configure(settings)
    shas = []
    for name, region, year in FILES:
        fetch = Fetch(url=f"http://portal.example/{name}.html", body=budget_html(name), kind="file",
                      region_code=region, fiscal_year=year)
        shas.append(sha := svc.archive.archive(fetch).sha256)
        svc.catalog.save_parse_result(sha, "budget-tables@0.1.0", "ok", [], [{"type": "document"}])
    report = reparse(svc, region="130400", older_than="0.2.0")
    assert (report.queued, report.in_process, report.errors) == (2, False, {})
    assert all(_parsers(svc, sha) == ["budget-tables@0.1.0"] for sha in shas)  # queued, not parsed here

    worker = start_celery_worker(settings.to_env(), "reparse", tmp_path / "worker.log")
    try:
        deadline = time.monotonic() + 300
        while not all(len(_parsers(svc, sha)) == 2 for sha in shas[:2]):
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()[-2000:]
            time.sleep(0.5)
    finally:
        stop_process(worker)
    old = "budget-tables@0.1.0"
    assert [_parsers(svc, sha) for sha in shas] == [[old, OLD], [old, OLD], [old]]
    assert "govbudget.parse_object" in (tmp_path / "worker.log").read_text(errors="replace")
    diff = diff_parsers(svc.catalog, "0.1.0", PARSER_VERSION).as_dict()
    assert diff["documents"]["compared"] == 2
    assert diff["line_items"]["added"] == 2 * 13


def test_zip_members_are_not_selected_apart_from_their_archive(svc: Services) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("一.html", budget_html("一"))
        zf.writestr("二.html", budget_html("二"))
    fetch = Fetch(url="http://portal.example/all.zip", body=buf.getvalue(), kind="file", region_code="130400")
    sha = svc.archive.archive(fetch).sha256
    members = [e["sha256"] for e in enqueue_parse(sha)]
    assert len(members) == 2 and all(_parsers(svc, m) == [OLD] for m in members)
    report = reparse(svc, region="130400", dry_run=True)
    assert [f["sha256"] for f in report.selected] == [sha]  # its parse archives and parses them again
    assert report.considered == 1
