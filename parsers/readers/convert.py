"""DOC, WPS and ET through LibreOffice headless: convert to DOCX/XLSX in a temporary folder, then read.

stack_facts.md measured that antiword recovers only about half the amounts of wide tables while
LibreOffice → DOCX → python-docx recovers every row, so LibreOffice comes first and antiword is the
fallback for Word-like files when LibreOffice is missing, times out or fails. Each conversion gets its
own LibreOffice profile directory so concurrent workers never share (and lock) one.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from govbudget.parsers.grid import ReadDocument, Row, join_wrapped

TIMEOUT_SECONDS = 180
_DOCTYPE = re.compile(rb"<!DOCTYPE[^>]*>")  # antiword names an external DTD; nothing is fetched or needed
TARGETS = {"doc": ("doc", "docx"), "wps": ("wps", "docx"), "et": ("et", "xlsx"), "xls": ("xls", "xlsx")}


class ConversionError(ValueError):
    """The file could not be converted; the message says why."""


def soffice_path() -> str | None:
    """The LibreOffice binary, when installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(data: bytes, fmt: str, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The file converted by LibreOffice to DOCX (doc, wps) or XLSX (et, xls)."""
    binary = soffice_path()
    if binary is None:
        raise ConversionError("LibreOffice (soffice) is not installed")
    src_ext, target = TARGETS[fmt]
    with tempfile.TemporaryDirectory(prefix="govbudget-lo-") as tmp:
        folder = Path(tmp)
        src = folder / f"input.{src_ext}"
        src.write_bytes(data)
        out = folder / "out"
        cmd = [binary, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--norestore",
               "--convert-to", target, "--outdir", str(out), str(src)]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ConversionError(f"LibreOffice timed out after {timeout:.0f} s converting {fmt}") from exc
        result = out / f"input.{target}"
        if not result.is_file() or result.stat().st_size == 0:
            err = proc.stderr.decode("utf-8", "replace").strip()[-300:]
            raise ConversionError(f"LibreOffice could not convert {fmt} to {target}: {err or 'no output'}")
        return result.read_bytes()


def antiword_rows(data: bytes, timeout: float = 60) -> ReadDocument:
    """Word text through antiword's DocBook output (`-x db`): paragraphs as text, tables as grid rows.

    The DocBook form keeps each cell whole (`<row><entry>`), where the plain-text form wraps a long
    cell over several `|`-lines that cannot be told from new rows. Merged cells are not marked in it,
    so LibreOffice stays the first choice; this reads what LibreOffice cannot (see `budget_tables`).
    """
    binary = shutil.which("antiword")
    if binary is None:
        raise ConversionError("antiword is not installed")
    with tempfile.NamedTemporaryFile(suffix=".doc") as f:
        f.write(data)
        f.flush()
        try:
            proc = subprocess.run([binary, "-x", "db", f.name], capture_output=True, timeout=timeout,
                                  check=False)
        except subprocess.TimeoutExpired as exc:
            raise ConversionError(f"antiword timed out after {timeout:.0f} s") from exc
    if proc.returncode != 0:
        raise ConversionError(f"antiword failed: {proc.stderr.decode('utf-8', 'replace').strip()[:300]}")
    try:
        root = ElementTree.fromstring(_DOCTYPE.sub(b"", proc.stdout, count=1))
    except (ElementTree.ParseError, ValueError) as exc:
        raise ConversionError(f"antiword output is not DocBook XML: {exc}") from exc
    reader = _DocBookRows()
    for chapter in root.iter("chapter"):
        reader.walk(chapter)
    return ReadDocument(rows=reader.rows, pages=max(1, reader.tables),
                        warnings=["read with antiword: merged table cells are not marked"])


class _DocBookRows:
    """Collects antiword's DocBook body in order: `para` text lines and `informaltable` rows."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.tables = 0
        self._paragraphs = 0
        self._text: list[str] = []

    def walk(self, el: Element) -> None:
        if el.tag in ("informaltable", "table"):
            self._flush()
            self._table(el)
            return
        self._text.append(el.text or "")
        for child in el:
            if not (el.tag == "chapter" and child.tag == "title"):  # antiword's empty chapter title
                self.walk(child)
            self._text.append(child.tail or "")
        if el.tag == "para":
            self._flush()

    def _flush(self) -> None:
        text = " ".join("".join(self._text).split())
        self._text = []
        if text:
            self._paragraphs += 1
            self.rows.append(Row((text,), "text", {"paragraph": self._paragraphs}))

    def _table(self, el: Element) -> None:
        self.tables += 1
        for n, row in enumerate(el.iter("row"), start=1):
            texts = [join_wrapped("".join(entry.itertext())) for entry in row.iter("entry")]
            while texts and not texts[-1]:
                texts.pop()
            if texts:
                self.rows.append(Row(tuple(texts), "table", {"table": self.tables, "row": n}))
