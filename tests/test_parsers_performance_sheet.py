"""Performance tables in the spreadsheet-exported PDF (`pdf-sheet`): every indicator, fully read.

LibreOffice does not re-fit row heights when it exports a workbook, so the renderer sets them (as
Excel's auto-fit does before a finance office exports): before that, a wrapped cell printed one line
tall and its other lines spilled over the neighbouring rows or were cut off (seed 001's indicator lists
were not in the PDF at all; 000's goals spilled above the table and replaced the project's title).
"""

from __future__ import annotations

import io
from collections import Counter

import pdfplumber
import pytest
from openpyxl import load_workbook

from govbudget.corpus.build import documents, render_files
from govbudget.corpus.render_xlsx import render_xlsx
from govbudget.corpus.scoring import indicator_key
from govbudget.corpus.seedtables import norm
from govbudget.corpus.truth_indicators import indicator_truth
from govbudget.parsers import parse_bytes
from govbudget.parsers.grid import Row
from govbudget.parsers.performance.blocks import find_performance_tables

SEEDS = ("000", "001", "002")


@pytest.fixture(scope="module")
def indicators() -> dict[str, list[dict]]:
    """Each seed rendered as pdf-sheet (LibreOffice results come from the on-disk cache) and parsed."""
    files = render_files(documents(0, list(SEEDS)), ["pdf-sheet"])
    return {f.seed_id: [r for r in parse_bytes(f.data).records if r["type"] == "indicator"] for f in files}


@pytest.mark.parametrize("seed", SEEDS)
def test_every_indicator_is_found(indicators: dict[str, list[dict]], seed: str) -> None:
    want = Counter(map(indicator_key, indicator_truth(seed)))
    got = Counter(map(indicator_key, indicators[seed]))
    assert want and not want - got, sorted(want - got, key=str)[:5]


def test_overall_grid_with_split_targets_and_wrapped_level2(indicators: dict[str, list[dict]]) -> None:
    # 000's 整体绩效: 符号|值|单位 in three cells, 二级 `社会\n效益` wrapped in a narrow column
    rows = {r["level3"]: r for r in indicators["000"] if r["table_kind"] == "overall_performance_targets"}
    got = rows["宣传知晓率"]
    assert (got["level1"], got["level2"], got["operator"], got["value"], got["value_unit"]) == (
        "部门效果", "社会效益", "≥", "90", "%")
    assert (rows["保障部门开展活动"]["raw"], rows["保障部门开展活动"]["value_unit"]) == ("=4部门", "部门")


def test_project_indicators_keep_their_project_and_target(indicators: dict[str, list[dict]]) -> None:
    by_name = {(r["project"], r["level3"]): r for r in indicators["000"]}
    cost = by_name[("法律顾问聘请费", "法律顾问月均成本")]
    assert (cost["operator"], cost["value"], cost["value_unit"]) == ("=", "833.33", "元")
    assert cost["basis"] == "劳务合同"
    repair = by_name[("办公楼维修改造项目资金", "基础设施维修维护总成本")]
    assert (repair["level1"], repair["level2"], repair["value"], repair["value_unit"]) == (
        "产出指标", "成本指标", "56.35", "万元")


def test_indicator_list_cells_are_read_from_the_sheet_pdf(indicators: dict[str, list[dict]]) -> None:
    rows = [r for r in indicators["001"] if r["level3"] == "编外长期聘用人员支出"]
    assert [(r["operator"], r["value"], r["value_unit"]) for r in rows] == [("≤", "4.5", "万")]


def test_print_rows_are_tall_enough_for_wrapped_cells() -> None:
    sheet = load_workbook(io.BytesIO(render_xlsx("001", for_print=True))).worksheets[0]
    heights = [sheet.row_dimensions[r].height for r in range(1, sheet.max_row + 1)]
    assert max(h or 0 for h in heights) >= 15 * 10  # an indicator list wraps over many lines
    data = render_files(documents(0, ["001"]), ["pdf-sheet"])[0].data
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        cells = [c or "" for page in pdf.pages for t in page.extract_tables() for row in t for c in row]
    text = norm("|".join(cells))
    assert all(norm(r["level3"]) in text for r in indicator_truth("001") if r["level3"])


def _text(line: str, n: int) -> Row:
    return Row((line,), "text", {"page": 1, "line": n})


def _grid(cells: tuple[str, ...], n: int) -> Row:
    return Row(cells, "table", {"page": 1, "row": n})


HEADER = ("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据")
ROW = ("产出指标", "数量指标", "待修缮基础设施项目", "修缮项目数", "1个", "实际需求")


def test_a_cell_spilled_above_the_grid_does_not_replace_the_title() -> None:
    rows = [_text("1.办公楼维修改造项目资金绩效目标表", 1),
            _text("通过对办公用房基础设施进行维修维护，打造基础设施完善、工作", 2),  # overflow of the goal
            _grid(HEADER, 1), _grid(ROW, 2),
            _text("9、劳务派遣人员经费", 3),  # a title without 绩效 still starts the next table
            _grid(HEADER, 3), _grid(ROW, 4)]
    tables = find_performance_tables(rows)
    assert [t.project for t in tables] == ["办公楼维修改造项目资金", "劳务派遣人员经费"]
    assert [len(t.indicators) for t in tables] == [1, 1]
