"""The `budget-tables` parser: PDF and spreadsheet disclosures with the standard 部门预算 tables.

Reads the file into the row stream, finds the standard tables by title, and emits the `document`
record, then each table's `table` record followed by its `line_item` records.
"""

from __future__ import annotations

from typing import Any

from govbudget.parsers.checks.enrich import enrich
from govbudget.parsers.file_title import file_title
from govbudget.parsers.grid import ReadDocument
from govbudget.parsers.metadata import document_meta, settle_scope
from govbudget.parsers.outcome import ParseOutcome, document_record
from govbudget.parsers.tables.class_codes import add_mapped_codes
from govbudget.parsers.tables.interpret import interpret
from govbudget.parsers.tables.segments import find_tables
from govbudget.parsers.version import PARSER_VERSION


class BudgetTablesParser:
    """Standard budget tables from PDF, spreadsheets, Word, HTML and images (OCR)."""

    name = "budget-tables"
    version = PARSER_VERSION
    formats = frozenset({"pdf", "xlsx", "xls", "et", "docx", "doc", "wps", "html", "image"})

    def score(self, data: bytes, fmt: str) -> float:
        """Any file of a supported format; more specific parsers may outscore this one."""
        return 0.5 if fmt in self.formats else 0.0

    def parse(self, data: bytes, *, fmt: str, sha256: str, filename: str | None) -> ParseOutcome:
        """Read, recognise, interpret; a table that fails makes the outcome `partial`."""
        doc = _read(data, fmt)
        label = f"{self.name}@{self.version}"
        tables, facts = find_tables(doc.rows)
        meta = document_meta(tables, facts["first_text"], doc.pages, doc.title, facts["info"], rows=doc.rows,
                             property_title=None if doc.title else file_title(data, fmt))
        errors = list(doc.warnings)
        body: list[dict[str, Any]] = []
        for t in tables:
            result = interpret(t, doc=sha256, defaults=meta)
            errors.extend(result.errors)
            body.append(result.table)
            body.extend(result.items)
        add_mapped_codes(body)
        performance_tables = enrich(doc.rows, body, meta=meta, doc=sha256)  # indicators, facts, checks
        settle_scope(meta, tables)
        _inherit_document_meta(body, meta)
        if not tables and not performance_tables and not any(r["type"] == "fact" for r in body):
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


def _read(data: bytes, fmt: str) -> ReadDocument:
    """The row stream of a file, by its detected format."""
    if fmt == "pdf":
        from govbudget.parsers.pdf_reader import read_pdf

        return read_pdf(data)
    if fmt == "docx":
        from govbudget.parsers.docx_reader import read_docx

        return read_docx(data)
    if fmt == "html":
        from govbudget.parsers.html_reader import read_html

        return read_html(data)
    if fmt == "image":
        from govbudget.parsers.ocr_reader import read_image

        return read_image(data)
    if fmt in ("doc", "wps"):
        return _read_word(data, fmt)
    from govbudget.parsers.sheet_reader import read_sheets

    if fmt == "et":
        from govbudget.parsers.convert import convert

        return read_sheets(convert(data, "et"), "xlsx")
    return read_sheets(data, fmt)


def _read_word(data: bytes, fmt: str) -> ReadDocument:
    """DOC/WPS through LibreOffice to DOCX; antiword when LibreOffice cannot do it or lost tables.

    LibreOffice 7.4 drops every table of a Word 97 file that ends with a table (no paragraph after
    it, as LibreOffice itself writes such files): the cells come back as one run-on paragraph. When
    antiword reads more tables than LibreOffice did, antiword's reading is the better one.
    """
    from govbudget.parsers.convert import ConversionError, antiword_rows, convert
    from govbudget.parsers.docx_reader import read_docx

    try:
        doc = read_docx(convert(data, fmt))
    except ConversionError as exc:
        doc = antiword_rows(data)
        doc.warnings.insert(0, str(exc))
        return doc
    try:
        fallback = antiword_rows(data)
    except ConversionError:
        return doc
    if _table_count(fallback) > _table_count(doc):
        fallback.warnings.insert(0, f"LibreOffice read {_table_count(doc)} of the {_table_count(fallback)} "
                                    "tables antiword found; read with antiword")
        fallback.title = fallback.title or doc.title
        return fallback
    return doc


def _table_count(doc: ReadDocument) -> int:
    return len({r.locator.get("table") for r in doc.rows if r.kind == "table"})
