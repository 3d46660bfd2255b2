"""Writing the export: one Parquet or CSV file per record type plus a Frictionless `datapackage.json`.

Rows are streamed to the file in batches, so an export of the whole archive never holds every line
item in memory. Files are first written under a temporary name and renamed when complete, so a crash
mid-export leaves no half-written file that looks finished.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from itertools import islice
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from govbudget.exports.collect import DescribeRegion, Selection, file_documents, region_rows, resource_rows
from govbudget.exports.convert import Problems
from govbudget.exports.fields import REGIONS, RESOURCES, Resource

FORMATS = ("parquet", "csv")
BATCH_ROWS = 5000
_MEDIATYPES = {"parquet": "application/vnd.apache.parquet", "csv": "text/csv"}
CITATION = (
    "govbudget contributors. govbudget: Chinese government budget disclosures (部门预算/决算公开), "
    "archived and parsed, version {version}. Cite each figure with its source_url and sha256."
)
# Which column of a resource points at which other resource's key (line item → table → document →
# region); a reference to a resource the package does not hold is left out.
FOREIGN_KEYS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "documents": (("region_code", "regions", "region_code"),),
    "tables": (("sha256", "documents", "sha256"),),
    "line_items": (("table_id", "tables", "table_id"), ("sha256", "documents", "sha256")),
    "indicators": (("table_id", "tables", "table_id"), ("sha256", "documents", "sha256")),
    "facts": (("sha256", "documents", "sha256"),),
    "checks": (("sha256", "documents", "sha256"),),
}


class ExportError(ValueError):
    """An export that cannot be written as asked (unknown format, output not a folder)."""


@dataclass
class ExportSummary:
    """What an export wrote: rows per file, values that did not fit their column, the package path."""

    out_dir: Path
    fmt: str
    rows: dict[str, int] = field(default_factory=dict)
    problems: Problems = field(default_factory=Problems)
    files: dict[str, tuple[str, int]] = field(default_factory=dict)  # resource -> (sha256, bytes)
    parsers: list[str] = field(default_factory=list)

    @property
    def datapackage(self) -> Path:
        return self.out_dir / "datapackage.json"

    def as_dict(self) -> dict[str, Any]:
        return {
            "out_dir": str(self.out_dir), "format": self.fmt, "rows": self.rows,
            "invalid_values": self.problems.counts, "datapackage": str(self.datapackage),
        }


def _batches(resource: Resource, rows: Iterable[dict[str, Any]]) -> Iterator[pa.RecordBatch]:
    schema = resource.arrow_schema()
    it = iter(rows)
    while chunk := list(islice(it, BATCH_ROWS)):
        yield pa.RecordBatch.from_pylist(chunk, schema=schema)


def _csv_ready(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Timestamps as ISO 8601 text (`2022-03-22T08:00:00.000000Z`), the form Frictionless reads."""
    columns = []
    for col, fld in zip(batch.columns, batch.schema, strict=True):
        if pa.types.is_timestamp(fld.type):
            col = pa.array([None if v is None else v.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
                            for v in col.to_pylist()], pa.string())
        columns.append(col)
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _write_file(path: Path, fmt: str, resource: Resource, rows: Iterable[dict[str, Any]]) -> int:
    tmp = path.with_name(path.name + ".partial")
    count = 0
    schema = resource.arrow_schema()
    if fmt == "parquet":
        with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
            for batch in _batches(resource, rows):
                writer.write_batch(batch)
                count += batch.num_rows
    else:
        csv_schema = _csv_ready(pa.RecordBatch.from_pylist([], schema=schema)).schema
        with pacsv.CSVWriter(tmp, csv_schema) as writer:
            for batch in _batches(resource, rows):
                writer.write_batch(_csv_ready(batch))
                count += batch.num_rows
    tmp.replace(path)
    return count


def package_version() -> str:
    """govbudget's version (the package's own, not the parsers')."""
    try:
        return version("govbudget")
    except PackageNotFoundError:
        return "0+unknown"


def file_digest(path: Path) -> tuple[str, int]:
    """(sha256 hex, bytes) of a written file."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _foreign_keys(name: str, present: set[str]) -> list[dict[str, Any]]:
    return [
        {"fields": own, "reference": {"resource": other, "fields": key}}
        for own, other, key in FOREIGN_KEYS.get(name, ()) if other in present
    ]


def datapackage(
    fmt: str,
    selection: Selection,
    rows: dict[str, int],
    files: dict[str, tuple[str, int]] | None = None,
    parsers: list[str] | None = None,
    regions_complete: bool = True,
) -> dict[str, Any]:
    """The Frictionless Data Package descriptor for the files of one export: field types and enums,
    primary and foreign keys, each file's sha256 and size, govbudget's version, the parser versions of
    the exported records and a citation."""
    resources = []
    written = (*RESOURCES, REGIONS)
    # an empty `regions` (no region registry handed in), or one missing a code the documents name, is
    # no table to point at
    present = {res.name for res in written
               if res is not REGIONS or (rows.get(REGIONS.name) and regions_complete)}
    for res in written:
        schema: dict[str, Any] = {"fields": [f.frictionless() for f in res.fields]}
        if res.primary_key:
            schema["primaryKey"] = list(res.primary_key)
        if foreign := _foreign_keys(res.name, present):
            schema["foreignKeys"] = foreign
        descriptor: dict[str, Any] = {
            "name": res.name,
            "path": f"{res.name}.{fmt}",
            "title": res.title,
            "description": res.title if res is REGIONS else
            f"SCHEMA.md `{res.record_type}` records, one row each, with provenance columns",
            "format": fmt,
            "mediatype": _MEDIATYPES[fmt],
            "schema": schema,
        }
        if files and res.name in files and fmt == "csv":
            # Frictionless checks these against the file it reads; it reads Parquet through pandas and
            # counts no bytes, so a Parquet file's digest and size are in `govbudget.files` only.
            digest, size = files[res.name]
            descriptor["hash"] = f"sha256:{digest}"
            descriptor["bytes"] = size
        if fmt == "parquet":
            # Frictionless reads Parquet through pandas, which hands a null integer over as NaN.
            descriptor["schema"]["missingValues"] = ["", "nan", "NaN"]
        if fmt == "csv":
            descriptor["encoding"] = "utf-8"
            descriptor["profile"] = "tabular-data-resource"
        resources.append(descriptor)
    release = package_version()
    return {
        "name": "govbudget-export",
        "version": release,
        "title": "Chinese government budget disclosures (部门预算/决算公开), parsed and provenanced",
        "profile": "tabular-data-package" if fmt == "csv" else "data-package",
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "licenses": [{"name": "other-pd", "title": "Government disclosures; see each source_url"}],
        "sources": [{"title": "archived government portals; every row's source_url and sha256"}],
        "govbudget": {
            "version": release,
            "parsers": sorted(parsers or []),
            "citation": CITATION.format(version=release),
            "files": {f"{name}.{fmt}": {"sha256": digest, "bytes": size}
                      for name, (digest, size) in (files or {}).items()},
            "region": selection.region,
            "years": list(selection.years) if selection.years else None,
            "rows": rows,
        },
        "resources": resources,
    }


def export(
    catalog: Any,
    out_dir: Path,
    fmt: str = "parquet",
    selection: Selection = Selection(),  # noqa: B008
    on_resource: Callable[[str, int], None] | None = None,
    describe_region: DescribeRegion | None = None,
) -> ExportSummary:
    """Write every record type of the selected documents to `out_dir` as `fmt`, then the package.

    `on_resource(name, rows)` is called after each file (the CLI's progress bar). `describe_region`
    (code → division row, from the region registry the command passes) fills `regions`.
    """
    if fmt not in FORMATS:
        raise ExportError(f"format must be one of {FORMATS}, got {fmt!r}")
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir} exists and is not a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = ExportSummary(out_dir=out_dir, fmt=fmt)
    docs = file_documents(catalog, selection)
    summary.parsers = sorted({d["parser"] for d in docs if d.get("parser")})
    for res in RESOURCES:
        rows = resource_rows(catalog, res, docs, summary.problems)
        path = out_dir / f"{res.name}.{fmt}"
        summary.rows[res.name] = _write_file(path, fmt, res, rows)
        summary.files[res.name] = file_digest(path)
        if on_resource is not None:
            on_resource(res.name, summary.rows[res.name])
    regions = region_rows(docs, describe_region)
    summary.rows[REGIONS.name] = _write_file(out_dir / f"{REGIONS.name}.{fmt}", fmt, REGIONS, regions)
    summary.files[REGIONS.name] = file_digest(out_dir / f"{REGIONS.name}.{fmt}")
    named = {d["region_code"] for d in docs if d.get("region_code")}
    complete = named <= {r.get("region_code") for r in regions}
    package = datapackage(fmt, selection, summary.rows, summary.files, summary.parsers, complete)
    tmp = summary.datapackage.with_suffix(".json.partial")
    tmp.write_text(json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(summary.datapackage)
    return summary
