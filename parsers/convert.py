"""DOC, WPS and ET through LibreOffice headless: convert to DOCX/XLSX in a temporary folder, then read.

stack_facts.md measured that antiword recovers only about half the amounts of wide tables while
LibreOffice → DOCX → python-docx recovers every row, so LibreOffice comes first and antiword is the
fallback for Word-like files when LibreOffice is missing, times out or fails. Each conversion gets its
own LibreOffice profile directory so concurrent workers never share (and lock) one.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from govbudget.parsers.grid import ReadDocument, Row

TIMEOUT_SECONDS = 180
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
    """Word text through antiword: table rows come out `|`-separated, other lines as text."""
    binary = shutil.which("antiword")
    if binary is None:
        raise ConversionError("antiword is not installed")
    with tempfile.NamedTemporaryFile(suffix=".doc") as f:
        f.write(data)
        f.flush()
        try:
            proc = subprocess.run([binary, "-m", "UTF-8.txt", "-w", "0", f.name], capture_output=True,
                                  timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ConversionError(f"antiword timed out after {timeout:.0f} s") from exc
    if proc.returncode != 0:
        raise ConversionError(f"antiword failed: {proc.stderr.decode('utf-8', 'replace').strip()[:300]}")
    rows: list[Row] = []
    for n, line in enumerate(proc.stdout.decode("utf-8", "replace").splitlines(), start=1):
        if line.strip().startswith("|"):
            cells = tuple(" ".join(c.split()) for c in line.strip().strip("|").split("|"))
            if any(cells):
                rows.append(Row(cells, "table", {"line": n}))
        elif line.strip():
            rows.append(Row((" ".join(line.split()),), "text", {"line": n}))
    return ReadDocument(rows=rows, pages=1, warnings=["read with antiword: merged table cells may be lost"])
