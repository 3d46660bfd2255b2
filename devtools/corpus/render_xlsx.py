"""Render a seed (or a variant) as an XLSX workbook, the way budget systems export one.

One sheet per table: title row, header block rows, the header rows with their merged cells, then the
logical data rows (no page splits in a spreadsheet, so wrapped names are whole). Amounts are numbers with
`0.00` where printed with two decimals; codes stay text; blank cells stay blank, never 0.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from functools import cache
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from .layouts import header_cells, layout_for
from .seeds import SEEDS
from .seedtables import SeedTable, norm, pad
from .variants import Variant, load_document

FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)
_AMOUNT = re.compile(r"^-?\d+(\.(\d+))?$")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def sheet_name(title: str | None, taken: set[str]) -> str:
    """A valid, unique sheet name (≤31 chars) from the table title."""
    base = _BAD_SHEET_CHARS.sub("", re.sub(r"\s+", " ", (title or "表").strip())) or "表"
    name, n = base[:31], 2
    while name in taken:
        suffix = f"({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def _put(ws: Worksheet, row: int, col: int, text: str, *, amount_col: bool) -> None:
    cell = ws.cell(row=row, column=col)
    cell.border = _BOX
    text = text.strip()
    if not text:
        return
    m = _AMOUNT.match(text) if amount_col else None
    if m:
        cell.value = float(text) if m.group(1) else int(text)
        cell.number_format = f"0.{'0' * len(m.group(2))}" if m.group(2) else "0"
        cell.alignment = Alignment(horizontal="right")
    else:
        cell.value = text
        cell.data_type = "s"  # a printed `=3000万元` is text, not a formula


def _write_table(ws: Worksheet, table: SeedTable) -> list[int]:
    """Write the table; return the 1-based sheet rows of its first and last data row."""
    width = max(table.width, 1)
    ws.cell(row=1, column=1, value=table.title or "")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    r = 2
    for line in table.header_block:
        ws.cell(row=r, column=1, value=line)
        r += 1
    layout = layout_for(table)
    lanci = [x for x in table.header_rows if x and norm(x[0]) == "栏次"]
    if layout is not None:
        cells = header_cells(table, layout)
        nrows = max(c.row + c.rowspan for c in cells)
        for c in cells:
            for rr in range(c.row, c.row + c.rowspan):
                for cc in range(c.col, c.col + c.colspan):
                    ws.cell(row=r + rr, column=cc + 1).border = _BOX
            ws.cell(row=r + c.row, column=c.col + 1, value=c.label).alignment = Alignment(
                horizontal="center", vertical="center", wrap_text=True)
            if c.rowspan > 1 or c.colspan > 1:
                ws.merge_cells(start_row=r + c.row, start_column=c.col + 1,
                               end_row=r + c.row + c.rowspan - 1, end_column=c.col + c.colspan)
        r += nrows
        head = lanci
    else:
        head = table.header_rows
    for row in head:
        for i, text in enumerate(pad(row, width)[:width]):
            _put(ws, r, i + 1, text, amount_col=False)
        r += 1
    amount_from = 2 if layout is not None and table.kind == "three_public_costs" else 3
    first = r
    for row in table.data_rows():
        for i, text in enumerate(row[:width]):
            is_seq = i == 0 and layout is not None
            _put(ws, r, i + 1, text, amount_col=is_seq or (layout is not None and i >= amount_from)
                 or (layout is None and i > 0))
        r += 1
    for note in table.notes:
        ws.cell(row=r, column=1, value=note)
        r += 1
    name_col = 1 if amount_from == 2 else 2
    for i in range(width):
        ws.column_dimensions[get_column_letter(i + 1)].width = 30 if i == name_col else 14
    return [first, max(first, r - len(table.notes) - 1)] if table.data_rows() else []


def _deterministic_zip(data: bytes) -> bytes:
    """Rewrite the archive with fixed member timestamps: zipfile stamps members with the current time."""
    src = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def render_xlsx(seed_id: str, *, variant: Variant | None = None, for_print: bool = False) -> bytes:
    """The seed's tables as XLSX bytes; identical bytes on every call.

    `for_print` adds the page set-up a finance office uses before "export to PDF" (landscape, every
    sheet one page wide, title and header rows repeated on each page): the source of the
    spreadsheet-exported PDF layout.
    """
    return _render(seed_id, variant, for_print)[0]


def xlsx_table_locators(seed_id: str, *, variant: Variant | None = None) -> list[dict]:
    """`{"sheet": name, "rows": [first, last]}` per table (rows 1-based, empty for no data rows)."""
    return _render(seed_id, variant)[1]


def _display_width(text: str) -> int:
    return max((sum(2 if ord(ch) > 0x2E80 else 1 for ch in line) for line in text.split("\n")), default=0)


def _print_setup(ws: Worksheet, grid_first_row: int, header_last_row: int) -> None:
    """Columns wide enough for their longest cell (capped, then wrapped) so no printed text is clipped."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows(min_row=grid_first_row):
        for cell in row:
            if cell.value is None or type(cell).__name__ == "MergedCell":
                continue
            wanted = min(_display_width(str(cell.value)) + 2, 48)
            widths[cell.column] = max(widths.get(cell.column, 8), wanted)
            horizontal = cell.alignment.horizontal
            cell.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    _fit_row_heights(ws, grid_first_row)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if header_last_row > 1:
        ws.print_title_rows = f"2:{header_last_row}"


def _fit_row_heights(ws: Worksheet, first_row: int) -> None:
    """Rows tall enough for their wrapped text, as Excel's auto-fit leaves them before an export.

    LibreOffice does not re-fit rows when it converts the file, so without explicit heights a wrapped
    cell prints one line tall and its other lines spill over the neighbouring rows (seed 001's indicator
    lists, 000's goals): the PDF would not state what the sheet holds.
    """
    span: dict[str, tuple[int, int]] = {}  # top-left coordinate → (columns, rows) of a merged range
    for rng in ws.merged_cells.ranges:
        span[f"{get_column_letter(rng.min_col)}{rng.min_row}"] = (
            rng.max_col - rng.min_col + 1, rng.max_row - rng.min_row + 1)
    for row in ws.iter_rows(min_row=first_row):
        lines = 1
        for cell in row:
            if cell.value is None or type(cell).__name__ == "MergedCell":
                continue
            cols, rows = span.get(cell.coordinate, (1, 1))
            width = sum(ws.column_dimensions[get_column_letter(cell.column + k)].width or 8.43
                        for k in range(cols))
            per_line = max(int(width) - 2, 4)
            parts = str(cell.value).split("\n")
            wrapped = sum(-(-max(_display_width(part), 1) // per_line) for part in parts)
            lines = max(lines, -(-wrapped // rows))
        if lines > 1:
            ws.row_dimensions[row[0].row].height = 15 * lines + 2


@cache
def _render(seed_id: str, variant: Variant | None, for_print: bool = False) -> tuple[bytes, list[dict]]:
    info = SEEDS[seed_id]
    doc = load_document(seed_id, variant)
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    locators = []
    for table in doc.tables:
        name = sheet_name(table.title, taken)
        ws = wb.create_sheet(name)
        rows = _write_table(ws, table)
        locators.append({"sheet": name, "rows": rows})
        if for_print:
            _print_setup(ws, 2 + len(table.header_block), (rows[0] - 1) if rows else 1)
    if not wb.sheetnames:
        wb.create_sheet("Sheet1")
    department = variant.department if variant else info.department
    wb.properties.creator = department
    wb.properties.lastModifiedBy = department
    wb.properties.title = f"{department}{variant.fiscal_year if variant else info.fiscal_year}年部门预算"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    return _deterministic_zip(buf.getvalue()), locators
