"""The SCHEMA.md record types as classes: one frozen dataclass per type, the fields declared once.

    from govbudget.parsers.records import LineItem
    item = LineItem(doc=sha, table_kind="expenditure_summary", ...).as_dict()

Builders construct a record here and emit `as_dict()`: the wire stays `list[dict]` (the catalog, the
JSON Lines output and the exports read dicts), but a field the schema does not know is a `TypeError`
at the builder, not a silent extra key, and a field every record of a type carries cannot be left out.
A field some records of a type carry and others do not (a budget table's `declared_empty`, a project
table's `project`, a check's `table_kind`) defaults to `OMIT` and is then absent from the dict, so
`as_dict()` gives exactly the shape the builders emitted before these classes existed.

Each field that is an export column carries its column declaration (`metadata=col(...)`: type, meaning,
allowed values, unit); `fields_of(Record)` / `Record.FIELDS` are those columns in field order and are
what `exports/fields.py` writes. Fields without one (`doc`, `locator`, `fiscal_year`: the export's
shared provenance columns; extension fields not yet given a column) land in the export's `extra`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from govbudget.parsers.tables.kinds import PERFORMANCE_KINDS, TABLE_KINDS
from govbudget.parsers.tables.measures import MEASURES

# Vocabularies of record fields no parser module owns (SCHEMA.md); the exports import them from here.
STATUSES = ("ok", "partial", "failed")
PHASES = ("budget", "final")
SCOPES = ("government", "department", "unit")
SIDES = ("income", "expenditure")
CLASSIFICATIONS = ("function", "economic_dept", "economic_gov", "item")
ROW_ROLES = ("detail", "subtotal", "total")
VALUE_KINDS = ("numeric", "percent", "date", "qualitative", "not_applicable", "empty")
COLUMN_TYPES = ("string", "integer", "decimal", "boolean", "datetime", "object", "array")


class _Omitted:
    """The value of a field a record does not carry: `as_dict()` leaves the key out."""

    _instance: _Omitted | None = None

    def __new__(cls) -> _Omitted:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "OMIT"

    def __bool__(self) -> bool:
        return False


OMIT: Any = _Omitted()


@dataclass(frozen=True)
class Column:
    """How a record field is exported: its column type, meaning, allowed values and unit.

    `values` may be a function returning the vocabulary: the modules that own the fact and check
    vocabularies build their records with these classes, so those two are imported when asked for.
    """

    name: str
    kind: str
    description: str
    values: tuple[str, ...] | Callable[[], tuple[str, ...]] = ()
    unit: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_TYPES:
            raise ValueError(f"column {self.name}: kind must be one of {COLUMN_TYPES}, got {self.kind!r}")

    def allowed(self) -> tuple[str, ...]:
        """The allowed values (empty: any)."""
        return tuple(self.values() if callable(self.values) else self.values)


def col(
    kind: str,
    description: str,
    values: tuple[str, ...] | Callable[[], tuple[str, ...]] = (),
    unit: str | None = None,
) -> dict[str, Column]:
    """The metadata that makes a dataclass field an export column (its name is the field's)."""
    return {"column": Column("", kind, description, values, unit)}


def _facts() -> tuple[str, ...]:
    from govbudget.parsers.narrative.facts import FACTS

    return FACTS


def _checks() -> tuple[str, ...]:
    from govbudget.parsers.checks import CHECKS
    from govbudget.parsers.performance.garbage import GARBAGE_CHECKS

    return (*CHECKS, *GARBAGE_CHECKS)


class _Columns:
    """`Record.FIELDS`: the export columns of the class it is read on (a subclass's own included)."""

    def __get__(self, obj: object, cls: type[Record]) -> tuple[Column, ...]:
        return fields_of(cls) if dataclasses.is_dataclass(cls) else ()


class Record:
    """What every record type shares: its `type` word, `as_dict()` and its export columns."""

    TYPE: ClassVar[str] = ""
    FIELDS: ClassVar[tuple[Column, ...]] = _Columns()  # type: ignore[assignment]

    def as_dict(self) -> dict[str, Any]:
        """The record as emitted: `type` first, then the fields in declared order, `OMIT` ones left out."""
        out: dict[str, Any] = {"type": self.TYPE}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value is not OMIT:
                out[f.name] = value
        return out


def fields_of(cls: type[Record]) -> tuple[Column, ...]:
    """The export columns of a record type, in field order."""
    out = []
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        spec = f.metadata.get("column")
        if spec is not None:
            out.append(dataclasses.replace(spec, name=f.name))
    return tuple(out)


def field_names(cls: type[Record]) -> tuple[str, ...]:
    """Every field a record of the type may carry (besides `type`)."""
    return tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]


@dataclass(frozen=True, kw_only=True)
class Document(Record):
    """One per parsed file (SCHEMA.md `document`); `records[0]` of every parse."""

    TYPE: ClassVar[str] = "document"
    sha256: str
    format: str | None = field(metadata=col("string", "detected real format: pdf, xlsx, xls, docx, doc, ..."))
    title: str | None = field(
        metadata=col("string", "the document's own heading (or the link text when unparsed)"))
    department: str | None = field(metadata=col("string", "the disclosing body as printed"))
    unit_code: str | None = field(metadata=col("string", "budget unit code printed beside the department"))
    scope: str | None = field(
        metadata=col("string", "government, department (部门预算, consolidated) or unit (单位预算)", SCOPES))
    fiscal_year: int | None = None
    phase: str | None = field(metadata=col("string", "budget (预算) or final (决算)", PHASES))
    region_code: str | None = None
    pages: int | None = field(metadata=col("integer", "page or sheet count"))
    parser: str | None = field(
        metadata=col("string", "name@version of the parser that produced the records"))
    status: str | None = field(
        metadata=col("string", "parse status: ok, partial, failed (null: not parsed yet)", STATUSES))
    errors: list[str] = field(metadata=col("array", "why the parse was partial or failed"))
    # amounts read / printed over the recognised tables (checks/coverage.py); null: no table measured
    coverage: float | None = None
    coverage_unmeasured: int = 0  # tables the coverage check does not measure (indicator tables)
    # where each metadata field was read (cover, title, header, table_header, ...)
    meta_source: dict[str, str] | None = OMIT
    # what the crawl's link said the file is (fiscal_year, phase, department, link_text): checks/agreement.py
    link_meta: dict[str, Any] | None = OMIT
    region_source: str | None = OMIT  # set by the parse task with `region_code`


@dataclass(frozen=True, kw_only=True)
class Table(Record):
    """One per recognised table (a table split over pages is one table)."""

    TYPE: ClassVar[str] = "table"
    doc: str
    table_kind: str = field(metadata=col("string", "standard table (SCHEMA.md vocabulary)", TABLE_KINDS))
    title: str | None = field(metadata=col("string", "table title as printed"))
    unit: str | None = field(metadata=col("string", "unit the table states (万元 or 元)"))
    department: str | None = field(metadata=col("string", "department as printed on the table"))
    unit_code: str | None = field(metadata=col("string", "budget unit code printed on the table"))
    fiscal_year: int | None = None
    locator: dict[str, Any] | None = None
    rows: int = field(default=0, metadata=col("integer", "data rows read"))
    # budget tables carry `declared_empty`; performance tables `project*` (project tables) and `goals`
    declared_empty: bool = field(
        default=OMIT, metadata=col("boolean", "the table is printed but declared empty (本表无数据)"))
    project: str | None = field(
        default=OMIT, metadata=col("string", "project name (performance target tables)"))
    project_prefix: str | None = field(
        default=OMIT, metadata=col("string", "project code prefix when printed (FM, ZK, ...)"))
    project_amount: str | None = OMIT
    goals: list[str] = field(default=OMIT, metadata=col("array", "performance goals text (绩效目标)"))
    coverage: float = OMIT  # amounts read / printed in the table (checks/coverage.py)


@dataclass(frozen=True, kw_only=True)
class LineItem(Record):
    """One non-blank amount cell of a financial table."""

    TYPE: ClassVar[str] = "line_item"
    doc: str
    table_kind: str = field(metadata=col("string", "standard table the amount stands in", TABLE_KINDS))
    side: str = field(metadata=col("string", "income or expenditure", SIDES))
    classification: str | None = field(
        metadata=col("string", "function, economic_dept, economic_gov or item", CLASSIFICATIONS))
    code: str | None = field(metadata=col("string", "subject code as printed (null for named rows)"))
    name: str | None = field(metadata=col("string", "row name as printed"))
    level: int | None = field(
        metadata=col("integer", "1, 2, 3 for function codes (类/款/项); 1, 2 for economic codes"))
    parent_code: str | None = field(metadata=col("string", "code one level up"))
    row_role: str = field(metadata=col("string", "detail, subtotal or total", ROW_ROLES))
    measure: str = field(metadata=col("string", "the column, SCHEMA.md measure vocabulary", MEASURES))
    measure_label: str | None = field(metadata=col("string", "the column header as printed"))
    amount: str = field(metadata=col("decimal", "amount as printed, in `unit`", unit="`unit` (万元 or 元)"))
    unit: str | None = field(metadata=col("string", "unit of `amount` (万元 or 元)"))
    amount_yuan: str | None = field(metadata=col("decimal", "the amount in yuan", unit="元"))
    locator: dict[str, Any] | None = None
    seq: str | None = field(
        default=None, metadata=col("string", "printed row number (序号) when the table has one"))
    # the function code a summary's named 类 row maps to (tables/class_codes.py), when it maps
    mapped_code: str | None = OMIT


@dataclass(frozen=True, kw_only=True)
class Indicator(Record):
    """One row of a performance-target table."""

    TYPE: ClassVar[str] = "indicator"
    doc: str
    table_kind: str = field(
        metadata=col("string", "performance_targets or overall_performance_targets", PERFORMANCE_KINDS))
    project: str | None = field(metadata=col("string", "project name (null for overall targets)"))
    project_amount: str | None = field(
        metadata=col("decimal", "project amount in 万元 when printed", unit="万元"))
    level1: str | None = field(metadata=col("string", "一级指标"))
    level2: str | None = field(metadata=col("string", "二级指标"))
    level3: str | None = field(metadata=col("string", "三级指标: the indicator's name"))
    description: str | None = field(metadata=col("string", "绩效指标描述 when printed"))
    operator: str | None = field(metadata=col("string", "≥, ≤, =, >, < (null for qualitative targets)"))
    value: str | None = field(metadata=col("string", "target value: decimal string or qualitative text"))
    value_unit: str | None = field(metadata=col("string", "unit of the target value"))
    value_kind: str = field(
        metadata=col("string", "numeric, percent, date, qualitative, not_applicable, empty", VALUE_KINDS))
    raw: str | None = field(metadata=col("string", "the target cell exactly as printed"))
    basis: str | None = field(metadata=col("string", "指标值确定依据 when printed"))
    locator: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class Fact(Record):
    """A figure stated in the narrative (情况说明)."""

    TYPE: ClassVar[str] = "fact"
    doc: str
    fact: str = field(metadata=col("string", "which figure (SCHEMA.md fact vocabulary)", _facts))
    amount: str = field(
        metadata=col("decimal", "amount as stated, in `unit`", unit="`unit` (万元, 元 or 亿元)"))
    unit: str | None = field(metadata=col("string", "unit of `amount`"))
    amount_yuan: str | None = field(metadata=col("decimal", "the amount in yuan", unit="元"))
    sentence: str | None = field(metadata=col("string", "the sentence the figure came from"))
    locator: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class Check(Record):
    """One validation run on a document; a failed check flags data, it never drops or corrects it."""

    TYPE: ClassVar[str] = "check"
    doc: str
    check: str = field(metadata=col(
        "string", "which validation (SCHEMA.md check vocabulary and the performance parser's flags on "
        "suspect targets)", _checks))
    ok: bool = field(metadata=col("boolean", "whether it passed"))
    subject: Any = field(metadata=col("string", "what was compared, e.g. the subject code"))
    expected: Any = field(
        metadata=col("decimal", "expected value, when numeric (else only in expected_text)"))
    actual: Any = field(metadata=col("decimal", "actual value, when numeric (else only in actual_text)"))
    table_kind: str = field(default=OMIT, metadata=col(
        "string", "table the check ran on, when it names one (a cross_table check names both, joined "
        "by `|`)"))
    measure: str = field(default=OMIT, metadata=col("string", "measure compared, when it names one"))
    unit: str | None = OMIT
    sentence: str | None = OMIT  # narrative_matches_table: the sentence the fact came from
    parts: list[str] = OMIT  # columns_sum: the columns summed
    # the per-table coverage check (checks/coverage.py): which table, and the printed amounts no record holds
    table_title: str | None = OMIT
    table_locator: dict[str, Any] | None = OMIT
    ratio: float = OMIT
    missed: list[dict[str, Any]] = OMIT
    excluded: dict[str, int] = OMIT  # printed numbers the coverage check does not count, by reason
    locator: dict[str, Any] | None = OMIT


RECORD_TYPES: tuple[type[Record], ...] = (Document, Table, LineItem, Indicator, Fact, Check)
BY_TYPE: dict[str, type[Record]] = {cls.TYPE: cls for cls in RECORD_TYPES}
