"""The columns of every exported file: one typed schema per SCHEMA.md record type.

The schema is declared once here and turned into both the Arrow schema the files are written with and
the Frictionless table schema in `datapackage.json`, so the two can never disagree. A record type that
no parser emits yet still gets its file, with these columns and no rows: a researcher's script that
loads `indicators.parquet` works today and keeps working when the parsers start filling it.

Every file starts with the same provenance columns, so any number can be traced back to the archived
bytes (`sha256`), where they were fetched (`source_url`, `captured_at`) and where on the page or
sheet it stands (`locator`). Fields a parser adds later that are not declared here land in `extra`
(a JSON object) rather than being dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from govbudget.parsers.checks import CHECKS
from govbudget.parsers.narrative.facts import FACTS
from govbudget.parsers.outcome import STATUSES
from govbudget.parsers.performance.garbage import GARBAGE_CHECKS
from govbudget.parsers.tables.measures import MEASURES
from govbudget.parsers.tables.titles import TABLE_KINDS

# Amounts are printed with at most 2 decimals in 万元 (4–6 after conversion is still exact at this
# scale); 24 digits hold any budget in yuan. A value needing more decimals is kept in `extra`, not rounded.
# (A check's worded expectation is no decimal: it stands in `expected_text`/`actual_text` only.)
DECIMAL_PRECISION = 24
DECIMAL_SCALE = 6

KINDS = ("string", "integer", "decimal", "boolean", "datetime", "object", "array")

_ARROW = {
    "string": pa.string(),
    "integer": pa.int64(),
    "decimal": pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE),
    "boolean": pa.bool_(),
    "datetime": pa.timestamp("us", tz="UTC"),
    # JSON text: readable by every tool (DuckDB `json`, pandas `json.loads`, R `jsonlite`) and CSV-safe.
    "object": pa.string(),
    "array": pa.string(),
}

_FRICTIONLESS = {
    "string": "string",
    "integer": "integer",
    "decimal": "number",
    "boolean": "boolean",
    "datetime": "datetime",
    "object": "object",
    "array": "array",
}


# The vocabularies a column's values come from (SCHEMA.md), as `enum` constraints in datapackage.json
# and allowed values in docs/DATA_DICTIONARY.md. Parser vocabularies are imported, never copied.
PHASES = ("budget", "final")
SCOPES = ("government", "department", "unit")
SIDES = ("income", "expenditure")
CLASSIFICATIONS = ("function", "economic_dept", "economic_gov", "item")
ROW_ROLES = ("detail", "subtotal", "total")
VALUE_KINDS = ("numeric", "percent", "date", "qualitative", "not_applicable", "empty")
CHECK_NAMES = (*CHECKS, *GARBAGE_CHECKS)


@dataclass(frozen=True)
class Field:
    """One column: its name, kind (one of `KINDS`), what it means, its allowed values (empty: any)
    and the unit of its numbers when it has one."""

    name: str
    kind: str
    description: str
    values: tuple[str, ...] = ()
    unit: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"field {self.name}: kind must be one of {KINDS}, got {self.kind!r}")

    @property
    def arrow_type(self) -> pa.DataType:
        return _ARROW[self.kind]

    def frictionless(self) -> dict[str, object]:
        out: dict[str, object] = {
            "name": self.name, "type": _FRICTIONLESS[self.kind], "description": self.description,
        }
        if self.values:
            out["constraints"] = {"enum": list(self.values)}
        if self.unit:
            out["unit"] = self.unit
        if self.kind == "decimal":
            out["decimalChar"] = "."
            out["bareNumber"] = True
        if self.kind == "object":
            out["description"] = f"{self.description} (a JSON object)"
        if self.kind == "array":
            out["description"] = f"{self.description} (a JSON array)"
        return out


def F(name: str, kind: str, description: str, values: tuple[str, ...] = (), unit: str | None = None) -> Field:
    return Field(name, kind, description, values, unit)


PROVENANCE = (
    F("sha256", "string", "SHA-256 of the archived file the row comes from: the key of the archive object"),
    F("source_url", "string", "URL the file was fetched from (its latest capture)"),
    F("captured_at", "datetime", "when that capture was fetched (UTC)"),
    F("locator", "object", "where in the file the row stands: page/sheet and row (null for a whole file)"),
    F("region_code", "string", "GB/T 2260 code of the file's own region (see `region_source`), when known"),
    F("region_source", "string",
      "what told the region: document (named in the file), link (its link or title), site (the portal's "
      "SiteIDCode), crawl (the crawl's --region); null: unknown"),
    F("fiscal_year", "integer", "fiscal year of the disclosure"),
)

# Which disclosure a row belongs to and whether it is the copy to count (exports/disclosures.py).
DISCLOSURE = (
    F("disclosure_id", "string", "the disclosure the file is a copy of: files with the same region, "
      "department, fiscal year, phase and kind, or the same tables and amounts, share it"),
    F("canonical", "boolean", "the row is the copy to count: a record's file is its disclosure's "
      "counted copy of the record's table (most complete parse of it; XLSX, then text PDF, on a tie); a "
      "document counts for at least one table. Sum over canonical rows to count every disclosure once"),
    F("superseded_by", "string", "sha256 of a later capture of the disclosure in the same format "
      "printing the same tables (a revised version) that replaces this file, else null"),
)

EXTRA = F("extra", "object", "record fields not declared in this schema, and values that failed their type")

DOCUMENT = (
    F("referrer", "string", "the page that linked to the file"),
    F("link_text", "string", "text of the link the file was found under"),
    F("doc_kind", "string", "crawler's classification: budget, final, three_public, performance"),
    F("format", "string", "detected real format: pdf, xlsx, xls, docx, doc, ..."),
    F("title", "string", "the document's own heading (or the link text when unparsed)"),
    F("department", "string", "the disclosing body as printed"),
    F("unit_code", "string", "budget unit code printed beside the department"),
    F("scope", "string", "government, department (部门预算, consolidated) or unit (单位预算)", SCOPES),
    F("phase", "string", "budget (预算) or final (决算)", PHASES),
    F("pages", "integer", "page or sheet count"),
    F("size", "integer", "size of the archived file in bytes", unit="bytes"),
    F("parser", "string", "name@version of the parser that produced the records"),
    F("status", "string", "parse status: ok, partial, failed (null: not parsed yet)", STATUSES),
    F("errors", "array", "why the parse was partial or failed"),
    F("canonical_kinds", "array", "the table kinds this file is its disclosure's counted copy of"),
)

TABLE_ID = F("table_id", "string", "the table: its file's sha256 and its position among the file's "
             "tables (`<sha256>:t3`)")
RECORD_ID = F("record_id", "string", "the row: its file's sha256, its record type and position "
              "among the file's records of that type (`<sha256>:li12`)")

TABLE = (
    TABLE_ID,
    F("table_kind", "string", "standard table (SCHEMA.md vocabulary)", TABLE_KINDS),
    F("title", "string", "table title as printed"),
    F("unit", "string", "unit the table states (万元 or 元)"),
    F("department", "string", "department as printed on the table"),
    F("unit_code", "string", "budget unit code printed on the table"),
    F("rows", "integer", "data rows read"),
    F("declared_empty", "boolean", "the table is printed but declared empty (本表无数据)"),
    F("project", "string", "project name (performance target tables)"),
    F("project_prefix", "string", "project code prefix when printed (FM, ZK, ...)"),
    F("goals", "array", "performance goals text (绩效目标)"),
)

LINE_ITEM = (
    RECORD_ID,
    F("table_id", "string", "the table the amount stands in (tables.table_id), null when not found"),
    F("table_kind", "string", "standard table the amount stands in", TABLE_KINDS),
    F("side", "string", "income or expenditure", SIDES),
    F("classification", "string", "function, economic_dept, economic_gov or item", CLASSIFICATIONS),
    F("code", "string", "subject code as printed (null for named rows)"),
    F("name", "string", "row name as printed"),
    F("level", "integer", "1, 2, 3 for function codes (类/款/项); 1, 2 for economic codes"),
    F("parent_code", "string", "code one level up"),
    F("row_role", "string", "detail, subtotal or total", ROW_ROLES),
    F("measure", "string", "the column, SCHEMA.md measure vocabulary", MEASURES),
    F("measure_label", "string", "the column header as printed"),
    F("amount", "decimal", "amount as printed, in `unit`", unit="`unit` (万元 or 元)"),
    F("unit", "string", "unit of `amount` (万元 or 元)"),
    F("amount_yuan", "decimal", "the amount in yuan", unit="元"),
    F("seq", "string", "printed row number (序号) when the table has one"),
)

INDICATOR = (
    RECORD_ID,
    F("table_id", "string", "the target table the row stands in (tables.table_id), null when not found"),
    F("table_kind", "string", "performance_targets or overall_performance_targets",
      ("performance_targets", "overall_performance_targets")),
    F("project", "string", "project name (null for overall targets)"),
    F("project_amount", "decimal", "project amount in 万元 when printed", unit="万元"),
    F("level1", "string", "一级指标"),
    F("level2", "string", "二级指标"),
    F("level3", "string", "三级指标: the indicator's name"),
    F("description", "string", "绩效指标描述 when printed"),
    F("operator", "string", "≥, ≤, =, >, < (null for qualitative targets)"),
    F("value", "string", "target value: decimal string or qualitative text"),
    F("value_unit", "string", "unit of the target value"),
    F("value_kind", "string", "numeric, percent, date, qualitative, not_applicable, empty", VALUE_KINDS),
    F("raw", "string", "the target cell exactly as printed"),
    F("basis", "string", "指标值确定依据 when printed"),
)

FACT = (
    RECORD_ID,
    F("fact", "string", "which figure (SCHEMA.md fact vocabulary)", FACTS),
    F("amount", "decimal", "amount as stated, in `unit`", unit="`unit` (万元, 元 or 亿元)"),
    F("unit", "string", "unit of `amount`"),
    F("amount_yuan", "decimal", "the amount in yuan", unit="元"),
    F("sentence", "string", "the sentence the figure came from"),
)

CHECK = (
    RECORD_ID,
    F("check", "string", "which validation (SCHEMA.md check vocabulary and the performance parser's "
      "flags on suspect targets)", CHECK_NAMES),
    F("ok", "boolean", "whether it passed"),
    F("subject", "string", "what was compared, e.g. the subject code"),
    F("expected", "decimal", "expected value, when numeric (else only in expected_text)"),
    F("actual", "decimal", "actual value, when numeric (else only in actual_text)"),
    F("expected_text", "string", "expected value as emitted by the parser"),
    F("actual_text", "string", "actual value as emitted by the parser"),
    F("table_kind", "string", "table the check ran on, when it names one (a cross_table check names "
      "both, joined by `|`)"),
    F("measure", "string", "measure compared, when it names one"),
)


@dataclass(frozen=True)
class Resource:
    """One exported file: its name, the SCHEMA.md record type it holds, and its own fields."""

    name: str
    record_type: str
    title: str
    own: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()

    @property
    def fields(self) -> tuple[Field, ...]:
        shared = (*PROVENANCE, *DISCLOSURE)
        names = {f.name for f in shared}
        return (*shared, *(f for f in self.own if f.name not in names), EXTRA)

    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(f.name, f.arrow_type) for f in self.fields])


RESOURCES = (
    Resource("documents", "document", "archived disclosure files with their parse status", DOCUMENT,
             ("sha256",)),
    Resource("tables", "table", "recognised tables (a table split over pages is one table)", TABLE,
             ("table_id",)),
    Resource("line_items", "line_item", "one non-blank amount cell of a financial table", LINE_ITEM,
             ("record_id",)),
    Resource("indicators", "indicator", "one row of a performance-target table", INDICATOR, ("record_id",)),
    Resource("facts", "fact", "a figure stated in the narrative (情况说明)", FACT, ("record_id",)),
    Resource("checks", "check", "one validation run on a document", CHECK, ("record_id",)),
)
RESOURCE_BY_TYPE = {r.record_type: r for r in RESOURCES}

REGION = (
    F("region_code", "string", "GB/T 2260 code: the key every row's region_code refers to"),
    F("name", "string", "the division's name, e.g. 北戴河区"),
    F("full_name", "string", "province, city and name, e.g. 河北省秦皇岛市北戴河区"),
    F("level", "string", "province, city or county"),
    F("parent", "string", "code of the division above (null for a province)"),
    F("province", "string", "code of the province it lies in"),
)


@dataclass(frozen=True)
class LookupResource(Resource):
    """A file of reference rows (no provenance columns): the regions the exported rows' codes name."""

    @property
    def fields(self) -> tuple[Field, ...]:
        return self.own


REGIONS = LookupResource("regions", "region",
                         "the GB/T 2260 divisions named by region_code, with their parents", REGION,
                         ("region_code",))
