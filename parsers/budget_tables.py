"""The `budget-tables` parser: PDF and spreadsheet disclosures with the standard 部门预算 tables.

Reads the file into the row stream, finds the standard tables by title, and emits the `document`
record, then each table's `table` record followed by its `line_item` records.
"""

from __future__ import annotations

from typing import Any

from govbudget.parsers.checks.coverage import coverage_errors, document_coverage
from govbudget.parsers.checks.enrich import enrich
from govbudget.parsers.file_title import file_title
from govbudget.parsers.metadata import document_meta, settle_scope
from govbudget.parsers.outcome import ParseOutcome, document_record
from govbudget.parsers.readers import FORMATS, read
from govbudget.parsers.tables.class_codes import add_mapped_codes
from govbudget.parsers.tables.interpret import interpret
from govbudget.parsers.tables.other import other_tables
from govbudget.parsers.tables.segments import find_tables
from govbudget.parsers.version import PARSER_VERSION


class BudgetTablesParser:
    """Standard budget tables from PDF, spreadsheets, Word, HTML and images (OCR)."""

    name = "budget-tables"
    version = PARSER_VERSION
    formats = FORMATS

    def score(self, data: bytes, fmt: str) -> float:
        """Any file of a supported format; more specific parsers may outscore this one."""
        return 0.5 if fmt in self.formats else 0.0

    def parse(self, data: bytes, *, fmt: str, sha256: str, filename: str | None) -> ParseOutcome:
        """Read, recognise, interpret; a table that fails makes the outcome `partial`."""
        doc = read(data, fmt)
        label = f"{self.name}@{self.version}"
        tables, facts = find_tables(doc.rows)
        meta = document_meta(tables, facts["first_text"], doc.pages, doc.title, facts["info"], rows=doc.rows,
                             property_title=None if doc.title else file_title(data, fmt))
        errors = list(doc.warnings)
        body: list[dict[str, Any]] = []
        measured: list[tuple[Any, dict[str, Any]]] = []
        # titled tables no kind names come last: kind `other`, read all the same (tables/other.py)
        read_tables = [*tables, *other_tables(doc.rows, tables)]
        for t in read_tables:
            result = interpret(t, doc=sha256, defaults=meta)
            errors.extend(result.errors)
            body.append(result.table)
            body.extend(result.items)
            measured.append((t, result.table))
        add_mapped_codes(body)
        # indicators, facts, checks (the `coverage` check among them: printed amounts vs line items)
        performance_tables = enrich(doc.rows, body, meta=meta, doc=sha256, tables=measured)
        errors.extend(coverage_errors(body))
        meta["coverage"] = document_coverage(body)
        meta["coverage_unmeasured"] = performance_tables
        settle_scope(meta, tables)
        _inherit_document_meta(body, meta)
        if not read_tables and not performance_tables and not any(r["type"] == "fact" for r in body):
            errors.append("no standard budget table was recognised" if doc.rows else "no text could be read")
            status = "failed"
        else:
            status = "partial" if errors else "ok"
        document = document_record(sha256=sha256, fmt=fmt, parser=label, status=status, errors=errors,
                                   meta=meta)
        return ParseOutcome(status=status, parser=label, errors=errors, document=document,
                            records=[document, *body])


def _inherit_document_meta(body: list[dict[str, Any]], meta: dict[str, Any]) -> None:
    """A table that prints no year or department belongs to its document's (found after `interpret`).

    The narrative and the file's title property are read after the tables, so a table interpreted
    early can miss what the document record ends up with; a researcher joining tables by year
    should not find a null where the document states it.
    """
    for record in body:
        if record["type"] != "table":
            continue
        for key in ("fiscal_year", "department"):
            if record.get(key) is None and meta.get(key) is not None:
                record[key] = meta[key]
