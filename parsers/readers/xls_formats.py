"""Number formats of a legacy `.xls` workbook, so `3200.00` prints as `3200.00`, not `3200`.

python-calamine reads `.xls` values fast but, as for XLSX, without their number formats; xlrd
(BIFF reader, `formatting_info=True`) has them in the XF records. Failing here only loses the
formatting, never the values: the caller falls back to plain float printing.
"""

from __future__ import annotations

SheetFormats = dict[str, dict[tuple[int, int], str]]

MAX_FORMATTED_CELLS = 2_000_000


def xls_formats(data: bytes) -> SheetFormats:
    """Per sheet name, the number format of every numeric cell, keyed by 1-based (row, col)."""
    import xlrd

    out: SheetFormats = {}
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception:
        return out  # e.g. BIFF5/WPS variants xlrd cannot format: values still come from calamine
    try:
        seen = 0
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            fmts: dict[tuple[int, int], str] = {}
            for r in range(sheet.nrows):
                for c, cell in enumerate(sheet.row(r)):
                    if cell.ctype != xlrd.XL_CELL_NUMBER:
                        continue
                    seen += 1
                    if seen > MAX_FORMATTED_CELLS:
                        return out
                    fmt = book.format_map.get(book.xf_list[cell.xf_index].format_key)
                    if fmt is not None and fmt.format_str:
                        fmts[(r + 1, c + 1)] = fmt.format_str
            out[sheet.name] = fmts
            book.unload_sheet(index)
    except Exception:
        return out
    finally:
        book.release_resources()
    return out
