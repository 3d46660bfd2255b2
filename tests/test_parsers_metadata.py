"""Document metadata printed outside the header block: 单位编码 listings, 部门(单位) forms, title property."""

from __future__ import annotations

import pytest

from govbudget.corpus.build import documents, render_files
from govbudget.parsers import parse_bytes
from govbudget.parsers.file_title import file_title
from govbudget.parsers.grid import Row
from govbudget.parsers.metadata import document_meta, listed_unit_code, settle_scope


def _rows(*cells: tuple[str, ...]) -> list[Row]:
    return [Row(c, "table", {"table": 1, "row": n}) for n, c in enumerate(cells, 1)]


def test_unit_code_is_the_first_row_under_the_code_header() -> None:
    rows = _rows(("单位编码", "单位及项目名称", "金额 (万元)"), ("481", "门源县医疗保障", "63.90"),
                 ("481001", "门源县医疗保障", "63.90"))
    assert listed_unit_code(rows) == "481"


def test_a_listing_without_a_code_in_its_first_row_gives_no_unit_code() -> None:
    assert listed_unit_code(_rows(("单位编码", "名称"), ("合计", "x"))) is None
    assert listed_unit_code(_rows(("项目", "金额"), ("481", "x"))) is None


def test_generic_form_heading_decides_scope_by_the_body() -> None:
    heading = "安阳市市级预算部门(单位)整体绩效目标表"
    meta = document_meta([], heading, 1)
    assert meta["scope"] is None  # the heading alone says 部门 and 单位 at once
    for department, scope in (("安阳市社会医疗保险中心", "unit"), ("安阳市医疗保障局", "department")):
        filled = dict(meta, department=department)
        settle_scope(filled, [])
        assert filled["scope"] == scope


def test_specific_heading_wins_over_the_body_name() -> None:
    assert document_meta([], "安阳市社会医疗保险中心2021年部门预算", 1)["scope"] == "department"


def test_property_title_only_fills_a_year_nothing_printed() -> None:
    bare = document_meta([], "部门机构设置情况", 1, property_title="某局2021年部门预算")
    assert bare["fiscal_year"] == 2021
    printed = document_meta([], "某局2022年部门预算", 1, property_title="某局2021年部门预算")
    assert printed["fiscal_year"] == 2022


@pytest.fixture(scope="module")
def seed000_sheets() -> dict[str, bytes]:
    """Seed 000 as a spreadsheet, its PDF print and XLS: no page prints the year, the title property does."""
    return {f.rendering.name: f.data for f in render_files(documents(0, ["000"]), ["xls", "pdf-sheet"])}


@pytest.mark.parametrize(("name", "fmt"), [("xls", "xls"), ("pdf-sheet", "pdf")])
def test_title_property_is_read_from_pdf_and_ole(seed000_sheets: dict, name: str, fmt: str) -> None:
    assert file_title(seed000_sheets[name], fmt) == "大厂回族自治县医疗保障局2021年部门预算"


@pytest.mark.parametrize(("name", "fmt"), [("xls", "xls"), ("pdf-sheet", "pdf")])
def test_year_of_a_workbook_without_printed_year(seed000_sheets: dict, name: str, fmt: str) -> None:
    assert parse_bytes(seed000_sheets[name], filename=f"x.{fmt}").document["fiscal_year"] == 2021


def test_file_title_of_a_broken_file_is_none() -> None:
    assert file_title(b"%PDF-1.4 broken", "pdf") is None
    assert file_title(b"\xd0\xcf\x11\xe0 not ole", "xls") is None
