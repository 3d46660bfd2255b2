"""List the stream names of an OLE compound file (CFB), the container of `.xls`, `.doc`, `.wps`, `.et`.

Detection only needs the directory's names, so this uses `olefile` when it is installed and otherwise
reads the directory chain itself (a few dozen lines of the MS-CFB layout); neither raises on bad input.
"""

from __future__ import annotations

import struct

_MAX_SECTORS = 4096  # a directory longer than this is not a budget file: stop reading


def ole_stream_names(data: bytes) -> list[str]:
    """Names of the storages and streams in the OLE file, or [] when it cannot be read."""
    try:
        import olefile
    except ImportError:  # pragma: no cover - depends on the environment
        return _read_directory_names(data)
    try:
        ole = olefile.OleFileIO(data)
    except Exception:
        return _read_directory_names(data)
    try:
        return ["/".join(entry) for entry in ole.listdir(streams=True, storages=True)]
    finally:
        ole.close()


def _read_directory_names(data: bytes) -> list[str]:
    """Walk the FAT chain of the directory stream and decode each 128-byte entry's UTF-16 name."""
    try:
        sector_shift = struct.unpack_from("<H", data, 30)[0]
        sector_size = 1 << sector_shift
        first_dir = struct.unpack_from("<I", data, 48)[0]
        difat = struct.unpack_from("<109I", data, 76)
        fat_sectors = [s for s in difat if s < 0xFFFFFFFA]

        def sector(n: int) -> bytes:
            off = (n + 1) * sector_size
            return data[off : off + sector_size]

        fat: list[int] = []
        for s in fat_sectors:
            chunk = sector(s)
            fat.extend(struct.unpack(f"<{len(chunk) // 4}I", chunk[: len(chunk) // 4 * 4]))
        names: list[str] = []
        current, seen = first_dir, 0
        while current < 0xFFFFFFFA and current < len(fat) and seen < _MAX_SECTORS:
            chunk = sector(current)
            for i in range(0, len(chunk) - 127, 128):
                name_len = struct.unpack_from("<H", chunk, i + 64)[0]
                if 2 <= name_len <= 64 and chunk[i + 66] in (1, 2):
                    names.append(chunk[i : i + name_len - 2].decode("utf-16-le", "replace"))
            current, seen = fat[current], seen + 1
        return names
    except (struct.error, IndexError, ValueError):
        return []
