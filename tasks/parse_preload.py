"""Imported once by the parse forkserver so each sandboxed parse starts with the readers loaded.

The parsers import their heavy readers lazily (a worker that never sees a DOCX never loads
python-docx); in the sandbox every parse is a fresh child, so lazy imports would be paid on every
file. Forking from a server that already holds them makes a child's start cost a fork, not a second
of imports. OCR (onnxruntime) is left lazy: it is rare and large.
"""

from __future__ import annotations

import gc

import docx  # noqa: F401
import lxml.html  # noqa: F401
import openpyxl  # noqa: F401
import pdfplumber  # noqa: F401

import govbudget.parsers.checks
import govbudget.parsers.convert
import govbudget.parsers.docx_reader
import govbudget.parsers.html_reader
import govbudget.parsers.narrative
import govbudget.parsers.pdf_reader
import govbudget.parsers.performance
import govbudget.parsers.sheet_reader
import govbudget.parsers.tables.amounts
import govbudget.tasks.parse_sandbox  # noqa: F401

# Everything loaded so far lives as long as the server: move it out of the collector's sight, so a
# child's first full collection neither walks nor copies (copy-on-write) the whole preloaded heap.
gc.freeze()
