"""LocalStore specifics: atomic writes and a root that no key can escape."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from govbudget.storage import local_store
from govbudget.storage.local_store import LocalStore


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_a_crash_before_rename_leaves_no_object_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalStore(tmp_path)

    def crash(src: str, dst: str) -> None:
        raise OSError("simulated crash before rename")

    monkeypatch.setattr(local_store.os, "replace", crash)
    with pytest.raises(OSError, match="simulated crash"):
        store.put("raw/aa/obj", b"x" * 10_000)
    assert not store.exists("raw/aa/obj")
    assert _files(tmp_path) == []


def test_a_crash_while_writing_keeps_the_previous_version_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalStore(tmp_path)
    store.put("k", b"complete old version")

    def failing_fsync(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(local_store.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="disk full"):
        store.put("k", b"new" * 1000)
    assert store.get("k") == b"complete old version"
    assert _files(tmp_path) == ["k"]


def test_stray_temp_files_are_not_listed_as_keys(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.put("raw/a", b"1")
    (tmp_path / "raw" / f"{local_store.TEMP_PREFIX}abc").write_bytes(b"half")
    assert list(store.iter_keys()) == ["raw/a"]


def test_concurrent_writers_of_one_key_never_leave_a_mixed_object(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    payloads = [bytes([i]) * 200_000 for i in range(8)]
    threads = [threading.Thread(target=store.put, args=("k", p)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.get("k") in payloads
    assert _files(tmp_path) == ["k"]


@pytest.mark.parametrize("bad", ["../outside", "/etc/passwd", "a/../../outside", "", "a//b"])
def test_keys_escaping_the_root_are_refused(tmp_path: Path, bad: str) -> None:
    store = LocalStore(tmp_path / "root")
    with pytest.raises(ValueError):
        store.put(bad, b"x")
    assert not (tmp_path / "outside").exists()


def test_a_symlink_inside_the_root_cannot_lead_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    store = LocalStore(tmp_path / "root")
    os.symlink(outside, tmp_path / "root" / "link")
    with pytest.raises(ValueError):
        store.put("link/x", b"x")
    assert list(outside.iterdir()) == []


def test_keys_using_the_temp_prefix_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        LocalStore(tmp_path).put(f"raw/{local_store.TEMP_PREFIX}x", b"x")


def test_objects_are_readable_files(tmp_path: Path) -> None:
    LocalStore(tmp_path).put("raw/f", b"x")
    assert (tmp_path / "raw" / "f").stat().st_mode & 0o777 == 0o644
