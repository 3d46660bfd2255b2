"""The hand-checked truth of the real disclosures in tests/data/realdocs (tests/data/realtruth/).

One `<file>.truth.tsv` per document lists every amount printed in its 收支总表 and 一般公共预算支出表;
`metadata.tsv` gives each document's fiscal year, phase and department; `peer_openbudget_summary.tsv`
is a peer project's extraction of the Jiangsu 收支预算总表. The truth was typed from the printed pages
(see the README there), never from govbudget's output, so `govbudget eval-real` measures the parsers
against the documents and not against themselves.

`consistency_errors` re-adds every table the way its printed sums say it should add up, so a typing
slip in a truth file is caught by arithmetic rather than trusted.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

TRUTH_SUFFIX = ".truth.tsv"
TRUTH_HEADER = ("table_kind", "side", "code", "name", "measure", "amount", "unit", "page")
METADATA_FILE = "metadata.tsv"
METADATA_HEADER = ("file", "fiscal_year", "phase", "department", "source", "notes")
PEER_FILE = "peer_openbudget_summary.tsv"
SUMMARY, GENERAL = "income_expenditure_summary", "general_budget_expenditure"
KINDS = (SUMMARY, GENERAL)
SIDES = ("income", "expenditure")
# docs/SCHEMA.md's measure vocabulary (the words a truth row may use)
MEASURES = frozenset({
    "total", "subtotal", "basic", "project", "personnel", "public_funds", "operating_expenditure",
    "remit_to_superior", "subsidy_to_affiliates", "fiscal_appropriation", "general_public_budget",
    "government_fund", "state_capital", "fiscal_special_account", "business_income", "operating_income",
    "superior_subsidy", "affiliate_remittance", "other_income", "prior_year_carryover", "other"})
YUAN_PER = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}

# Ordinal prefixes a table prints before a row name: 一、 八、 1. 1、 （一） (1) 其中：
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十百]+[、.]|\d+[、.]|\([一二三四五六七八九十\d]+\)|其中:)")
_SPACE = re.compile(r"\s+")


class TruthFileError(ValueError):
    """A truth, metadata or peer file that does not follow its documented layout."""


def normalise_name(text: str | None) -> str:
    """A row name without whitespace, width variants (NFKC) or leading ordinals.

    `八、社会保障和就业支出`, `社会保障和就业 支出` and `社会保障和就业支出` are one name; `社会保障和就`
    (a name cut at a cell wrap) is not, so a truncated name still counts as a miss.
    """
    flat = _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))
    while (match := _ORDINAL.match(flat)) and match.end() < len(flat):
        flat = flat[match.end():]
    return flat.rstrip(":")


def to_decimal(text: str) -> Decimal:
    """A printed amount (`13,649.07`) as a Decimal; raises TruthFileError on anything else."""
    try:
        value = Decimal(str(text).replace(",", "").strip())
    except InvalidOperation as exc:
        raise TruthFileError(f"not an amount: {text!r}") from exc
    if not value.is_finite():
        raise TruthFileError(f"not an amount: {text!r}")
    return value


def in_yuan(amount: str, unit: str) -> Decimal:
    """The printed amount converted exactly to yuan (Decimal arithmetic, no rounding)."""
    if unit not in YUAN_PER:
        raise TruthFileError(f"unknown unit {unit!r} (known: {', '.join(YUAN_PER)})")
    return to_decimal(amount) * YUAN_PER[unit]


@dataclass(frozen=True)
class TruthRow:
    """One printed amount: which table, which side, which row (code or name), which column."""

    table_kind: str
    side: str
    code: str
    name: str
    measure: str
    amount: str
    unit: str
    page: str

    @property
    def value(self) -> Decimal:
        return to_decimal(self.amount)

    @property
    def yuan(self) -> Decimal:
        return in_yuan(self.amount, self.unit)


@dataclass(frozen=True)
class TruthMeta:
    """A document's metadata as its cover/title print it. `departments` holds every form the document
    itself prints (`中共江苏省委办公厅` on one page, `中国共产党江苏省委员会办公厅` on another); empty
    means not scored (a template's `XX` placeholder)."""

    file: str
    fiscal_year: int | None
    phase: str | None
    departments: tuple[str, ...]
    source: str
    notes: str


def _rows(path: Path, header: tuple[str, ...]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t")
        got = tuple(next(reader, ()))
        if got != header:
            raise TruthFileError(f"{path.name}: header {got!r}, expected {header!r}")
        out = []
        for n, cells in enumerate(reader, 2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise TruthFileError(f"{path.name} line {n}: {len(cells)} cells, expected {len(header)}")
            out.append(dict(zip(header, cells, strict=True)))
        return out


def read_truth(path: Path) -> list[TruthRow]:
    """Rows of one `<file>.truth.tsv`, each field checked against the documented vocabulary."""
    rows = []
    for n, cells in enumerate(_rows(path, TRUTH_HEADER), 2):
        row = TruthRow(**cells)
        vocab = (("table_kind", row.table_kind, KINDS), ("side", row.side, SIDES),
                 ("measure", row.measure, MEASURES))
        problems = [f"{label} {value!r}" for label, value, known in vocab if value not in known]
        if not (row.code or row.name):
            problems.append("a row needs a code or a name")
        if problems:
            raise TruthFileError(f"{path.name} row {n}: " + ", ".join(problems))
        try:
            row.yuan  # noqa: B018 - validates amount and unit
        except TruthFileError as exc:
            raise TruthFileError(f"{path.name} row {n}: {exc}") from exc
        rows.append(row)
    return rows


def read_metadata(path: Path) -> dict[str, TruthMeta]:
    """`metadata.tsv`: file → its metadata truth."""
    out = {}
    for cells in _rows(path, METADATA_HEADER):
        year = cells["fiscal_year"].strip()
        out[cells["file"]] = TruthMeta(
            file=cells["file"], fiscal_year=int(year) if year else None, phase=cells["phase"].strip() or None,
            departments=tuple(d for d in cells["department"].split("|") if d.strip()),
            source=cells["source"], notes=cells["notes"])
    return out


def read_peer(path: Path) -> dict[str, list[tuple[str, Decimal]]]:
    """The peer's extraction: file → [(row name, amount in yuan)] (the peer prints 万元)."""
    header = ("file", "department_folder", "fiscal_year", "row_name", "amount_wan_yuan")
    out: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
    for cells in _rows(path, header):
        out[cells["file"]].append((cells["row_name"], in_yuan(cells["amount_wan_yuan"], "万元")))
    return dict(out)


# --- arithmetic: the sums each table prints must hold in the truth --------------------------------

_CN_ORDINAL = re.compile(r"^[一二三四五六七八九十]+、")
_SUB_ORDINAL = re.compile(r"^\d+[、.．]")
_SUBTOTAL = re.compile(r"小计$|^本年.*合计$")


def _tolerance(unit: str, parts: int) -> Decimal:
    """How far a printed sum may stray from its printed parts. 万元 figures are rounded from yuan, so n
    rounded parts may miss their rounded total by n × 0.005 万元 (a real 决算 prints 2,106.66 + 326.72 +
    60.99 + 445.69 = 2,940.06 against a 合计 of 2,940.05); yuan figures must add up exactly."""
    return Decimal("0.005") * parts if unit != "元" else Decimal(0)


def _close(total: Decimal, parts: list[Decimal], unit: str) -> bool:
    return abs(total - sum(parts, Decimal(0))) <= _tolerance(unit, len(parts))


def _summary_errors(rows: list[TruthRow]) -> list[str]:
    errors = []
    measures = sorted({r.measure for r in rows})
    grand: dict[tuple[str, str], TruthRow] = {}
    for side in SIDES:
        for measure in measures:
            seq = [r for r in rows if r.side == side and r.measure == measure]
            if not seq:
                continue
            last, unit = seq[-1], seq[-1].unit
            grand[side, measure] = last
            subs = [i for i, r in enumerate(seq[:-1]) if _SUBTOTAL.search(normalise_name(r.name))]
            body_end = subs[0] if subs else len(seq) - 1
            target = seq[subs[0]] if subs else last
            if subs:  # the grand total = this year's subtotal + carry-overs printed below it
                tail = [r.value for r in seq[subs[0]:-1]]
                if not _close(last.value, tail, unit):
                    errors.append(f"{side}/{measure}: {last.name} {last.amount} ≠ "
                                  f"{seq[subs[0]].name} + the rows below it")
            # ordinal items (一、二、…) sum to the subtotal; a panel restarts at 一、
            groups: list[list[TruthRow]] = []
            for r in seq[:body_end]:
                if _CN_ORDINAL.match(r.name):
                    if r.name.startswith("一、") or not groups:
                        groups.append([])
                    groups[-1].append(r)
            for group in groups:
                if not _close(target.value, [r.value for r in group], unit):
                    errors.append(f"{side}/{measure}: items from {group[0].name} do not add up to "
                                  f"{target.name} {target.amount}")
            # numbered sub-items (1. 2. …) add up to the ordinal item above them
            parent, kids = None, []
            for r in [*seq[:body_end], None]:
                if r is not None and _SUB_ORDINAL.match(r.name):
                    kids.append(r)
                    continue
                if parent is not None and kids and not _close(parent.value, [k.value for k in kids], unit):
                    errors.append(f"{side}/{measure}: sub-items of {parent.name} do not add up")
                parent, kids = r, []
    for measure in measures:
        inc, exp = grand.get(("income", measure)), grand.get(("expenditure", measure))
        if inc and exp and inc.yuan != exp.yuan:
            errors.append(f"{measure}: income total {inc.amount} ≠ expenditure total {exp.amount}")
    return errors


def _general_errors(rows: list[TruthRow]) -> list[str]:
    errors = []
    cell = {(r.code, r.measure): r for r in rows if r.code}
    for measure in sorted({r.measure for r in rows}):
        coded = [r for r in rows if r.code and r.measure == measure]
        for parent in coded:
            kids = [r for r in coded
                    if len(r.code) == len(parent.code) + 2 and r.code.startswith(parent.code)]
            if kids and not _close(parent.value, [k.value for k in kids], parent.unit):
                errors.append(f"{measure}: {parent.code} {parent.amount} ≠ sum of its {len(kids)} children")
        for total in (r for r in rows if not r.code and r.measure == measure):
            tops = [r.value for r in coded if len(r.code) == 3]
            if not _close(total.value, tops, total.unit):
                errors.append(f"{measure}: {total.name} {total.amount} ≠ sum of the 类 rows")
    for (code, measure), r in cell.items():  # 合计 = 基本支出 + 项目支出, blank cells are 0
        parts = [cell[code, m].value for m in ("basic", "project") if (code, m) in cell]
        if measure == "total" and parts and not _close(r.value, parts, r.unit):
            errors.append(f"{code}: total {r.amount} ≠ basic + project")
    return errors


def consistency_errors(rows: list[TruthRow]) -> list[str]:
    """Every printed sum the truth rows must satisfy, as sentences; empty when all hold.

    收支总表: income grand total = expenditure grand total; each panel's ordinal items (一、…) add up to
    the year's subtotal (当年收入小计, 本年支出合计) or, without one, to the grand total; the grand total
    is that subtotal plus the carry-over rows printed below it; numbered items (1. 2.) add up to their
    ordinal item. 一般公共预算支出表: every code equals the sum of its children, 合计 the sum of the 类
    rows, and a row's 合计 its 基本支出 + 项目支出. Finally the summary's 一般公共预算 income equals the
    expenditure table's 合计.
    """
    summary = [r for r in rows if r.table_kind == SUMMARY]
    general = [r for r in rows if r.table_kind == GENERAL]
    errors = _summary_errors(summary) + _general_errors(general)
    gb_total = next((r for r in general if not r.code and r.measure == "total"), None)
    gb_income = [r for r in summary if r.side == "income" and r.measure == "total"
                 and "一般公共预算" in normalise_name(r.name)]
    if gb_total and gb_income and gb_total.yuan not in {r.yuan for r in gb_income}:
        errors.append(f"summary's 一般公共预算 income ≠ expenditure table's 合计 {gb_total.amount}")
    return errors
