"""Document metadata read from the document, each field with its source (`meta_source`), and the
`metadata_agrees` check against what the crawl's link said (issue #16 item 3).

Inputs are small synthetic pages and workbooks, one per rule; each asserts what the parse emits.
"""

from __future__ import annotations

import io
import json

import openpyxl

from govbudget.parsers import parse_bytes
from govbudget.parsers.api import with_link
from govbudget.parsers.checks.agreement import CHECK, same
from govbudget.parsers.cover import cover_meta
from govbudget.parsers.meta_text import org_in_title, phase_in, year_in
from govbudget.parsers.readers.html_title import title_part
from govbudget.storage.rows import Row
from govbudget.tasks.parse_task import _link_hints

SUMMARY = """<table border="1">
<tr><th>项目</th><th>预算数</th><th>项目</th><th>预算数</th></tr>
<tr><td>一、一般公共预算拨款收入</td><td>254.61</td><td>一、社会保障和就业支出</td><td>254.61</td></tr>
<tr><td>收入总计</td><td>254.61</td><td>支出总计</td><td>254.61</td></tr>
</table>"""


def _page(body: str, title: str = "某市人民政府门户网站", head: str = "") -> bytes:
    return (f'<html><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
            f"<body>{body}</body></html>").encode()


def _doc(data: bytes, name: str = "page.html", **kw: object) -> dict:
    return parse_bytes(data, filename=name, **kw).document  # type: ignore[arg-type]


def _checks(data: bytes, hints: dict | None) -> list[dict]:
    records = parse_bytes(data, filename="page.html", hints=hints).records
    return [r for r in records if r.get("check") == CHECK]


# ---- a year in a comparison is not the document's year ------------------------------------------

def test_a_year_compared_with_is_not_the_documents_year() -> None:
    page = _page("<p>预算公开说明</p>"
                 "<p>本部门收入预算较2018年预算增加12.00万元，上年结转资金5.00万元。</p>"
                 "<p>2019年部门预算收入合计100.00万元。</p>")
    doc = _doc(page)
    assert doc["fiscal_year"] == 2019
    assert doc["meta_source"]["fiscal_year"] == "narrative"


def test_comparison_clauses_name_no_year() -> None:
    assert year_in("较2018年预算增加366.63万元") is None
    assert year_in("比上年增加，2018年上年结转") is None
    assert year_in("2019年预算收支安排1200.18万元，较2018年预算增加366.63万元") == 2019


# ---- the body named in a title or a table's first line -------------------------------------------

def test_department_and_scope_from_a_tables_first_line() -> None:
    page = _page("<p>一、秦皇岛市北戴河区医疗保障局（本级）收支预算</p><p>单位预算收支总表</p>"
                 "<p>预算年度：2021</p><p>单位：万元</p>" + SUMMARY)
    doc = _doc(page)
    assert doc["department"] == "秦皇岛市北戴河区医疗保障局（本级）"
    assert doc["scope"] == "unit"
    assert doc["fiscal_year"] == 2021
    assert doc["meta_source"]["department"] == "title"
    assert doc["meta_source"]["fiscal_year"] == "header"


def test_org_in_title_needs_a_body_before_what_the_document_is() -> None:
    assert org_in_title("江苏省委办公厅 2017 年度部门预算") == "江苏省委办公厅"
    assert org_in_title("上海市普陀区2025年区级部门预算") is None  # a region is no body
    assert org_in_title("单位预算收支总表") is None


def test_cover_lines_give_body_year_and_phase() -> None:
    assert cover_meta(["上海市普陀区财政局", "年度部门决算", "2024"]) == {
        "department": "上海市普陀区财政局", "fiscal_year": 2024, "phase": "final"}
    labelled = cover_meta(["上海市普陀区2025年区级单位预算", "预算单位：上海市普陀区人民政府办公室"])
    assert labelled["department"] == "上海市普陀区人民政府办公室"


# ---- an HTML page's generic <title> --------------------------------------------------------------

def test_a_portals_name_is_not_the_document_title() -> None:
    doc = _doc(_page("<p>收支预算总表</p><p>单位：万元</p>" + SUMMARY))
    assert doc["title"] == "收支预算总表"
    assert doc["phase"] == "budget"


def test_the_article_heading_is_the_title_with_its_phase() -> None:
    page = _page("<div>首页</div><div>政务公开</div><h1>某某区财政局2022年部门决算公开</h1><p>正文如下。</p>")
    doc = _doc(page)
    assert doc["title"] == "某某区财政局2022年部门决算公开"
    assert (doc["phase"], doc["fiscal_year"], doc["department"]) == ("final", 2022, "某某区财政局")
    assert doc["meta_source"]["title"] == "file_title"


def test_a_page_opening_with_menus_is_titled_by_its_own_title() -> None:
    doc = _doc(_page("<div>财政部微信</div><div>移动客户端</div>", title="数据统计_某部门户网站"))
    assert doc["title"] == "数据统计"
    assert doc["meta_source"]["title"] == "file_title"


def test_a_column_of_both_phases_names_no_phase() -> None:
    assert phase_in("省级预决算公开专栏") is None
    assert phase_in("2021年部门预算和决算") is None
    assert phase_in("一般公共预算财政拨款支出决算表") == "final"


def test_the_portals_name_is_cut_from_an_article_title() -> None:
    assert title_part("某局2021年部门预算公开_某区人民政府") == "某局2021年部门预算公开"
    assert title_part("财政信息 广东省人民政府门户网站") == "财政信息"
    assert title_part("某区政府信息公开") is None


# ---- a performance spreadsheet's year ------------------------------------------------------------

def test_a_performance_sheet_takes_its_year_from_its_header_cells() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["项目绩效目标表"], ["", "", "(2021)年度"], ["项目名称", "离休干部医疗费"],
                ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
                ["", "产出指标", "数量指标", "享受待遇人数", "≤550人"],
                ["", "效益指标", "社会效益指标", "覆盖率较2020年提高", "≥95%"]):
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    out = parse_bytes(buf.getvalue(), filename="perf.xlsx")
    assert out.document["fiscal_year"] == 2021
    assert out.document["meta_source"]["fiscal_year"] == "table_header"
    assert [r["fiscal_year"] for r in out.records if r["type"] == "table"] == [2021]


# ---- the file against the crawl's link -----------------------------------------------------------

ARTICLE = _page("<h1>北戴河区医疗保障局2021年部门预算</h1><p>现将2021年部门预算公开如下。</p>")


def test_a_link_that_disagrees_is_kept_and_the_check_fails() -> None:
    out = parse_bytes(ARTICLE, filename="a.html", hints={"link_text": "北戴河区医疗保障局2020年部门决算"})
    doc = out.document
    assert (doc["fiscal_year"], doc["phase"]) == (2021, "budget")  # the file's own values stay
    assert doc["link_meta"]["fiscal_year"] == 2020 and doc["link_meta"]["phase"] == "final"
    [chk] = [r for r in out.records if r.get("check") == CHECK]
    assert chk["ok"] is False
    body = "北戴河区医疗保障局"
    assert json.loads(chk["expected"]) == {"fiscal_year": 2020, "phase": "final", "department": body}
    assert json.loads(chk["actual"]) == {"fiscal_year": 2021, "phase": "budget", "department": body}


def test_a_link_that_agrees_passes_abbreviations_included() -> None:
    [chk] = _checks(ARTICLE, {"link_text": "区医保局2021年部门预算", "fiscal_year": 2021})
    assert chk["ok"] is True
    assert same("department", "中国共产党江苏省委员会办公厅", "中共江苏省委办公厅")
    assert not same("department", "北戴河区医疗保障局", "北戴河区财政局")


def test_no_link_no_check() -> None:
    assert _checks(ARTICLE, None) == []
    assert "link_meta" not in _doc(ARTICLE)


def test_a_field_the_file_leaves_open_comes_from_the_link_and_says_so() -> None:
    out = parse_bytes(_page("<p>收支预算总表</p>" + SUMMARY), filename="t.html",
                      hints={"link_text": "某局2023年部门预算", "fiscal_year": 2023})
    assert out.document["fiscal_year"] == 2023
    assert out.document["meta_source"]["fiscal_year"] == "link_text"


def test_the_parse_task_passes_the_captures_link() -> None:
    capture = Row(url="http://x/a.pdf", link_text="某局2021年部门预算", fiscal_year=2021, phase="budget",
                  department="某局", title="t")
    assert _link_hints(capture) == {"link_text": "某局2021年部门预算", "fiscal_year": 2021, "phase": "budget",
                                    "department": "某局"}
    assert _link_hints(None) is None
    out = parse_bytes(ARTICLE, filename="a.html")
    assert with_link(out, _link_hints(capture)).records[-1]["check"] == CHECK


def _workbook(*lines: str, title: str) -> bytes:
    wb = openpyxl.Workbook()
    wb.properties.title = title
    for row in ([x] for x in lines):
        wb.active.append(row)
    for row in (["项目", "预算数", "项目", "预算数"], ["收入总计", "254.61", "支出总计", "254.61"]):
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_stale_title_property_never_outranks_what_is_printed() -> None:
    stale = "2018年部门预算公开模板"  # left over from last year's template
    doc = parse_bytes(_workbook("某局2019年部门收支预算总表", title=stale), filename="t.xlsx").document
    assert doc["fiscal_year"] == 2019
    assert doc["meta_source"]["fiscal_year"] != "file_title"
    data = _workbook("附件1", "某局2019年部门收支预算总表", title=stale)
    doc = parse_bytes(data, filename="t.xlsx").document
    assert (doc["title"], doc["fiscal_year"]) == ("某局2019年部门收支预算总表", 2019)
    assert doc["meta_source"]["title"] == "title"
