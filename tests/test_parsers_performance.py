"""Performance tables: target parsing (hand-written cases) and indicator recall on the rendered seeds."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

import pytest

from govbudget.corpus.render_pdf import render_pdf
from govbudget.corpus.render_xlsx import render_xlsx
from govbudget.corpus.truth_indicators import indicator_truth
from govbudget.parsers import ParseOutcome, parse_bytes
from govbudget.parsers.performance import parse_target
from govbudget.parsers.performance.cell_list import cell_indicators

FIELDS = ("table_kind", "project", "level1", "level2", "level3", "description", "raw", "basis")


@cache
def parsed(seed: str, fmt: str) -> ParseOutcome:
    return parse_bytes(render_pdf(seed) if fmt == "pdf" else render_xlsx(seed))


def _key(r: dict) -> tuple:
    return tuple(re.sub(r"\s+", "", r.get(f) or "") for f in FIELDS)


@pytest.mark.parametrize(("raw", "op", "value", "unit", "kind"), [
    ("≥95百分比", "≥", "95", "%", "percent"),
    ("≤4万元", "≤", "4", "万元", "numeric"),
    ("833.33元", "=", "833.33", "元", "numeric"),
    ("100%", "=", "100", "%", "percent"),
    ("≥99比例", "≥", "99", "%", "percent"),
    ("≤90比率", "≤", "90", "%", "percent"),
    ("≥2 次", "≥", "2", "次", "numeric"),
    (">=3次", "≥", "3", "次", "numeric"),
    ("=1套", "=", "1", "套", "numeric"),
    ("<10%", "<", "10", "%", "percent"),
    ("1人 ", "=", "1", "人", "numeric"),
    ("≤2元/册", "≤", "2", "元/册", "numeric"),
    (r"<math>\geq 90\%</math>", "≥", "90", "%", "percent"),
    (r"<math>\leq 4.5</math>万", "≤", "4.5", "万", "numeric"),
    ("显著提升", None, "显著提升", None, "qualitative"),
    ("不涉及", None, "不涉及", None, "not_applicable"),
    ("在2021年12月31日前完成", None, "2021-12-31", None, "date"),
    ("12月份", None, "--12", None, "date"),
    ("", None, None, None, "empty"),
])
def test_parse_target(raw: str, op: str | None, value: str | None, unit: str | None, kind: str) -> None:
    assert parse_target(raw) == {"operator": op, "value": value, "value_unit": unit, "value_kind": kind}


def test_cell_list_without_paragraph_marks() -> None:
    """A PDF glues 001's `<p>` paragraphs: items are split by their expected ordinals."""
    text = ("一、产出指标(一) 数量指标1.离休干部人数 6人2. 检查次数 ≥6次"
            "(四) 成本指标1. 报销成本 ≤17.8万元二、满意度指标1. 满意度 ≥90%")
    items = [(i.level1, i.level2, i.level3, i.raw) for i in cell_indicators(text)]
    assert items == [
        ("产出指标", "数量指标", "离休干部人数", "6人"),
        ("产出指标", "数量指标", "检查次数", "≥6次"),
        ("产出指标", "成本指标", "报销成本", "≤17.8万元"),
        ("满意度指标", None, "满意度", "≥90%"),
    ]


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_indicator_recall(seed: str, fmt: str) -> None:
    got = Counter(_key(r) for r in parsed(seed, fmt).records if r["type"] == "indicator")
    want = Counter(_key(r) for r in indicator_truth(seed))
    recall = sum((got & want).values()) / sum(want.values())
    assert recall >= 0.98, sorted((want - got).elements())[:5]
    assert sum((got - want).values()) <= 0.02 * sum(want.values()), sorted((got - want).elements())[:5]


def test_indicator_fields_of_seed002_pdf() -> None:
    inds = [r for r in parsed("002", "pdf").records if r["type"] == "indicator"]
    fragment = next(r for r in inds if r["level3"] == "医疗救助对象覆盖范围")
    tail = "份资助参加城乡居民医疗保险共有 95565 人，"
    assert fragment["basis"] == "根据民政提供数据，截止到 2021 年 10 月" + tail
    row = next(r for r in inds if r["level3"] == "资助参保人次数")
    assert (row["operator"], row["value"], row["value_unit"], row["raw"]) == ("≥", "95565", "人", "≥95565 人")
    na = [r for r in inds if r["raw"] == "不涉及"]
    assert len(na) == 2 and all(r["value_kind"] == "not_applicable" for r in na)
    assert {r["level1"] for r in inds} == {"产出指标", "效益指标", "满意度指标"}  # forward-filled


def test_project_tables_of_seed002() -> None:
    tables = [r for r in parsed("002", "pdf").records
              if r["type"] == "table" and r["table_kind"] == "performance_targets"]
    assert [(t["project"], t["project_prefix"]) for t in tables][:3] == [
        ("医疗保障管理和业务工作经费", None), ("信息网络建设运行和维护费", "FM"),
        ("医疗保障管理和业务工作经费", "FM")]
    assert tables[3]["goals"] == ["确保全国统一医保信息平台市级系统安全平稳运行。",
                                  "DRG 支付方式改革扩面、实现定点医院全覆盖。",
                                  "严厉打击欺诈骗保，对定点医药机构检查全覆盖。"]


def test_split_target_columns_and_project_sheet() -> None:
    overall = [r for r in parsed("000", "pdf").records
               if r["type"] == "indicator" and r["table_kind"] == "overall_performance_targets"]
    first = overall[0]
    assert (first["raw"], first["operator"], first["value"], first["value_unit"], first["basis"]) == (
        "=4部门", "=", "4", "部门", "三定方案")
    sheet = [r for r in parsed("004", "xlsx").records if r["type"] == "table"]
    amounts = [(t.get("project"), t.get("project_amount"))
               for t in sheet if t["table_kind"] == "performance_targets"]
    assert amounts == [("离休干部医疗费", "3000.00"), ("城乡居民医疗保险市级财政补助", "6671.30"),
                       ("医保信息化建设（启动DRGs）", "150.00")]
    overall_004 = next(t for t in sheet if t["table_kind"] == "overall_performance_targets")
    assert overall_004["department"] == "安阳市社会医疗保险中心"


def test_seed001_projects_and_latex_targets() -> None:
    recs = parsed("001", "pdf").records
    tables = [r for r in recs if r["type"] == "table"]
    assert [(t["project"], t["project_amount"]) for t in tables] == [
        ("离休干部药费", "30.00"), ("医疗保险征收发放工作经费", "8.00"), ("第三方代理记账", "3.60"),
        ("医疗保险网络运行维护费", "17.80"), ("编外长期聘用人", "4.5")]
    latex = [r for r in recs if r["type"] == "indicator" and "<math>" in r["raw"]]
    assert [(r["operator"], r["value"], r["value_unit"]) for r in latex] == [
        ("≥", "90", "%"), ("≥", "90", "%"), ("≤", "4.5", "万")]


def test_template_garbage_is_flagged_not_dropped() -> None:
    recs = parsed("003", "pdf").records
    guid = "AF2AD8E6-A8CA-00E0-E053-0A20000DCEDF"
    assert any(r["type"] == "indicator" and r["level3"] == guid for r in recs)
    checks = [r for r in recs if r["type"] == "check" and r["check"].startswith("indicator_")]
    by_name = Counter(c["check"] for c in checks)
    assert by_name["indicator_template_guid"] == 1
    assert by_name["indicator_value_is_description"] == 5  # 城乡医疗救助: 指标值 repeats 描述
    same = {c["subject"] for c in checks if c["check"] == "indicator_same_value_everywhere"}
    assert same == {"劳务派遣人员经费", "人事代理经费"}
    assert all(c["ok"] is False for c in checks)
