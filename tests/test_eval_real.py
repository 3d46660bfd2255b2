"""`govbudget eval-real`: the hand-checked truth of the real documents and the scorer that reads it.

The truth files are checked by arithmetic (every printed sum holds, and breaking any one amount breaks
a sum), the scorer on small synthetic parses (a perfect parse scores 1.0, a dropped row or a wrong
amount is a miss), and the command once as a user runs it, on a rendered corpus file.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from govbudget.corpus.build import write_corpus
from govbudget.corpus.real_eval import (
    below_real_thresholds,
    coverage_of,
    match_line_items,
    metadata_right,
    score_real_file,
    summarise_real,
)
from govbudget.corpus.real_truth import (
    DISCREPANCIES_FILE,
    GENERAL,
    METADATA_FILE,
    PEER_FILE,
    SUMMARY,
    TRUTH_HEADER,
    TRUTH_SUFFIX,
    TruthMeta,
    TruthRow,
    consistency_errors,
    normalise_name,
    read_discrepancies,
    read_metadata,
    read_peer,
    read_truth,
)
from tests.cli_process import run_cli
from tests.test_cli_devtools import _run_without

DATA = Path(__file__).resolve().parent / "data"
DOCS, TRUTH = DATA / "realdocs", DATA / "realtruth"
TRUTH_FILES = sorted(TRUTH.glob(f"*{TRUTH_SUFFIX}"))


# --- the truth files ------------------------------------------------------------------------------

def test_every_real_document_has_truth_and_metadata() -> None:
    documents = {p.name for p in DOCS.iterdir() if p.name != "MANIFEST.tsv"}
    assert {p.name.removesuffix(TRUTH_SUFFIX) for p in TRUTH_FILES} == documents
    metadata = read_metadata(TRUTH / METADATA_FILE)
    assert set(metadata) == documents
    assert all(m.fiscal_year and m.phase in {"budget", "final"} for m in metadata.values())


ALLOWED = read_discrepancies(TRUTH / DISCREPANCIES_FILE)
_PRINTED = re.compile(r"(?<![\d,.])\d[\d,]*(?:\.\d+)?(?![\d,.])")  # a number as a page prints it


@pytest.mark.parametrize("path", TRUTH_FILES, ids=lambda p: p.name.removesuffix(TRUTH_SUFFIX))
def test_truth_file_adds_up(path: Path) -> None:
    """Income = expenditure, parts = totals, 小计 = its items, codes = their children (README), exactly,
    but for the discrepancies the document itself prints."""
    assert consistency_errors(read_truth(path), ALLOWED.get(path.name.removesuffix(TRUTH_SUFFIX), ())) == []


def test_the_listed_discrepancies_are_printed_ones() -> None:
    """Each allowance is a sum that really fails on its file (none is stale or hides a typo)."""
    for name, allowed in ALLOWED.items():
        found = {e.key() for e in consistency_errors(read_truth(TRUTH / f"{name}{TRUTH_SUFFIX}"))}
        assert allowed <= found, name


@pytest.mark.parametrize("path", TRUTH_FILES, ids=lambda p: p.name.removesuffix(TRUTH_SUFFIX))
def test_every_amount_of_the_truth_is_held_by_a_sum(path: Path) -> None:
    """A one-cent typing slip anywhere in a table is caught by the arithmetic check."""
    rows, allowed = read_truth(path), ALLOWED.get(path.name.removesuffix(TRUTH_SUFFIX), ())
    for i, row in enumerate(rows):
        slip = replace(row, amount=str(row.value + Decimal("0.01")))
        assert consistency_errors([*rows[:i], slip, *rows[i + 1:]], allowed), row


@pytest.mark.parametrize("path", [p for p in TRUTH_FILES if p.name.endswith(f".pdf{TRUTH_SUFFIX}")],
                         ids=lambda p: p.name.removesuffix(TRUTH_SUFFIX))
def test_every_truth_amount_is_printed_on_its_page(path: Path) -> None:
    """Each amount, as printed and as often as the truth has it, is in its page's text (pypdfium2)."""
    rows = read_truth(path)
    pdf = pdfium.PdfDocument(DOCS / path.name.removesuffix(TRUTH_SUFFIX))
    try:
        for page in sorted({int(r.page) for r in rows}):
            text = pdf[page - 1].get_textpage().get_text_range()
            printed = Counter(m.group() for m in _PRINTED.finditer(text))
            assert Counter(r.amount for r in rows if int(r.page) == page) - printed == Counter(), page
    finally:
        pdf.close()


def test_every_peer_value_is_in_the_truth() -> None:
    peers = read_peer(TRUTH / PEER_FILE)
    assert sum(map(len, peers.values())) == 50
    for name, values in peers.items():
        truth = {(normalise_name(r.name), r.yuan) for r in read_truth(TRUTH / f"{name}{TRUTH_SUFFIX}")
                 if r.table_kind == SUMMARY}
        assert [v for v in values if (normalise_name(v[0]), v[1]) not in truth] == [], name


# --- the scorer -------------------------------------------------------------------------------------

def _row(kind: str, side: str, code: str, name: str, measure: str, amount: str,
         unit: str = "万元") -> TruthRow:
    return TruthRow(kind, side, code, name, measure, amount, unit, "1")


TRUTH_ROWS = [
    _row(SUMMARY, "income", "", "一、财政拨款", "total", "13,649.07"),
    _row(SUMMARY, "income", "", "当年收入小计", "total", "13,649.07"),
    _row(SUMMARY, "expenditure", "", "八、社会保障和就业支出", "total", "1,608.51"),
    _row(GENERAL, "expenditure", "2080504", "未归口管理的行政单位离退休", "total", "1,608.51"),
    _row(GENERAL, "expenditure", "", "合计", "total", "13,649.07"),
]


def _parsed(row: TruthRow, **changes: object) -> dict:
    value = row.value
    rec = {"type": "line_item", "table_kind": row.table_kind, "side": row.side, "code": row.code or None,
           "name": row.name, "measure": row.measure, "amount": format(value, "f"), "unit": row.unit,
           "amount_yuan": format(row.yuan, "f")}
    rec.update(changes)
    return rec


def test_a_perfect_parse_scores_one() -> None:
    tally, missed, extra = match_line_items(TRUTH_ROWS, [_parsed(r) for r in TRUTH_ROWS])
    assert (tally.tp, tally.fp, tally.fn, tally.f1) == (5, 0, 0, 1.0) and missed == extra == []


def test_a_dropped_row_lowers_recall_only() -> None:
    tally, missed, _ = match_line_items(TRUTH_ROWS, [_parsed(r) for r in TRUTH_ROWS[1:]])
    assert tally.recall == 4 / 5 and tally.precision == 1.0
    assert missed[0][2] == "财政拨款"


def test_a_wrong_amount_is_a_miss_and_an_extra() -> None:
    parsed = [_parsed(r) for r in TRUTH_ROWS]
    parsed[3] = _parsed(TRUTH_ROWS[3], amount="1608.15", amount_yuan="16081500")
    tally, _, _ = match_line_items(TRUTH_ROWS, parsed)
    assert (tally.tp, tally.fp, tally.fn) == (4, 1, 1)


def test_names_match_across_print_variants_but_not_when_cut_or_merged() -> None:
    same = _parsed(TRUTH_ROWS[2], name="社会保障和就业 支出")  # ordinal dropped, a wrap space kept
    cut = _parsed(TRUTH_ROWS[2], name="八、社会保障和就")
    merged = _parsed(TRUTH_ROWS[1], name="当年收入小计上年结转资金")
    assert match_line_items([TRUTH_ROWS[2]], [same])[0].tp == 1
    assert match_line_items([TRUTH_ROWS[2]], [cut])[0].tp == 0
    assert match_line_items([TRUTH_ROWS[1]], [merged])[0].tp == 0


def test_amounts_compare_in_yuan_whatever_the_unit_field() -> None:
    """The same value stated in yuan matches; the printed 万元 number read as yuan does not."""
    row = TRUTH_ROWS[3]
    assert match_line_items([row], [_parsed(row, amount="16085100.00", unit="元")])[0].tp == 1
    assert match_line_items([row], [_parsed(row, unit="元", amount_yuan="1608.51")])[0].tp == 0


def test_a_coded_row_needs_its_code_but_a_named_row_may_gain_one() -> None:
    coded = TRUTH_ROWS[3]
    assert match_line_items([coded], [_parsed(coded, code=None)])[0].tp == 0
    named = TRUTH_ROWS[2]
    assert match_line_items([named], [_parsed(named, code="208")])[0].tp == 1
    other_kind = _parsed(coded, table_kind="general_budget_basic_expenditure")
    assert match_line_items([coded], [other_kind])[0].tp == 0  # and other tables are not scored


def test_coverage_metadata_and_thresholds() -> None:
    checks = [{"type": "check", "check": "coverage", "expected": 10, "actual": 9},
              {"type": "check", "check": "coverage", "expected": 5, "actual": 5}]
    assert coverage_of(checks).ratio == 14 / 15
    assert coverage_of([]).ratio is None
    meta = TruthMeta("f.pdf", 2017, "budget", ("中共江苏省委办公厅", "中国共产党江苏省委员会办公厅"), "", "")
    doc = {"type": "document", "fiscal_year": 2016, "phase": "budget",
           "department": "中国共产党江苏省委员会办公厅"}
    assert metadata_right(meta, doc) == {"fiscal_year": False, "phase": True, "department": True}

    score = score_real_file("f.pdf", TRUTH_ROWS, meta, [("当年收入小计", Decimal("136490700"))],
                            [doc, *(_parsed(r) for r in TRUTH_ROWS)])
    assert score.line_items.f1 == 1.0 and score.peer_recall == 1.0 and score.coverage.ratio is None
    overall = summarise_real([score])
    misses = below_real_thresholds(overall, min_f1=0.99, min_coverage=0.99, min_metadata=0.99)
    assert misses == ["coverage not reported (< 0.99)", "metadata accuracy 0.6667 < 0.99"]


# --- the command ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    """One corpus HTML file with its truth restated as a real-truth TSV (docs folder, truth folder, rows)."""
    docs, truth = tmp_path_factory.mktemp("docs"), tmp_path_factory.mktemp("truth")
    write_corpus(docs, 0, renderings=["html"], seeds=["002"])
    (source,) = [p for p in docs.iterdir() if not p.name.endswith(".jsonl")]
    records = [json.loads(line) for line in (docs / f"{source.name}.truth.jsonl").read_text().splitlines()]
    for p in docs.glob("*.jsonl"):
        p.unlink()
    rows = [r for r in records if r["type"] == "line_item" and r["table_kind"] in (SUMMARY, GENERAL)]
    with (truth / f"{source.name}{TRUTH_SUFFIX}").open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, delimiter="\t", lineterminator="\n")
        out.writerow(TRUTH_HEADER)
        out.writerows([r["table_kind"], r["side"], r.get("code") or "", r["name"], r["measure"], r["amount"],
                       r["unit"], "1"] for r in rows)
    return docs, truth, len(rows)


def test_command_scores_a_folder_and_exits_below_threshold(rendered: tuple[Path, Path, int]) -> None:
    docs, truth, rows = rendered
    result = run_cli("eval-real", str(docs), "--truth", str(truth), "--json", "--min-f1", "1.01")
    assert result.returncode == 1, result.stderr  # an F1 no parser can reach
    report = json.loads(result.stdout)
    assert rows > 0 and report["overall"]["line_items"]["tp"] + report["overall"]["line_items"]["fn"] == rows
    f1 = report["overall"]["line_items"]["f1"]
    assert f1 > 0.9  # the rows are found (eval-parse holds the corpus to its own thresholds)
    assert report["below_thresholds"] == [f"line-item F1 {f1:.4f} < 1.01"] and "line-item F1" in result.stderr


def test_command_rejects_a_broken_truth_file(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4\n")
    (tmp_path / f"a.pdf{TRUTH_SUFFIX}").write_text("table_kind\tside\n", encoding="utf-8")
    result = run_cli("eval-real", str(tmp_path), "--truth", str(tmp_path))
    assert result.returncode == 2 and "bad truth file" in result.stderr and "header" in result.stderr


def test_command_without_devtools_says_so_in_one_line(tmp_path: Path) -> None:
    """In a runtime install (no govbudget.corpus) it exits 2 with one line, like eval-parse."""
    result = _run_without("govbudget.corpus", "eval-real", str(tmp_path), "--truth", str(tmp_path))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "govbudget eval-real needs the dev tools, missing here (govbudget.corpus): "
        "pip install -e ./devtools in a checkout, or bash bootstrap.sh install"]
