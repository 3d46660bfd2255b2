"""The gate every OOXML file (DOCX, XLSX) passes before any of its XML is parsed.

An Office file is a ZIP whose XML is parsed after unpacking, so it is checked from the ZIP listing
first: a few kilobytes must not expand into gigabytes in a worker (declared total, each member's
declared size, each member's compression ratio; headers can lie, so the XML prologs are read with a
cap too). Then no part may carry a DTD: the Open Packaging Conventions forbid DTDs in package
parts, so a ``<!DOCTYPE`` can only be an entity attack (billion laughs, XXE to a local file) and the
file is refused before calamine, openpyxl or python-docx see it.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

MAX_MEMBER_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for members over RATIO_FLOOR bytes (as parsers/containers.py)
RATIO_FLOOR = 1024 * 1024
PROLOG_BYTES = 64 * 1024  # a DTD must come before the root element: the head of a part is enough
_DTD = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.I)


def check_declared_size(data: bytes, *, kind: str, limit: int, error: type[Exception],
                        member_limit: int = MAX_MEMBER_BYTES) -> None:
    """Raise ``error`` when ``data`` is not a ZIP, is a zip bomb, or has a part with a DTD."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            problem = _size_problem(infos, kind=kind, limit=limit, member_limit=member_limit)
            dtd = None if problem else next((i.filename for i in infos if _has_dtd(zf, i)), None)
    except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, RuntimeError, zlib.error) as exc:
        raise error(f"{kind} is not a valid zip: {exc}") from exc
    if problem:
        raise error(problem)
    if dtd is not None:
        raise error(f"{kind} part {dtd!r} declares a DTD (entity attack refused)")


def _size_problem(infos: list[zipfile.ZipInfo], *, kind: str, limit: int, member_limit: int) -> str | None:
    total = 0
    for info in infos:
        if info.file_size > member_limit:
            size = info.file_size
            return f"{kind} part {info.filename!r} declares {size} bytes, over the {member_limit} limit"
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(1, info.compress_size):
            ratio = info.file_size // max(1, info.compress_size)
            return f"{kind} part {info.filename!r} compresses {ratio}:1, over {MAX_RATIO}:1 (a zip bomb)"
        total += info.file_size
    if total > limit:
        return f"{kind} unpacks to {total} bytes, over the {limit} limit"
    return None


def _has_dtd(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """True when the head of an XML part holds ``<!DOCTYPE`` or ``<!ENTITY`` (UTF-8 or UTF-16)."""
    name = info.filename.lower()
    if info.is_dir() or not (name.endswith((".xml", ".rels", ".vml")) or "." not in name.rsplit("/", 1)[-1]):
        return False
    with zf.open(info) as f:
        head = f.read(PROLOG_BYTES)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00<" in head[:4] or b"<\x00" in head[:4]:
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore")
    return _DTD.search(text) is not None
