"""The columns of every exported file: one typed schema per SCHEMA.md record type.

The schema is declared once here and turned into both the Arrow schema the files are written with and
the Frictionless table schema in `datapackage.json`, so the two can never disagree. A record type that
no parser emits yet still gets its file, with these columns and no rows: a researcher's script that
loads `indicators.parquet` works today and keeps working when the parsers start filling it.

Every file starts with the same provenance columns, so any number can be traced back to the archived
bytes (`sha256`), where they were fetched (`source_url`, `captured_at`) and where on the page or
sheet it stands (`locator`). Fields a parser adds later that are not declared here land in `extra`
(a JSON object) rather than being dropped.

A record type's own columns are declared on its class (`govbudget.parsers.records`: each field's
type, meaning and allowed values), so a field a parser adds is a column the moment it is declared
there; this module adds only what the export itself knows: ids, provenance, the crawl's catalog
columns and the text renderings of a check's values.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from govbudget.parsers.records import (
    CLASSIFICATIONS,
    COLUMN_TYPES,
    PHASES,
    ROW_ROLES,
    SCOPES,
    SIDES,
    STATUSES,
    VALUE_KINDS,
    Check,
    Document,
    Fact,
    Indicator,
    LineItem,
    Record,
    Table,
)

# Amounts are printed with at most 2 decimals in 万元 (4–6 after conversion is still exact at this
# scale); 24 digits hold any budget in yuan. A value needing more decimals is kept in `extra`, not rounded.
# (A check's worded expectation is no decimal: it stands in `expected_text`/`actual_text` only.)
DECIMAL_PRECISION = 24
DECIMAL_SCALE = 6

KINDS = COLUMN_TYPES

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


# The vocabularies a column's values come from (SCHEMA.md) are `enum` constraints in datapackage.json
# and allowed values in docs/DATA_DICTIONARY.md; they are the parsers' own (parsers/records.py).
__all__ = ["CLASSIFICATIONS", "PHASES", "ROW_ROLES", "SCOPES", "SIDES", "STATUSES", "VALUE_KINDS"]


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


def record_fields(cls: type[Record], after: dict[str, tuple[Field, ...]] | None = None) -> tuple[Field, ...]:
    """The columns a record class declares, in its field order; `after` places export-only columns
    right after the named record column (`size` after `pages`)."""
    out: list[Field] = []
    for c in cls.FIELDS:
        out.append(F(c.name, c.kind, c.description, c.allowed(), c.unit))
        out.extend((after or {}).get(c.name, ()))
    return tuple(out)


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
    *record_fields(Document, after={"pages": (F("size", "integer", "size of the archived file in bytes",
                                                 unit="bytes"),)}),
    F("canonical_kinds", "array", "the table kinds this file is its disclosure's counted copy of"),
)

TABLE_ID = F("table_id", "string", "the table: its file's sha256 and its position among the file's "
             "tables (`<sha256>:t3`)")
RECORD_ID = F("record_id", "string", "the row: its file's sha256, its record type and position "
              "among the file's records of that type (`<sha256>:li12`)")

TABLE = (TABLE_ID, *record_fields(Table))

LINE_ITEM = (
    RECORD_ID,
    F("table_id", "string", "the table the amount stands in (tables.table_id), null when not found"),
    *record_fields(LineItem),
)

INDICATOR = (
    RECORD_ID,
    F("table_id", "string", "the target table the row stands in (tables.table_id), null when not found"),
    *record_fields(Indicator),
)

FACT = (RECORD_ID, *record_fields(Fact))

CHECK = (
    RECORD_ID,
    *record_fields(Check, after={"actual": (
        F("expected_text", "string", "expected value as emitted by the parser"),
        F("actual_text", "string", "actual value as emitted by the parser"),
    )}),
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
