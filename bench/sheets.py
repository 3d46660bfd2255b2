"""Spreadsheets: our reader (`parsers.readers.sheet.read_sheets`) vs raw python-calamine, in cells/s.

Our reader costs more than calamine alone because it also reads the XLSX number formats with
openpyxl (so `3200.00` stays `3200.00`) and builds the row stream; this figure says how much more.
"""

from __future__ import annotations

import io
import time

import python_calamine

from bench.harness import Context, Row, Section, rounds
from govbudget.corpus.documents import disclosures
from govbudget.parsers.readers.sheet import read_sheets


def calamine_cells(data: bytes) -> int:
    wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return sum(len(row) for name in wb.sheet_names
               for row in wb.get_sheet_by_name(name).to_python(skip_empty_area=False))


def run(ctx: Context) -> Section:
    files = [d.data for d in disclosures() if d.fmt == "xlsx"]
    files = files[:1] if ctx.quick or ctx.tiny else files
    repeat = 1 if ctx.tiny else (3 if ctx.quick else 10)
    cells = sum(calamine_cells(f) for f in files) * repeat

    def loop(fn) -> float:  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        for _ in range(repeat):
            for data in files:
                fn(data)
        return cells / (time.perf_counter() - t0)

    med = rounds(ctx, {"ours": lambda: loop(lambda d: read_sheets(d, "xlsx")),
                       "calamine": lambda: loop(calamine_cells)})
    section = Section("Spreadsheets", f"{len(files)} rendered XLSX disclosures × {repeat}, "
                                      f"{cells // repeat} cells each pass")
    section.rows.append(Row("cells/s", med["ours"], med["calamine"], "python-calamine to_python", "cells/s",
                            med["ours"] / med["calamine"]))
    section.notes.append("ratio = ours / calamine (1.0 = as fast as raw calamine)")
    return section
