"""The gate every OOXML file (DOCX, XLSX) passes before any of its XML is parsed.

An Office file is a ZIP whose XML is parsed after unpacking, so it is checked from the ZIP listing
first: a few kilobytes must not expand into gigabytes in a worker (declared total, each member's
declared size, each member's compression ratio). Then no part may carry a DTD: the Open Packaging
Conventions forbid DTDs in package parts, so a ``<!DOCTYPE`` can only be an entity attack (billion
laughs, XXE to a local file) and the file is refused before calamine, openpyxl or python-docx see it.
A DTD can only stand in the prolog, before the root element, and the prolog may be as long as an
attacker likes (a 70 KB comment, then the DTD): each part is read as a stream, comments and
processing instructions skipped whatever their length, until its root element starts.
"""

from __future__ import annotations

import codecs
import io
import zipfile
import zlib
from typing import IO

MAX_MEMBER_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for members over RATIO_FLOOR bytes (as parsers/containers.py)
RATIO_FLOOR = 1024 * 1024
CHUNK_BYTES = 64 * 1024  # a part is read this much at a time until its root element starts
# (byte-order mark or first bytes, codec): UTF-32 before UTF-16, whose BOM starts UTF-32-LE's
_ENCODINGS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
              (b"<\x00\x00\x00", "utf-32-le"), (b"\x00\x00\x00<", "utf-32-be"),
              (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
              (b"<\x00", "utf-16-le"), (b"\x00<", "utf-16-be"))


def check_declared_size(data: bytes, *, kind: str, limit: int, error: type[Exception],
                        member_limit: int = MAX_MEMBER_BYTES) -> None:
    """Raise ``error`` when ``data`` is not a ZIP, is a zip bomb, or has a part with a DTD."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            problem = _size_problem(infos, kind=kind, limit=limit, member_limit=member_limit)
            dtd = None if problem else next(
                (i.filename for i in infos if _has_dtd(zf, i, limit=member_limit)), None)
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


def _has_dtd(zf: zipfile.ZipFile, info: zipfile.ZipInfo, *, limit: int) -> bool:
    """True when an XML part declares a DTD before its root element."""
    name = info.filename.lower()
    if info.is_dir() or not (name.endswith((".xml", ".rels", ".vml")) or "." not in name.rsplit("/", 1)[-1]):
        return False
    with zf.open(info) as f:
        return prolog_dtd(f, limit=limit)


def prolog_dtd(stream: IO[bytes], *, limit: int) -> bool:
    """True when the XML read from `stream` has a ``<!`` declaration (DOCTYPE, ENTITY) in its prolog.

    The prolog is what comes before the root element: an XML declaration, comments, processing
    instructions, white space, and the only place a DTD may stand. It is scanned as a stream in
    UTF-8, UTF-16 or UTF-32 (as the first bytes say), comments and processing instructions skipped
    whatever their length with only a few characters held, until the root element starts, the part
    ends, or `limit` bytes were read (the part's size cap; a prolog that long is refused too).
    Any ``<!`` that opens no comment counts as a DTD; stray text is passed over.
    """
    head = stream.read(CHUNK_BYTES)
    codec = next((c for bom, c in _ENCODINGS if head.startswith(bom)), "utf-8-sig")
    decoder = codecs.getincrementaldecoder(codec)(errors="ignore")
    read, buf, inside = len(head), "", ""  # inside: the end marker of a comment or PI being skipped
    chunk = head
    while True:
        final = not chunk
        buf += decoder.decode(chunk, final=final)
        while buf:
            if inside:
                end = buf.find(inside)
                if end < 0:
                    buf = buf[-(len(inside) - 1):]  # a marker split across chunks
                    break
                buf, inside = buf[end + len(inside):], ""
                continue
            buf = buf.lstrip()
            if not buf:
                break
            if not buf.startswith("<"):  # stray text (not XML, but a lenient reader may go on)
                start = buf.find("<")
                buf = buf[start:] if start >= 0 else ""
                continue
            if len(buf) < 4 and not final:
                break  # "<!-" or "<?": wait for the characters that say which
            if buf.startswith("<!--"):
                buf, inside = buf[4:], "-->"
            elif buf.startswith("<?"):
                buf, inside = buf[2:], "?>"
            else:
                return buf.startswith("<!")  # a declaration, or the root element's start
        if final:
            return False
        if read > limit:
            return True
        chunk = stream.read(CHUNK_BYTES)
        read += len(chunk)
