"""The rendered test corpus: deterministic files whose content matches the seeds and the ground truth."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal

import pdfplumber
import pytest
from python_calamine import CalamineWorkbook

from govbudget.corpus import render_pdf as render_pdf_module
from govbudget.corpus import render_xlsx as render_xlsx_module
from govbudget.corpus.documents import WEIJIANWEI_2023, YIBAOJU_2021, disclosures, write_corpus
from govbudget.corpus.render_pdf import render_pdf
from govbudget.corpus.render_xlsx import render_xlsx
from govbudget.corpus.seeds import SEEDS, load_text
from govbudget.corpus.seedtables import parse_seed
from govbudget.corpus.truth import to_yuan, truth_records
from govbudget.corpus.variants import Variant, load_document


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def pdf_text_002() -> str:
    with pdfplumber.open(io.BytesIO(render_pdf("002"))) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def _seed_section(seed_text: str, title: str) -> list[list[str]]:
    """Raw tab rows of a seed-002 table, read straight from the text (independent of seedtables)."""
    lines = seed_text.splitlines()
    start = lines.index(title)
    rows = []
    for line in lines[start + 1:]:
        if line and "\t" not in line and not re.match(r"^(207 |预算年度|单位：)", line):
            break
        if "\t" in line:
            rows.append(line.split("\t"))
    return rows


def test_pdf_rendering_is_deterministic() -> None:
    fresh = render_pdf_module._render.__wrapped__  # bypass the cache: really render twice
    assert _sha(fresh("002", None)[0]) == _sha(fresh("002", None)[0]) == _sha(render_pdf("002"))


def test_xlsx_rendering_is_deterministic() -> None:
    fresh = render_xlsx_module._render.__wrapped__
    assert _sha(fresh("002", None)[0]) == _sha(fresh("002", None)[0]) == _sha(render_xlsx("002"))


def test_rendering_is_identical_in_another_process() -> None:
    code = ("import hashlib; from govbudget.corpus.documents import disclosures; "
            "print(' '.join(hashlib.sha256(d.data).hexdigest() for d in disclosures()))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.split() == [d.sha256 for d in disclosures()]


def test_pdf_contains_every_table_title_and_amount(pdf_text_002: str) -> None:
    titles = [t.title for t in parse_seed("002").tables if t.title]
    assert "部门预算支出总表" in titles
    for title in titles:
        assert title.replace(" ", "") in pdf_text_002.replace(" ", ""), title
    assert "903.22" in pdf_text_002


def test_pdf_repeats_header_block_per_page_segment(pdf_text_002: str) -> None:
    seed_count = load_text("002").count("\n207 邯郸市医疗保障局\n")
    assert pdf_text_002.count("207 邯郸市医疗保障局") == seed_count


def test_pdf_keeps_the_wrapped_name_split_across_pages() -> None:
    with pdfplumber.open(io.BytesIO(render_pdf("002"))) as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
    wrapped = "医疗保障管理 2331.22 2331.22 2331.22"
    ends = [i for i, text in enumerate(pages) if text.rstrip().endswith(wrapped)]
    assert ends, "the 收入总表 page should end on the wrapped row"
    assert "\n事务\n" in pages[ends[0] + 1]


def test_xlsx_amounts_match_truth_for_002() -> None:
    book = CalamineWorkbook.from_filelike(io.BytesIO(render_xlsx("002")))
    xlsx_values: dict[str, set[Decimal]] = defaultdict(set)
    for name in book.sheet_names:
        for row in book.get_sheet_by_name(name).to_python():
            if len(row) > 1 and isinstance(row[1], str) and row[1].isdigit():
                xlsx_values[row[1]] |= {Decimal(str(v)).quantize(Decimal("0.01"))
                                        for v in row[3:] if isinstance(v, float | int) and v != ""}
    items = [r for r in truth_records("002") if r["type"] == "line_item" and r["code"]]
    assert items
    for item in items:
        assert Decimal(item["amount"]) in xlsx_values[item["code"]], item


def test_xlsx_keeps_blank_cells_blank() -> None:
    book = CalamineWorkbook.from_filelike(io.BytesIO(render_xlsx("002")))
    rows = book.get_sheet_by_name("部门预算支出总表").to_python()
    row = next(r for r in rows if r[1] == "2101501")
    assert row[3] == pytest.approx(903.22) and row[5] == "" and row[6] == ""


def test_truth_line_items_are_exactly_the_seed_expenditure_summary_cells() -> None:
    rows = _seed_section(load_text("002"), "部门预算支出总表")
    data = [r for r in rows if r[0].isdigit()]
    expected = {(r[1] or None, r[2], cell) for r in data for cell in r[3:] if cell.strip()}
    items = [r for r in truth_records("002")
             if r["type"] == "line_item" and r["table_kind"] == "expenditure_summary"]
    assert len(items) == sum(1 for r in data for cell in r[3:] if cell.strip())
    assert {(r["code"], r["name"], r["amount"]) for r in items} == expected


def test_truth_example_row_and_yuan_rule() -> None:
    records = truth_records("002")
    basic = [r for r in records if r["type"] == "line_item" and r["table_kind"] == "expenditure_summary"
             and r["code"] == "2101501" and r["measure"] == "basic"]
    assert len(basic) == 1
    assert (basic[0]["amount"], basic[0]["unit"], basic[0]["amount_yuan"]) == ("903.22", "万元", "9032200.00")
    assert basic[0]["parent_code"] == "21015" and basic[0]["level"] == 3 and basic[0]["row_role"] == "detail"
    assert to_yuan("1", "万元") == "10000.00"


def test_truth_joins_wrapped_name_and_keeps_codes_across_tables() -> None:
    records = [r for r in truth_records("002") if r["type"] == "line_item"]
    names = {r["name"] for r in records if r["code"] == "21015"}
    assert names == {"医疗保障管理事务"}
    codes = {k: {r["code"] for r in records if r["table_kind"] == k and r["code"]}
             for k in ("expenditure_summary", "general_budget_expenditure")}
    assert codes["expenditure_summary"] == codes["general_budget_expenditure"]


def test_truth_declared_empty_tables_have_no_rows() -> None:
    tables = {r["table_kind"]: r for r in truth_records("002") if r["type"] == "table"}
    for kind in ("government_fund_expenditure", "state_capital_expenditure"):
        assert tables[kind]["rows"] == 0 and tables[kind]["declared_empty"] is True
    assert not [r for r in truth_records("002") if r["type"] == "line_item" and r["table_kind"] == kind]


def _by_key(records: list[dict], kind: str) -> dict[tuple[str | None, str], Decimal]:
    return {(r["code"], r["measure"]): Decimal(r["amount"]) for r in records
            if r["type"] == "line_item" and r["table_kind"] == kind}


@pytest.mark.parametrize("variant", [WEIJIANWEI_2023, YIBAOJU_2021], ids=["wjw2023", "ybj2021"])
def test_variant_sums_are_consistent(variant: Variant) -> None:
    records = truth_records("002", variant=variant)
    for kind in ("expenditure_summary", "general_budget_expenditure", "income_summary",
                 "general_budget_basic_expenditure"):
        values = _by_key(records, kind)
        measures = {m for _, m in values}
        codes = {c for c, _ in values if c}
        for m in measures:
            for parent in codes:
                children = [c for c in codes if c.startswith(parent) and len(c) == len(parent) + 2]
                if children and (parent, m) in values:
                    assert values[(parent, m)] == sum(values.get((c, m), Decimal(0)) for c in children)
            top = [c for c in codes if len(c) == 3]
            assert values[(None, m)] == sum(values.get((c, m), Decimal(0)) for c in top), (kind, m)
    exp = _by_key(records, "expenditure_summary")
    for code in {c for c, _ in exp}:
        parts = exp.get((code, "basic"), Decimal(0)) + exp.get((code, "project"), Decimal(0))
        assert exp[(code, "total")] == parts
    basic = _by_key(records, "general_budget_basic_expenditure")
    assert basic[(None, "total")] == exp[(None, "basic")]


@pytest.mark.parametrize("variant", [WEIJIANWEI_2023, YIBAOJU_2021], ids=["wjw2023", "ybj2021"])
def test_variant_summary_tables_agree_with_expenditure_summary(variant: Variant) -> None:
    records = [r for r in truth_records("002", variant=variant) if r["type"] == "line_item"]
    grand = next(Decimal(r["amount"]) for r in records if r["table_kind"] == "expenditure_summary"
                 and r["code"] is None and r["measure"] == "total")
    classes = {r["code"]: Decimal(r["amount"]) for r in records if r["table_kind"] == "expenditure_summary"
               and r["level"] == 1 and r["measure"] == "total"}
    for r in records:
        if r["table_kind"] in ("income_expenditure_summary", "fiscal_appropriation_summary"):
            by_total = r["row_role"] == "total" or r["side"] == "income"
            expected = grand if by_total else classes[r["mapped_code"]]
            assert Decimal(r["amount"]) == expected, r


def test_variant_changes_amounts_department_and_year() -> None:
    seed = _by_key(truth_records("002"), "expenditure_summary")
    new = _by_key(truth_records("002", variant=WEIJIANWEI_2023), "expenditure_summary")
    assert seed.keys() == new.keys()
    assert sum(seed[k] != new[k] for k in seed) == len(seed)
    doc = load_document("002", WEIJIANWEI_2023)
    table = doc.table("expenditure_summary")
    assert table is not None and table.header_block[:2] == ["208 邯郸市卫生健康委员会", "预算年度：2023"]


def test_seed_003_tables_parse_into_full_rows() -> None:
    doc = parse_seed("003")
    income = doc.table("income_summary")
    assert income is not None and income.width == 13
    assert all(len(r) == 13 for r in income.data_rows())
    assert any(r[1] == "2101399" and r[0] == "15" for r in income.data_rows())
    assert SEEDS["003"].unit_code == "450001"


def test_disclosures_are_unique_and_described() -> None:
    docs = disclosures()
    assert {d.seed_id for d in docs} == set(SEEDS)
    assert len({d.filename for d in docs}) == len(docs) == len({d.slug for d in docs})
    assert any(d.fmt == "xlsx" and d.seed_id == "002" and d.variant is None for d in docs)
    handan = next(d for d in docs if d.slug == "handan-ybj-2022-pdf")
    assert handan.filename == "邯郸市医疗保障局2022年部门预算.pdf"
    assert handan.data.startswith(b"%PDF")


def test_write_corpus_writes_files_with_truth(tmp_path) -> None:
    write_corpus(tmp_path)
    for doc in disclosures():
        assert (tmp_path / doc.filename).read_bytes() == doc.data
        truth = (tmp_path / f"{doc.filename}.truth.jsonl").read_text(encoding="utf-8")
        first = json.loads(truth.splitlines()[0])
        assert first["type"] == "document" and first["sha256"] == doc.sha256
        assert first["department"] == doc.department and first["fiscal_year"] == doc.fiscal_year


def test_pdf_table_locators_point_at_the_table_pages() -> None:
    tables = {r["title"]: r["locator"] for r in truth_records("002", fmt="pdf") if r["type"] == "table"}
    loc = tables["部门预算收入总表"]
    assert loc["page_end"] == loc["page_start"] + 1
    with pdfplumber.open(io.BytesIO(render_pdf("002"))) as pdf:
        assert "部门预算收入总表" in (pdf.pages[loc["page_start"] - 1].extract_text() or "")
        assert "2210201" in (pdf.pages[loc["page_end"] - 1].extract_text() or "")


def test_xlsx_table_locators_span_the_data_rows() -> None:
    tables = {r["title"]: r["locator"] for r in truth_records("002", fmt="xlsx") if r["type"] == "table"}
    loc = tables["部门预算支出总表"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(render_xlsx("002")))
    rows = book.get_sheet_by_name(loc["sheet"]).to_python()
    first, last = loc["rows"]
    assert rows[first - 1][2] == "合计" and rows[last - 1][1] == "2210201" and len(rows) == last


def test_seed_003_truth_has_every_expenditure_summary_cell() -> None:
    text = load_text("003")
    section = text[text.index("单位预算支出总表"):text.index("单位预算财政拨款收支总表")]
    rows = [[c[1:] for c in block.split("\n") if c.startswith("\t")] for block in section.split("\n\n")]
    data = [r for r in rows if len(r) == 9 and r[0].isdigit()]
    expected = sum(1 for r in data for c in r[3:] if c.strip())
    items = [r for r in truth_records("003")
             if r["type"] == "line_item" and r["table_kind"] == "expenditure_summary"]
    assert len(data) == 23 and len(items) == expected
