"""`LocalStore`: the embedded default object store, a plain folder of content-addressed files.

Every write goes to a temporary file in the destination folder and is renamed into place with
`os.replace`, which is atomic on POSIX within one file system: a crash or a concurrent writer can leave a
stray temporary file, never half an object under a real key.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from govbudget.storage.keys import check_key
from govbudget.storage.object_store import ObjectNotFound

TEMP_PREFIX = ".tmp-"


class LocalStore:
    """Objects as files under `root`; the key is the relative path.

    `content_type` and `metadata` are accepted for protocol compatibility but not kept: the catalog is
    the place for them, and a sidecar file per object would double the inode count of the archive.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).expanduser().resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        check_key(key)
        if any(part.startswith(TEMP_PREFIX) for part in key.split("/")):
            raise ValueError(f"key uses the reserved temporary prefix: {key!r}")
        path = self.root.joinpath(*key.split("/"))
        # Belt and braces: check_key already refuses `..`, but a symlink inside the root could still
        # point outside it.
        if not path.resolve().is_relative_to(self.root):
            raise ValueError(f"key escapes the store root: {key!r}")
        return path

    def put(
        self,
        key: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        metadata: dict[str, str] | None = None,
    ) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFound(key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int | None:
        path = self._path(key)
        return path.stat().st_size if path.is_file() else None

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        keys: list[str] = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = [d for d in dirnames if not d.startswith(TEMP_PREFIX)]
            rel = Path(dirpath).relative_to(self.root).as_posix()
            for name in filenames:
                if name.startswith(TEMP_PREFIX):
                    continue
                key = name if rel == "." else f"{rel}/{name}"
                if key.startswith(prefix):
                    keys.append(key)
        yield from sorted(keys)

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()

    def describe(self) -> str:
        return self.root.as_uri()

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"
