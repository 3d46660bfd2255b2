"""Read XLSX and XLS into the row stream (one stream, all sheets in order).

python-calamine reads both formats fast but returns numbers as floats without their number format;
for XLSX the formats come from openpyxl (read-only), for XLS from xlrd (`parsers/xls_formats.py`),
so `3200.00` prints as `3200.00`, not `3200`.
"""

from __future__ import annotations

import datetime as dt
import io

import python_calamine

from govbudget.parsers.grid import ReadDocument, Row, join_wrapped
from govbudget.parsers.outcome import raise_if_out_of_memory
from govbudget.parsers.readers.number_format import format_number
from govbudget.parsers.readers.ooxml_limits import check_declared_size
from govbudget.parsers.readers.xls_formats import xls_formats

MAX_UNCOMPRESSED = 512 * 1024 * 1024  # refuse zip bombs before any XML is parsed
MAX_CELLS = 5_000_000


class SheetReadError(ValueError):
    """The workbook cannot be read; the message is the reason."""


def read_sheets(data: bytes, fmt: str) -> ReadDocument:
    """Every sheet's rows; a row is `text` when it is a lone non-numeric cell in the first column."""
    if fmt == "xlsx":
        check_declared_size(data, kind="xlsx", limit=MAX_UNCOMPRESSED, error=SheetReadError)
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:
        raise SheetReadError(f"{fmt} cannot be opened: {type(exc).__name__}: {exc}") from exc
    formats, title = _xlsx_formats(data) if fmt == "xlsx" else (xls_formats(data), None)
    rows: list[Row] = []
    warnings: list[str] = []
    cells = 0
    for name in wb.sheet_names:
        try:
            sheet = wb.get_sheet_by_name(name)
            values = sheet.to_python(skip_empty_area=False)
        except Exception as exc:
            raise_if_out_of_memory(exc)
            warnings.append(f"sheet {name!r}: {type(exc).__name__}: {exc}")
            continue
        fmts = formats.get(name, {})
        for r, raw in enumerate(values, start=1):
            cells += len(raw)
            if cells > MAX_CELLS:
                raise SheetReadError(f"{fmt} has more than {MAX_CELLS} cells")
            texts = tuple(_text(v, fmts.get((r, c))) for c, v in enumerate(raw, start=1))
            while texts and not texts[-1]:
                texts = texts[:-1]
            if not texts:
                continue
            rows.append(Row(texts, _kind(texts, raw), {"sheet": name, "row": r}))
    return ReadDocument(rows=rows, pages=len(wb.sheet_names), warnings=warnings, title=title)


def _kind(texts: tuple[str, ...], raw: list[object]) -> str:
    filled = [i for i, t in enumerate(texts) if t]
    if filled == [0] and isinstance(raw[0], str):
        return "text"
    return "table"


def _text(value: object, number_format: str | None) -> str:
    """A cell's printed text."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return format_number(value, number_format)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return join_wrapped(str(value))


def _xlsx_formats(data: bytes) -> tuple[dict[str, dict[tuple[int, int], str]], str | None]:
    """Number formats of the numeric cells per sheet, keyed by 1-based (row, col), and the title property.

    Any failure here only loses formatting, never the values: it returns what it has.
    """
    import openpyxl

    out: dict[str, dict[tuple[int, int], str]] = {}
    if not openpyxl.DEFUSEDXML:  # OPENPYXL_DEFUSEDXML=False would parse sheets with the bare stdlib
        return out, None
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        return out, None
    title = (wb.properties.title or "").strip() or None
    try:
        for ws in wb.worksheets:
            ws.reset_dimensions()  # WPS-saved files can claim a 1x1 dimension
            fmts: dict[tuple[int, int], str] = {}
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(getattr(cell, "value", None), int | float) and cell.number_format:
                        fmts[(cell.row, cell.column)] = cell.number_format
            out[ws.title] = fmts
    except Exception:
        return out, title
    finally:
        wb.close()
    return out, title
