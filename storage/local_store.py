"""`LocalStore`: the embedded default object store, a plain folder of content-addressed files.

Every write goes to a temporary file in the destination folder and is renamed into place with
`os.replace`, which is atomic on POSIX within one file system: a crash or a concurrent writer can leave a
stray temporary file, never half an object under a real key.

Only regular files are objects. Whatever else sits under a key (a symlink, a folder, a pipe) is never
read through: `get` raises `NotRegularObject` naming it, `exists` and `size` say there is no object,
and `put` replaces a symlink or a pipe like any stale object (the rename swaps the entry itself, never
what a link points to).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from govbudget.storage.keys import check_key
from govbudget.storage.object_store import NotRegularObject, ObjectNotFound

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
        # Belt and braces: check_key already refuses `..`, but a symlinked folder inside the root could
        # still lead outside it. The last part is never followed (see `_lstat` and `get`), so a symlink
        # in place of an object is reported and replaced, wherever it points.
        if not path.parent.resolve().is_relative_to(self.root):
            raise ValueError(f"key escapes the store root: {key!r}")
        return path

    @staticmethod
    def _lstat(path: Path) -> os.stat_result | None:
        """The entry itself (a symlink is not followed), or None when nothing is there."""
        try:
            return path.lstat()
        except (FileNotFoundError, NotADirectoryError):
            return None

    @staticmethod
    def _not_regular(path: Path, st: os.stat_result) -> str | None:
        """Why the entry at `path` is not an object, or None for a regular file."""
        mode = st.st_mode
        if stat.S_ISREG(mode):
            return None
        if stat.S_ISLNK(mode):
            try:
                return f"symlink to {os.readlink(path)}"
            except OSError:
                return "symlink"
        if stat.S_ISDIR(mode):
            return "a folder"
        if stat.S_ISFIFO(mode):
            return "a named pipe"
        if stat.S_ISSOCK(mode):
            return "a socket"
        return "a device file"

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
        st = self._lstat(path)
        if st is not None and stat.S_ISDIR(st.st_mode):  # a rename cannot replace a folder
            raise NotRegularObject(key, "a folder: remove it by hand to store the object")
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
        path = self._path(key)
        st = self._lstat(path)
        if st is None:
            raise ObjectNotFound(key)
        reason = self._not_regular(path, st)
        if reason is not None:
            raise NotRegularObject(key, reason)
        # O_NOFOLLOW and the check on the open file: an entry swapped since the lstat is refused too
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except FileNotFoundError:
            raise ObjectNotFound(key) from None
        except OSError as exc:
            raise NotRegularObject(key, f"cannot be opened as a file ({exc.strerror})") from None
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise NotRegularObject(key, "not a regular file")
            return fh.read()

    def exists(self, key: str) -> bool:
        st = self._lstat(self._path(key))
        return st is not None and stat.S_ISREG(st.st_mode)

    def size(self, key: str) -> int | None:
        st = self._lstat(self._path(key))
        return st.st_size if st is not None and stat.S_ISREG(st.st_mode) else None

    def metadata(self, key: str) -> dict[str, str]:
        """Always {} for an object (the catalog holds provenance); ObjectNotFound when none is there."""
        if not self.exists(key):
            raise ObjectNotFound(key)
        return {}

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        keys: list[str] = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            rel = Path(dirpath).relative_to(self.root).as_posix()
            # a symlink to a folder is an entry of its own here (never followed), listed like a file
            links = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
            dirnames[:] = [d for d in dirnames if not d.startswith(TEMP_PREFIX) and d not in links]
            for name in (*filenames, *links):
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
