"""Typed records (parsers/records.py): builders emit declared shapes; export columns are the classes'."""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from openpyxl import Workbook

from govbudget.exports.fields import RESOURCE_BY_TYPE, record_fields
from govbudget.parsers import ParseOutcome, parse_bytes
from govbudget.parsers.outcome import document_record
from govbudget.parsers.records import (
    BY_TYPE,
    OMIT,
    Check,
    Indicator,
    LineItem,
    Record,
    Table,
    col,
    field_names,
    fields_of,
)

# A 支出总表 (one sum off), a narrative sentence and a project's performance grid: every record type.
_ROWS = [
    ("部门支出总表",), ("单位：万元",),
    ("科目编码", "科目名称", "合计", "基本支出", "项目支出"),
    ("201", "一般公共服务支出", "100.00", "60.00", "40.00"),
    ("", "合计", "100.00", "60.00", "41.00"),
    (),
    ("本部门2022年支出预算总额100.00万元，其中基本支出60.00万元。",),
    (),
    ("1、办公楼维修项目绩效目标表",),
    ("项目名称", "办公楼维修"),
    ("项目资金", "年度资金总额", "20.00"),
    ("一级指标", "二级指标", "三级指标", "指标值"),
    ("产出指标", "数量指标", "维修面积", "≥500平方米"),
    ("", "质量指标", "验收合格率", "100%"),
]


@pytest.fixture(scope="module")
def parsed() -> ParseOutcome:
    wb = Workbook()
    for r in _ROWS:
        wb.active.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return parse_bytes(buf.getvalue(), filename="records.xlsx")


def test_every_record_a_parse_emits_has_only_fields_its_class_declares(parsed: ParseOutcome) -> None:
    seen = {r["type"] for r in parsed.records}
    assert seen == set(BY_TYPE)  # document, table, line_item, indicator, fact, check
    for r in parsed.records:
        declared = {"type", *field_names(BY_TYPE[r["type"]])}
        assert set(r) <= declared, (r["type"], set(r) - declared)
        assert next(iter(r)) == "type"


def test_as_dict_leaves_out_the_fields_a_record_does_not_carry(parsed: ParseOutcome) -> None:
    tables = {r["table_kind"]: r for r in parsed.records if r["type"] == "table"}
    budget, project = tables["expenditure_summary"], tables["performance_targets"]
    assert budget["declared_empty"] is False and "goals" not in budget and "project" not in budget
    assert "declared_empty" not in project
    assert (project["project"], project["project_amount"], project["goals"]) == ("办公楼维修", "20.00", [])
    checks = [r for r in parsed.records if r["type"] == "check"]
    assert {"parts"} <= set(next(c for c in checks if c["check"] == "columns_sum"))
    assert "parts" not in next(c for c in checks if c["check"] == "children_sum")


def test_the_document_record_keeps_its_shape() -> None:
    doc = document_record(sha256="ab", fmt="pdf", parser="p@1", status="ok", errors=[], meta={"pages": 3})
    assert list(doc)[:15] == ["type", "sha256", "format", "title", "department", "unit_code", "scope",
                              "fiscal_year", "phase", "region_code", "pages", "parser", "status", "errors",
                              "coverage"]
    assert doc["pages"] == 3 and doc["errors"] == [] and "region_source" not in doc


def test_a_field_the_schema_does_not_know_is_refused_and_records_are_frozen() -> None:
    with pytest.raises(TypeError):
        Check(doc="d", check="cross_table", ok=True, subject="201", expected="1", actual="1", colour="red")
    with pytest.raises(TypeError):  # a field every line item carries cannot be left out
        LineItem(doc="d", table_kind="expenditure_summary", side="expenditure")
    rec = Indicator(doc="d", table_kind="performance_targets", project=None, project_amount=None, level1=None,
                    level2=None, level3="x", description=None, operator=None, value=None, value_unit=None,
                    value_kind="empty", raw="", basis=None, locator=None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rec.raw = "changed"  # type: ignore[misc]
    assert Check(doc="d", check="c", ok=False, subject=1, expected=1, actual=2, locator=OMIT).as_dict() == {
        "type": "check", "doc": "d", "check": "c", "ok": False, "subject": 1, "expected": 1, "actual": 2}


def test_the_exports_columns_are_the_record_classes_fields() -> None:
    for rtype, cls in BY_TYPE.items():
        names = [f.name for f in RESOURCE_BY_TYPE[rtype].fields]
        own = [c.name for c in fields_of(cls)]
        assert [n for n in names if n in own] == own, rtype  # every declared column, in declared order
    assert [f.name for f in RESOURCE_BY_TYPE["table"].fields if f.name in ("table_kind", "goals")] == [
        "table_kind", "goals"]
    assert next(f for f in RESOURCE_BY_TYPE["line_item"].fields if f.name == "measure").values


def test_a_field_declared_with_a_column_becomes_an_export_column() -> None:
    @dataclass(frozen=True, kw_only=True)
    class Tagged(Table):
        TYPE: ClassVar[str] = "table"
        source_page: int | None = field(default=None, metadata=col("integer", "the page the title is on"))

    columns = record_fields(Tagged)
    assert columns[-1].name == "source_page" and columns[-1].kind == "integer"
    rec: dict[str, Any] = Tagged(doc="d", table_kind="other", title="t", unit=None, department=None,
                                 unit_code=None, source_page=4).as_dict()
    assert rec["source_page"] == 4 and Tagged.FIELDS[-1].name == "source_page" and issubclass(Tagged, Record)
