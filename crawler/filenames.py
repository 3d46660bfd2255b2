"""File names servers send in ``Content-Disposition``: RFC 6266 ``filename*`` or raw GBK bytes.

Download servlets (``DownLoad.aspx?fid=3``, ``download.do?iid=…``) put the only name a file has in
this header; county servers often send it as raw GBK, which must be decoded, not mangled.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

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
    """The file name in a Content-Disposition header value, decoded; None when there is none."""
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
