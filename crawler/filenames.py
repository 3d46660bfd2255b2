"""File names servers send in ``Content-Disposition``: RFC 6266 ``filename*`` or raw GBK bytes.

Download servlets (``DownLoad.aspx?fid=3``, ``download.do?iid=…``) put the only name a file has in
this header; county servers often send it as raw GBK, which must be decoded, not mangled.

The name is untrusted text: it becomes a title and a format hint, never a path or a store key (keys
are content hashes). Even so it is reduced to a bare file name here — no directories (``/`` or
``\\``), no drive, no ``..``, no NUL or control characters, at most ``MAX_NAME_CHARS`` characters
(extension kept) — so no later use can turn it into one.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

MAX_NAME_CHARS = 200

_EXT = re.compile(rb"filename\*\s*=\s*([\w-]+)'[^']*'([^;]+)", re.I)
_PLAIN = re.compile(rb'filename\s*=\s*(?:"([^"]*)"|([^;]+))', re.I)


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def content_disposition_name(header: bytes | None) -> str | None:
    """The file name in a Content-Disposition header value, decoded and made a bare name; None when none."""
    return safe_file_name(_raw_name(header))


def _raw_name(header: bytes | None) -> str | None:
    if not header:
        return None
    ext = _EXT.search(header)
    if ext:
        charset = ext.group(1).decode("ascii", "replace") or "utf-8"
        try:
            return unquote(ext.group(2).strip().decode("ascii", "replace"), encoding=charset).strip() or None
        except LookupError:
            return unquote(ext.group(2).strip().decode("ascii", "replace")).strip() or None
    plain = _PLAIN.search(header)
    if plain:
        raw = (plain.group(1) if plain.group(1) is not None else plain.group(2) or b"").strip()
        name = _decode(raw)
        return unquote(name) if "%" in name else (name or None)
    return None


def safe_file_name(name: str | None) -> str | None:
    """The last path segment of ``name`` without control characters, capped in length; None if empty."""
    if not name:
        return None
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))
    name = re.split(r"[/\\]", name)[-1]  # directories of either separator, and a drive ("C:\\x")
    name = name.split(":")[-1] if re.match(r"^[A-Za-z]:", name) else name
    name = name.strip().strip(".").strip()  # ".", "..", hidden-file dots and trailing dots
    if not name:
        return None
    if len(name) > MAX_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        ext = ext if dot and 0 < len(ext) <= 10 else ""
        name = (stem if ext else name)[: MAX_NAME_CHARS - len(ext) - 1].rstrip() + (f".{ext}" if ext else "")
    return name
