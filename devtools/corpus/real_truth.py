"""The hand-checked truth of the real disclosures in tests/data/realdocs (tests/data/realtruth/).

One `<file>.truth.tsv` per document lists every amount printed in its 收支总表 and 一般公共预算支出表;
`metadata.tsv` gives each document's fiscal year, phase and department; `peer_openbudget_summary.tsv`
is a peer project's extraction of the Jiangsu 收支预算总表. The truth was typed from the printed pages
(see the README there), never from govbudget's output, so `govbudget eval-real` measures the parsers
against the documents and not against themselves.

`consistency_errors` re-adds every table the way its printed sums say it should add up, exactly, so a
typing slip in a truth file is caught by arithmetic rather than trusted; the few sums a document itself
gets wrong are listed, with the printed and the added value, in `printed_discrepancies.tsv`.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

TRUTH_SUFFIX = ".truth.tsv"
TRUTH_HEADER = ("table_kind", "side", "code", "name", "measure", "amount", "unit", "page")
METADATA_FILE = "metadata.tsv"
METADATA_HEADER = ("file", "fiscal_year", "phase", "department", "source", "notes")
PEER_FILE = "peer_openbudget_summary.tsv"
DISCREPANCIES_FILE = "printed_discrepancies.tsv"
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


@dataclass(frozen=True)
class SumError:
    """A printed total its printed parts do not add up to (exactly: the truth keeps what is printed)."""

    table_kind: str
    row: str  # code or name of the total
    measure: str
    printed: Decimal
    parts: Decimal
    rule: str

    def key(self) -> tuple[str, str, str, Decimal, Decimal, str]:
        return (self.table_kind, self.row, self.measure, self.printed, self.parts, self.rule)

    def __str__(self) -> str:
        return (f"{self.table_kind} {self.row} {self.measure}: printed {self.printed}, "
                f"parts add up to {self.parts} ({self.rule})")


def _check(errors: list[SumError], total: TruthRow, parts: Iterable[TruthRow], rule: str) -> None:
    added = sum((p.value for p in parts), Decimal(0))
    if total.value != added:
        errors.append(SumError(total.table_kind, total.code or total.name, total.measure, total.value,
                               added, rule))


def _summary_errors(rows: list[TruthRow]) -> list[SumError]:
    errors: list[SumError] = []
    measures = sorted({r.measure for r in rows})
    grand: dict[tuple[str, str], TruthRow] = {}
    for side in SIDES:
        for measure in measures:
            seq = [r for r in rows if r.side == side and r.measure == measure]
            if not seq:
                continue
            last = grand[side, measure] = seq[-1]
            subs = [i for i, r in enumerate(seq[:-1]) if _SUBTOTAL.search(normalise_name(r.name))]
            body_end = subs[0] if subs else len(seq) - 1
            target = seq[subs[0]] if subs else last
            if subs:
                _check(errors, last, seq[subs[0]:-1], "subtotal + the carry-over rows below it")
            groups: list[list[TruthRow]] = []  # ordinal items (一、…); a panel restarts at 一、
            for r in seq[:body_end]:
                if _CN_ORDINAL.match(r.name):
                    if r.name.startswith("一、") or not groups:
                        groups.append([])
                    groups[-1].append(r)
            for group in groups:
                _check(errors, target, group, f"items {group[0].name}…")
            parent, kids = None, []  # numbered sub-items (1. 2. …) under their ordinal item
            for r in [*seq[:body_end], None]:
                if r is not None and _SUB_ORDINAL.match(r.name):
                    kids.append(r)
                    continue
                if parent is not None and kids:
                    _check(errors, parent, kids, "its numbered sub-items")
                parent, kids = r, []
    for side in SIDES:  # a row's 合计 = its other columns (人员经费 + 公用经费 + 项目支出), blanks 0
        for name in dict.fromkeys(r.name for r in rows if r.side == side):
            cells = [r for r in rows if r.side == side and r.name == name]
            total = next((r for r in cells if r.measure == "total"), None)
            parts = [r for r in cells if r.measure != "total"]
            if total and parts:
                _check(errors, total, parts, "its columns")
    for measure in measures:
        inc, exp = grand.get(("income", measure)), grand.get(("expenditure", measure))
        if inc and exp:
            _check(errors, inc, [exp], "income total = expenditure total")
    return errors


def _general_errors(rows: list[TruthRow]) -> list[SumError]:
    errors: list[SumError] = []
    cell = {(r.code or r.name, r.measure): r for r in rows}
    for measure in sorted({r.measure for r in rows}):
        coded = [r for r in rows if r.code and r.measure == measure]
        for parent in coded:
            kids = [r for r in coded
                    if len(r.code) == len(parent.code) + 2 and r.code.startswith(parent.code)]
            if kids:
                _check(errors, parent, kids, "its children")
        for total in (r for r in rows if not r.code and r.measure == measure):
            _check(errors, total, [r for r in coded if len(r.code) == 3], "the 类 rows")
    for (row, measure), r in cell.items():  # 合计 = 基本支出 + 项目支出, blank cells are 0
        parts = [cell[row, m] for m in ("basic", "project") if (row, m) in cell]
        if measure == "total" and parts:
            _check(errors, r, parts, "basic + project")
    return errors


def consistency_errors(rows: list[TruthRow], allowed: Iterable[tuple] = ()) -> list[SumError]:
    """Every printed sum the truth rows break; empty when all hold. Sums are exact; `allowed` holds
    the `SumError.key()`s of discrepancies the document itself prints (printed_discrepancies.tsv).

    收支总表: income grand total = expenditure grand total; each panel's ordinal items (一、…) add up to
    the year's subtotal (当年收入小计, 本年支出合计) or, without one, to the grand total; the grand total
    is that subtotal plus the carry-over rows printed below it; numbered items (1. 2.) add up to their
    ordinal item; a row's 合计 equals its other columns. 一般公共预算支出表: every code equals the sum of
    its children, 合计 the sum of the 类 rows, a row's 合计 its 基本支出 + 项目支出. Finally the
    summary's 一般公共预算 income equals the expenditure table's 合计.
    """
    summary = [r for r in rows if r.table_kind == SUMMARY]
    general = [r for r in rows if r.table_kind == GENERAL]
    errors = _summary_errors(summary) + _general_errors(general)
    gb_total = next((r for r in general if not r.code and r.measure == "total"), None)
    gb_income = [r for r in summary if r.side == "income" and r.measure == "total"
                 and "一般公共预算" in normalise_name(r.name)]
    if gb_total and gb_income and gb_total.yuan not in {r.yuan for r in gb_income}:
        _check(errors, gb_total, gb_income[:1], "the summary's 一般公共预算 income")
    ok = set(allowed)
    return [e for e in errors if e.key() not in ok]


def read_discrepancies(path: Path) -> dict[str, set[tuple]]:
    """`printed_discrepancies.tsv`: file → the SumError keys its pages print (rounding, errata)."""
    header = ("file", "table_kind", "row", "measure", "printed", "parts_sum", "rule", "note")
    out: dict[str, set[tuple]] = defaultdict(set)
    for cells in _rows(path, header):
        out[cells["file"]].add((cells["table_kind"], cells["row"], cells["measure"],
                                to_decimal(cells["printed"]), to_decimal(cells["parts_sum"]), cells["rule"]))
    return dict(out)
