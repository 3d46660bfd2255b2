"""Convert documents with LibreOffice headless (XLSX → XLS/PDF, DOCX → DOC), cached on disk.

A conversion costs about a second and LibreOffice stamps times into its output, so every result is kept
under a cache folder keyed by the SHA-256 of (target format, input bytes): the same input gives the same
bytes on this machine for as long as the cache lives, and tests reuse what an earlier run converted.
Misses are converted in one `soffice` run (start-up is most of the cost) with a private user profile,
so concurrent runs by other processes never fight over LibreOffice's profile lock.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

SOFFICE_TIMEOUT = 300  # seconds for one batch


class ConversionError(RuntimeError):
    """LibreOffice is missing, timed out or produced no output."""


def cache_dir() -> Path:
    """`GOVBUDGET_CORPUS_CACHE`, else `$XDG_CACHE_HOME/govbudget/corpus` (`~/.cache/...`)."""
    explicit = os.environ.get("GOVBUDGET_CORPUS_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "govbudget" / "corpus"


def _key(data: bytes, target: str) -> str:
    return hashlib.sha256(target.encode() + b"\0" + data).hexdigest()


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise ConversionError("LibreOffice (soffice) is not installed: run `bash bootstrap.sh install`")
    return found


def convert_many(items: list[tuple[bytes, str]], target: str) -> list[bytes]:
    """Convert each (data, source extension) to `target` (`pdf`, `xls`, `doc`); results in input order."""
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    keys = [_key(data, target) for data, _ in items]
    pairs = zip(keys, items, strict=True)
    missing = {k: item for k, item in pairs if not (folder / f"{k}.{target}").is_file()}
    if missing:
        _run_soffice(missing, target, folder)
    return [(folder / f"{k}.{target}").read_bytes() for k in keys]


def convert(data: bytes, source_ext: str, target: str) -> bytes:
    """Convert one document (see `convert_many`)."""
    return convert_many([(data, source_ext)], target)[0]


def _run_soffice(missing: dict[str, tuple[bytes, str]], target: str, folder: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="govbudget-soffice-") as tmp:
        work = Path(tmp)
        inputs = []
        for key, (data, ext) in missing.items():
            path = work / "in" / f"{key}.{ext}"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(data)
            inputs.append(str(path))
        cmd = [_soffice(), f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
               "--norestore", "--convert-to", target, "--outdir", str(work / "out"), *inputs]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=SOFFICE_TIMEOUT, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ConversionError(f"soffice took over {SOFFICE_TIMEOUT}s converting to {target}") from exc
        for key in missing:
            out = work / "out" / f"{key}.{target}"
            if not out.is_file() or out.stat().st_size == 0:
                raise ConversionError(f"soffice produced no {target} (exit {proc.returncode}): "
                                      f"{proc.stderr.strip()[-300:]}")
            staged = folder / f".{key}.{os.getpid()}.tmp"
            shutil.copyfile(out, staged)
            staged.replace(folder / f"{key}.{target}")  # atomic: a reader never sees half a file
