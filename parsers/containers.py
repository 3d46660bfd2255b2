"""ZIP and RAR containers: every member is parsed as a document of its own.

Portals bundle a department's tables as `附件.zip` or `.rar`. Each member keeps its own identity
(sha256, format, records) and the container's outcome lists them in `members`; the task layer
archives each member as an object whose capture points at the container (`<container url>#<member
name>`). ("Archive" names govbudget's object archive only; a ZIP or RAR file is a container.)

Containers are untrusted: before anything is decompressed the member count, each member's declared
size and compression ratio and the total are capped, and the bytes actually read are capped again
(headers can lie). Containers nested in containers are expanded one level at most (a zip quine would
otherwise recurse forever). Member names are untrusted too: they become capture URLs
(`<container url>#<name>`) and titles, never paths or store keys, and are still reduced to a clean
relative name (no NUL or control characters, no drive, no leading `/`, no `.`/`..` segments, capped
length) so nothing downstream can mistake one for a path outside a folder.

Results saved before the rename carry the label `archive@<version>`; the catalog reads them like any
other parser's (the latest parse of an object wins, whatever its label).
"""

from __future__ import annotations

import contextvars
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from govbudget.parsers.outcome import Member, ParseOutcome, document_record, failed_outcome
from govbudget.parsers.version import PARSER_VERSION

MAX_MEMBERS = 200
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for members over RATIO_FLOOR bytes
RATIO_FLOOR = 1024 * 1024
MAX_DEPTH = 2
MAX_NAME_CHARS = 255
_DEPTH: contextvars.ContextVar[int] = contextvars.ContextVar("container_depth", default=0)


class ContainerError(ValueError):
    """The container cannot be listed or breaks a safety limit; the message says which."""


@dataclass
class Entry:
    """A member as the container lists it, before reading."""

    name: str
    size: int
    packed: int
    read: Callable[[int], bytes]


class ContainerParser:
    """Lists, checks and reads container members; `parse_member` parses each one."""

    name = "container"
    version = PARSER_VERSION
    formats = frozenset({"zip", "rar"})

    def __init__(self, parse_member: Callable[..., ParseOutcome]) -> None:
        self.parse_member = parse_member

    def score(self, data: bytes, fmt: str) -> float:
        """The only parser of containers."""
        return 1.0 if fmt in self.formats else 0.0

    def parse(self, data: bytes, *, fmt: str, sha256: str, filename: str | None) -> ParseOutcome:
        """Parse every member; the container is `ok` when all were parsed, `partial` when some were."""
        label = f"{self.name}@{self.version}"
        depth = _DEPTH.get()
        if depth >= MAX_DEPTH:
            return failed_outcome(sha256=sha256, fmt=fmt, parser=label,
                                  errors=[f"{fmt} nested more than {MAX_DEPTH} levels deep: not expanded"])
        entries = list(_entries(data, fmt))
        check_limits(entries, fmt)
        members: list[Member] = []
        errors: list[str] = []
        token = _DEPTH.set(depth + 1)
        try:
            for e in entries:
                body = e.read(MAX_MEMBER_BYTES + 1)
                if len(body) > MAX_MEMBER_BYTES:
                    raise ContainerError(f"member {e.name!r} unpacks to more than {MAX_MEMBER_BYTES} bytes")
                digest = hashlib.sha256(body).hexdigest()
                outcome = self.parse_member(body, filename=e.name, sha256=digest)
                members.append(Member(e.name, body, digest, outcome))
                if outcome.status == "failed":
                    errors.append(f"member {e.name!r}: {'; '.join(outcome.errors) or 'failed'}")
        finally:
            _DEPTH.reset(token)
        if not members:
            errors.append(f"{fmt} holds no files")
        parsed = [m for m in members if m.outcome.status != "failed"]
        status = "failed" if not parsed else ("ok" if len(parsed) == len(members) else "partial")
        meta = {"title": filename, "pages": len(members)}
        doc = document_record(sha256=sha256, fmt=fmt, parser=label, status=status, errors=errors, meta=meta)
        return ParseOutcome(status=status, parser=label, errors=errors, document=doc, records=[doc],
                            members=members)


def check_limits(entries: list[Entry], fmt: str) -> None:
    """Refuse zip bombs from the listing alone: count, sizes, ratio, total."""
    if len(entries) > MAX_MEMBERS:
        raise ContainerError(f"{fmt} lists {len(entries)} files, over the limit of {MAX_MEMBERS}")
    total = 0
    for e in entries:
        if e.size > MAX_MEMBER_BYTES:
            raise ContainerError(f"member {e.name!r} declares {e.size} bytes, over {MAX_MEMBER_BYTES}")
        if e.size > RATIO_FLOOR and e.size > MAX_RATIO * max(1, e.packed):
            raise ContainerError(f"member {e.name!r} compresses {e.size // max(1, e.packed)}:1, a zip bomb")
        total += e.size
    if total > MAX_TOTAL_BYTES:
        raise ContainerError(f"{fmt} unpacks to {total} bytes, over the {MAX_TOTAL_BYTES} limit")


def _entries(data: bytes, fmt: str) -> Iterator[Entry]:
    if fmt == "zip":
        yield from _zip_entries(data)
    else:
        yield from _rar_entries(data)


def _zip_entries(data: bytes) -> Iterator[Entry]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ContainerError(f"zip cannot be read: {exc}") from exc
    for info in infos:
        if info.is_dir():
            continue
        name = safe_member_name(_name(info.filename, info.flag_bits))
        if info.flag_bits & 0x1:
            raise ContainerError(f"zip member {name!r} is encrypted")
        yield Entry(name, info.file_size, info.compress_size, lambda n, i=info: _read_zip(zf, i, n))


def _read_zip(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    try:
        with zf.open(info) as f:
            return f.read(limit)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ContainerError(f"zip member {info.filename!r} cannot be read: {exc}") from exc


def _name(raw: str, flags: int) -> str:
    """Chinese Windows zips store names in GBK without the UTF-8 flag; zipfile decoded them as cp437."""
    if flags & 0x800:
        return raw
    try:
        return raw.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return raw


def safe_member_name(raw: str) -> str:
    """A member name as a clean relative path: `../../etc/passwd` → `etc/passwd`, `C:\\a\\b` → `a/b`."""
    text = "".join(ch for ch in raw if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))
    text = re.sub(r"^[A-Za-z]:", "", text.replace("\\", "/"))[-MAX_NAME_CHARS:]  # the end names the file
    parts = [p.strip() for p in text.split("/")]
    return "/".join(p for p in parts if p and p.strip(".")) or "unnamed"


def _rar_entries(data: bytes) -> Iterator[Entry]:
    import rarfile

    try:
        rf = rarfile.RarFile(io.BytesIO(data))
        infos = rf.infolist()
    except (rarfile.Error, OSError, ValueError) as exc:
        raise ContainerError(f"rar cannot be read: {type(exc).__name__}: {exc}") from exc
    if rf.needs_password():
        raise ContainerError("rar is encrypted (password required)")
    for info in infos:
        if info.is_dir():
            continue
        yield Entry(safe_member_name(info.filename), int(info.file_size or 0), int(info.compress_size or 0),
                    lambda n, i=info: _read_rar(rf, i, n))


def _read_rar(rf: object, info: object, limit: int) -> bytes:
    import rarfile

    try:
        with rf.open(info) as f:  # type: ignore[attr-defined]
            return f.read(limit)
    except (rarfile.Error, OSError, ValueError, EOFError) as exc:
        raise ContainerError(f"rar member {info.filename!r} cannot be read: {exc}") from exc  # type: ignore[attr-defined]
