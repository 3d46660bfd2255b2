"""The `coverage` check: every amount printed in a table's region is a line item, or is listed as missed."""

from __future__ import annotations

import io
from typing import Any

import pytest

from govbudget.parsers import parse_bytes
from govbudget.parsers.checks.coverage import (
    coverage_checks,
    coverage_errors,
    document_coverage,
    printed_amounts,
)
from govbudget.parsers.grid import Row
from govbudget.parsers.tables.interpret import interpret
from govbudget.parsers.tables.segments import RawTable, find_tables

REALDOCS = "tests/data/realdocs"


def _rows(lines: list[tuple[str, ...]], page: int = 1) -> list[Row]:
    return [Row(cells, "text" if len(cells) == 1 else "table", {"page": page, "row": n})
            for n, cells in enumerate(lines, 1)]


# 序号 and 科目编码 hold numbers that are not money; 人数 is a count; 增长率 prints a percentage
PROCUREMENT = _rows([
    ("一般公共预算支出表",),
    ("单位：万元",),
    ("序号", "科目编码", "科目名称", "合计", "基本支出", "项目支出", "人数"),
    ("栏次", "", "", "1", "2", "3", "4"),
    ("1", "201", "一般公共服务支出", "1,100.00", "600.00", "500.00", "12"),
    ("2", "2010101", "行政运行", "1,100.00", "600.00", "-", "12"),
    ("3", "", "合计", "1,100.00", "600.00", "500.00", "12"),
])


@pytest.fixture(scope="module")
def table() -> tuple[RawTable, dict[str, Any], list[dict[str, Any]]]:
    (raw,), _ = find_tables(PROCUREMENT)
    result = interpret(raw, doc="d", defaults={})
    assert not result.errors
    return raw, result.table, result.items


def test_printed_amounts_leave_out_row_numbers_codes_and_counts_by_their_headers(table: Any) -> None:
    raw, _, _ = table
    printed, excluded = printed_amounts(raw)
    assert [p.text for p in printed] == ["1,100.00", "600.00", "500.00", "1,100.00", "600.00", "-",
                                         "1,100.00", "600.00", "500.00"]
    assert printed[0].locator == {"page": 1, "row": 5, "col": 4}
    assert excluded == {"row_number": 3, "code": 2, "quantity": 3}  # left out, but counted


def test_a_table_read_whole_is_ok_at_one(table: Any) -> None:
    raw, record, items = table
    (check,) = coverage_checks([(raw, dict(record))], items, doc="d")
    assert (check["check"], check["ok"], check["expected"], check["actual"], check["ratio"]) == (
        "coverage", True, 9, 9, 1.0)
    assert check["subject"] == "general_budget_expenditure" and check["missed"] == []
    assert check["table_locator"] == {"page": 1, "row": 1} and check["table_title"] == "一般公共预算支出表"
    assert coverage_errors([check]) == [] and document_coverage([check]) == 1.0


def test_an_amount_without_its_line_item_is_missed_with_text_and_locator(table: Any) -> None:
    raw, record, items = table
    lost = next(i for i in items if i["locator"] == {"page": 1, "row": 6, "col": 6})
    record = dict(record)
    (check,) = coverage_checks([(raw, record)], [i for i in items if i is not lost], doc="d")
    assert (check["ok"], check["expected"], check["actual"]) == (False, 9, 8)
    assert check["missed"] == [{"text": "-", "locator": {"page": 1, "row": 6, "col": 6}}]
    assert record["coverage"] == pytest.approx(8 / 9)
    assert coverage_errors([check]) == [
        "table general_budget_expenditure on page 1 row 1: read 8 of 9 amounts"]


def test_an_amount_in_a_row_taken_for_a_header_counts_as_printed() -> None:
    """Header rows count decimals (data the table lost), never their column numbers or years."""
    rows = _rows([
        ("一般公共预算支出表",),
        ("科目名称", "2019年预算数", "合计"),
        ("合计", "5,227.59", "1"),  # no 栏次 row: a header-like row holding an amount
    ])
    (raw,), _ = find_tables(rows)
    raw.segments[0].header_rows.append(raw.segments[0].data_rows.pop(0))
    printed, _ = printed_amounts(raw)
    assert [p.text for p in printed] == ["5,227.59"]


def test_no_table_means_no_coverage() -> None:
    assert document_coverage([]) is None


def _sheet_with_an_unheaded_column() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "支出"
    for line in (
        ["一般公共预算支出表"],
        ["单位：万元"],
        ["科目编码", "科目名称", "合计", "基本支出", "项目支出", None],
        ["201", "一般公共服务支出", "100.00", "60.00", "40.00", None],
        ["2010101", "行政运行", "100.00", "60.00", "40.00", "12.50"],
        [None, "合计", "100.00", "60.00", "40.00", None],
    ):
        ws.append(line)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_parse_bytes_marks_a_document_partial_when_a_printed_amount_is_not_read() -> None:
    """An amount printed under no header is read by no column, so the table says it missed it."""
    out = parse_bytes(_sheet_with_an_unheaded_column(), filename="budget.xlsx")
    (check,) = [r for r in out.records if r.get("check") == "coverage"]
    assert (check["expected"], check["actual"]) == (10, 9)
    assert check["missed"] == [{"text": "12.50", "locator": {"sheet": "支出", "row": 5, "col": 6}}]
    assert out.status == "partial"
    assert out.document["coverage"] == pytest.approx(0.9)
    assert "table general_budget_expenditure on sheet 支出 row 1: read 9 of 10 amounts" in out.errors
    (table_record,) = [r for r in out.records if r["type"] == "table"]
    assert table_record["coverage"] == pytest.approx(0.9)


@pytest.fixture(scope="module")
def real() -> Any:
    with open(f"{REALDOCS}/js_2018_swbgt_tables.pdf", "rb") as fh:
        return parse_bytes(fh.read(), filename="js_2018_swbgt_tables.pdf")


def test_every_table_of_a_real_file_is_measured_and_the_document_sums_them(real: Any) -> None:
    tables = [r for r in real.records if r["type"] == "table"]
    checks = [r for r in real.records if r.get("check") == "coverage"]
    assert len(checks) == len(tables) > 0
    read = {tuple(sorted(i["locator"].items())) for i in real.records if i["type"] == "line_item"}
    for c in checks:
        assert c["actual"] + len(c["missed"]) == c["expected"]
        assert c["ok"] == (c["actual"] == c["expected"])
        assert all(tuple(sorted(m["locator"].items())) not in read for m in c["missed"])
    printed = sum(c["expected"] for c in checks)
    assert real.document["coverage"] == pytest.approx(sum(c["actual"] for c in checks) / printed)
    below = [c for c in checks if not c["ok"]]
    if below:
        assert real.status == "partial"
    for c in below:
        assert any(e.endswith(f"read {c['actual']} of {c['expected']} amounts") for e in real.errors)


def test_rows_a_table_lost_after_its_last_row_are_in_its_region_until_the_next_title() -> None:
    """A continuation cut off by a line printed above its grid is measured; prose and titles end it."""
    from govbudget.parsers.tables.segments import Segment

    stream = _rows([
        ("政府采购支出预算表",),
        ("项目", "采购组织形式", "总计"),
        ("合计", "", "5,227.59"),
        ("16",),  # a page number
        ("会议费 110.05",),  # a row printed above the next page's grid
        ("", "分散自行组织", "110.05"),
        ("7", "部门集中采购", "370"),  # ordinals and whole numbers: the strict rule leaves them out
        ("三、项目支出绩效目标表",),
        ("", "年度目标", "120.00"),
    ])
    raw = RawTable(kind="government_procurement", title="政府采购支出预算表", title_row=stream[0],
                   segments=[Segment(header_rows=[stream[1]], data_rows=[stream[2]], closed_header=True)])
    taken = {tuple(sorted((k, str(v)) for k, v in r.locator.items())) for r in raw.all_rows()}
    printed, _ = printed_amounts(raw, stream, taken)
    assert [(p.text, p.locator) for p in printed] == [
        ("5,227.59", {"page": 1, "row": 3, "col": 3}),
        ("110.05", {"page": 1, "row": 5, "col": 2}),  # the line's second word
        ("110.05", {"page": 1, "row": 6, "col": 3}),
    ]
    sentence = "本部门2019年预算收支总计37188.34万元，比上年增加1000.00万元，主要原因是人员增加。"
    prose = [*stream[:3], Row((sentence,), "text", {"page": 1, "row": 4}), stream[5]]
    printed, _ = printed_amounts(raw, prose, taken)
    assert [p.text for p in printed] == ["5,227.59"]


def test_performance_target_tables_are_counted_as_not_measured() -> None:
    """Targets are not amounts: their tables carry `coverage: null` and the document counts them."""
    from govbudget.corpus.build import documents, render_files

    (file,) = render_files(documents(0, ["001"]), ["xlsx"])
    out = parse_bytes(file.data, filename="perf.xlsx")
    targets = [r for r in out.records if r["type"] == "table" and "performance" in r["table_kind"]]
    assert targets and all(t["coverage"] is None for t in targets)
    assert out.document["coverage_unmeasured"] == len(targets)
    assert not any(c["subject"].endswith("performance_targets") for c in out.records
                   if c.get("check") == "coverage")
