"""DOC files whose tables LibreOffice drops on import are read with antiword's DocBook output."""

from __future__ import annotations

import pytest

from govbudget.corpus.build import documents, render_files
from govbudget.parsers import parse_bytes
from govbudget.parsers.readers.convert import antiword_rows, convert
from govbudget.parsers.readers.docx import read_docx

PROJECTS = ["离休干部药费", "医疗保险征收发放工作经费", "第三方代理记账", "医疗保险网络运行维护费",
            "编外长期聘用人"]


@pytest.fixture(scope="module")
def seed001_doc() -> bytes:
    """Seed 001 as DOC: one project listing that is the last block of the file (no paragraph after it)."""
    [f] = render_files(documents(0, ["001"]), ["doc"])
    return f.data


def test_libreoffice_loses_the_final_table(seed001_doc: bytes) -> None:
    # the reason for the fallback: if LibreOffice ever reads it, this test says the fallback can go
    rows = read_docx(convert(seed001_doc, "doc")).rows
    assert not [r for r in rows if r.kind == "table"]


def test_antiword_docbook_keeps_each_cell_whole(seed001_doc: bytes) -> None:
    rows = [r.cells for r in antiword_rows(seed001_doc).rows if r.kind == "table"]
    assert rows[0] == ("单位编码", "单位及项目名称", "金额 (万元)", "绩效目标", "绩效指标")
    assert [r[:3] for r in rows[3:]] == [
        ("1", PROJECTS[0], "30.00"), ("2", PROJECTS[1], "8.00"), ("3", PROJECTS[2], "3.60"),
        ("4", PROJECTS[3], "17.80"), ("5", PROJECTS[4], "4.5")]
    assert rows[3][4].startswith("一、产出指标") and "离休干部健康检查完成率 100%" in rows[3][4]


def test_doc_with_a_final_table_parses_its_projects(seed001_doc: bytes) -> None:
    outcome = parse_bytes(seed001_doc, filename="s001.doc")
    projects = [r["project"] for r in outcome.records if r["type"] == "table"]
    assert outcome.status != "failed"
    assert projects == PROJECTS
    assert outcome.document["unit_code"] == "481"
    assert any("read with antiword" in e for e in outcome.errors)
