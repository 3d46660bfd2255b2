"""The zip-bomb gate shared by the OOXML readers (DOCX, XLSX).

An Office file is a ZIP whose XML is parsed after unpacking: its declared uncompressed size is
checked before any XML is read, so a few kilobytes cannot expand into gigabytes in a worker.
"""

from __future__ import annotations

import io
import zipfile


def check_declared_size(data: bytes, *, kind: str, limit: int, error: type[Exception]) -> None:
    """Raise ``error`` when ``data`` is not a ZIP or declares more than ``limit`` unpacked bytes."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(i.file_size for i in zf.infolist())
    except zipfile.BadZipFile as exc:
        raise error(f"{kind} is not a valid zip: {exc}") from exc
    if total > limit:
        raise error(f"{kind} unpacks to {total} bytes, over the {limit} limit")
