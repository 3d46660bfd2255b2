"""The scorer on hand-made truth and predictions: perfect is 1.0, each mistake costs what it should."""

from __future__ import annotations

import copy

import pytest

from govbudget.corpus.scoring import Tally, compare, line_item_key, score_file, summarise


def _item(code: str | None, name: str, amount: str, measure: str = "total", side: str = "expenditure",
          kind: str = "expenditure_summary") -> dict:
    return {"type": "line_item", "table_kind": kind, "side": side, "code": code, "name": name,
            "measure": measure, "amount": amount, "unit": "万元"}


DOC = {"type": "document", "department": "邯郸市医疗保障局", "fiscal_year": 2022, "phase": "budget",
       "unit_code": "207", "scope": "department", "rendering": "pdf-ruled", "format": "pdf"}
TRUTH = [
    DOC,
    _item(None, "合计", "5873.35"),
    _item("208", "社会保障和就业支出", "157.74"),
    _item("20805", "行政事业单位养老支出", "157.74"),
    _item("20805", "行政事业单位养老支出", "157.74", measure="basic"),
    _item(None, "一、一般公共预算拨款收入", "5873.35", side="income", kind="income_expenditure_summary"),
    _item("2101501", "行政运行", "1.00", measure="project"),
]


def _predicted() -> list[dict]:
    pred = copy.deepcopy(TRUTH)
    pred[0] = {**DOC, "status": "ok", "title": "another title is not scored"}
    for rec in pred[1:]:
        rec["locator"] = {"page": 3}  # locators never count
    return pred


def test_perfect_prediction_scores_one() -> None:
    score = score_file("a.pdf", TRUTH, _predicted())
    assert (score.line_items.precision, score.line_items.recall, score.line_items.f1) == (1.0, 1.0, 1.0)
    assert all(score.metadata.values()) and len(score.metadata) == 5
    assert score.fmt == "pdf-ruled" and score.status == "ok"
    assert score.indicators is None and score.facts is None  # nothing to find: n/a, not 0 or 1


def test_a_missing_item_lowers_recall_by_one_over_n() -> None:
    pred = _predicted()
    dropped = pred.pop(3)
    score = score_file("a.pdf", TRUTH, pred)
    n = len(TRUTH) - 1
    assert score.line_items.recall == pytest.approx((n - 1) / n)
    assert score.line_items.precision == 1.0
    assert score.missed == [line_item_key(dropped)]


def test_a_wrong_amount_is_one_miss_and_one_false_positive() -> None:
    pred = _predicted()
    pred[2]["amount"] = "157.47"
    t = score_file("a.pdf", TRUTH, pred).line_items
    n = len(TRUTH) - 1
    assert (t.tp, t.fp, t.fn) == (n - 1, 1, 1)
    assert t.f1 == pytest.approx(2 * (n - 1) / (2 * (n - 1) + 2))


def test_a_duplicate_emission_is_a_false_positive() -> None:
    pred = [*_predicted(), _item("208", "社会保障和就业支出", "157.74")]
    t = score_file("a.pdf", TRUTH, pred).line_items
    assert (t.fp, t.fn, t.recall) == (1, 0, 1.0)


def test_amounts_compare_as_numbers_and_names_without_whitespace() -> None:
    pred = _predicted()
    pred[6]["amount"] = "1"  # an XLSX cell of a printed 1.00
    pred[5]["name"] = "一、一般公共预算 拨款收入"
    pred[5]["code"] = None
    assert score_file("a.xlsx", TRUTH, pred).line_items.f1 == 1.0


def test_a_coded_row_matches_by_code_even_if_the_name_differs() -> None:
    pred = _predicted()
    pred[3]["name"] = "行政事业单位养老"  # truncated name, right code: the number is still right
    assert score_file("a.pdf", TRUTH, pred).line_items.recall == 1.0


def test_metadata_fields_scored_separately() -> None:
    pred = _predicted()
    pred[0]["fiscal_year"] = 2021
    pred[0]["department"] = "邯郸市 医疗保障局"  # whitespace is not an error
    meta = score_file("a.pdf", TRUTH, pred).metadata
    assert meta == {"department": True, "fiscal_year": False, "phase": True, "unit_code": True, "scope": True}


def test_a_failed_parse_scores_zero_recall_and_f1() -> None:
    failed = [{"type": "document", "status": "failed", "errors": ["broken"]}]
    score = score_file("a.pdf", TRUTH, failed)
    assert score.line_items.recall == 0.0 and score.line_items.f1 == 0.0
    assert score.line_items.precision is None
    assert score.status == "failed"


def test_indicator_recall_counts_found_targets() -> None:
    ind = {"type": "indicator", "table_kind": "performance_targets", "project": "医保基金监管",
           "level3": "检查覆盖率", "raw": "≥95百分比", "basis": None}
    other = {**ind, "level3": "群众满意度", "raw": "≥90%"}
    truth = [DOC, ind, other]
    pred = [{**DOC, "status": "ok"}, {**ind, "raw": "≥95 百分比", "operator": "≥", "value": "95"},
            {**other, "raw": "≥80%"}]
    score = score_file("p.pdf", truth, pred)
    assert score.indicators is not None and score.indicators.recall == 0.5
    assert score.line_items.f1 is None  # no line items anywhere: n/a


def test_summary_is_micro_averaged_per_format_and_overall() -> None:
    perfect = score_file("a.pdf", TRUTH, _predicted())
    half = _predicted()[:4]  # 3 of 6 items
    partial = score_file("b.docx", TRUTH, half, fmt="docx")
    overall, by_format = summarise([perfect, partial])
    assert list(by_format) == ["docx", "pdf-ruled"]
    assert by_format["docx"].line_items.recall == 0.5
    assert overall.line_items.recall == pytest.approx(9 / 12)
    assert overall.files == 2 and overall.metadata_accuracy == 1.0


def test_compare_reports_misses_and_extras() -> None:
    tally, missed, extra = compare([("a",), ("a",), ("b",)], [("a",), ("c",)])
    assert tally == Tally(tp=1, fp=1, fn=2)
    assert missed == [("a",), ("b",)] and extra == [("c",)]


def test_coverage_is_the_parses_own_checks_min_and_mean_over_files() -> None:
    from govbudget.corpus.scoring import coverage_line

    def parse(name: str, ratio: float | None, checks: list[tuple[int, int]]) -> dict:
        runs = [{"type": "check", "check": "coverage", "ok": a == e, "subject": "income_summary",
                 "table_locator": {"page": 3, "row": 1}, "expected": e, "actual": a} for a, e in checks]
        return score_file(name, TRUTH, [{**DOC, "status": "ok", "coverage": ratio}, *TRUTH[1:], *runs])

    whole, gap, unmeasured = (parse("a.pdf", 1.0, [(9, 9)]), parse("b.pdf", 0.75, [(3, 4), (0, 0)]),
                              parse("c.pdf", None, []))
    assert (gap.coverage, gap.coverage_read, gap.coverage_printed) == (0.75, 3, 4)
    assert gap.coverage_gaps == ["income_summary page 3 row 1: read 3 of 4"]
    overall, _ = summarise([whole, gap, unmeasured])
    c = overall.as_dict()["coverage"]
    assert (c["files"], c["min"], c["mean"], c["read"], c["printed"], c["below_full"]) == (
        2, 0.75, 0.875, 12, 13, ["b.pdf"])
    assert coverage_line(overall).endswith("1 below 100%: b.pdf")
    assert coverage_line(summarise([unmeasured])[0]) == "coverage: no table measured"
