"""Names from servers and archives never become paths or store keys (issue #7).

`Content-Disposition` file names and ZIP member names are attacker-chosen text. They are reduced to
clean names where they are read, and the archive keys objects by content alone; the tests follow
hostile names all the way to the store's folder and check nothing lands outside it.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govbudget.crawler.filenames import MAX_NAME_CHARS, content_disposition_name
from govbudget.parsers.containers import safe_member_name
from govbudget.storage.fetch import Fetch
from govbudget.storage.keys import content_key
from govbudget.storage.local_store import LocalStore
from govbudget.tasks.parse_task import parse_object
from govbudget.tasks.runtime import Services, configure
from govbudget.tasks.settings import Settings

HOSTILE_HEADERS = {
    b'attachment; filename="../../etc/passwd"': "passwd",
    b'attachment; filename="..\\\\..\\\\win.ini"': "win.ini",
    b'attachment; filename="..\\..\\win.ini"': "win.ini",
    b'attachment; filename="/etc/shadow"': "shadow",
    b'attachment; filename="C:\\Windows\\system.ini"': "system.ini",
    b"attachment; filename*=UTF-8''..%2F..%2Fbudget%00.pdf": "budget.pdf",
    b'attachment; filename="report\x00.pdf"': "report.pdf",
    b"attachment; filename*=UTF-8''%0D%0Aevil.xls": "evil.xls",
    b'attachment; filename=".."': None,
    b'attachment; filename="/"': None,
}


@pytest.mark.parametrize(("header", "expected"), list(HOSTILE_HEADERS.items()))
def test_content_disposition_names_are_bare_names(header: bytes, expected: str | None) -> None:
    name = content_disposition_name(header)
    assert name == expected
    if name is not None:
        assert not ({"/", "\\", "\x00", "\r", "\n"} & set(name))
        assert name not in (".", "..") and not name.startswith(".")


def test_very_long_names_are_capped_with_their_extension() -> None:
    name = content_disposition_name(b'attachment; filename="' + "预算".encode() * 300 + b'.xlsx"')
    assert name is not None and len(name) == MAX_NAME_CHARS and name.endswith(".xlsx")
    assert content_disposition_name(b"attachment; filename=" + b"a" * 5000) == "a" * (MAX_NAME_CHARS - 1)


def test_ordinary_gbk_names_are_unchanged() -> None:
    header = 'attachment; filename="2024年部门预算.pdf"'.encode("gbk")
    assert content_disposition_name(header) == "2024年部门预算.pdf"


@pytest.mark.parametrize(("raw", "clean"), [
    ("../../etc/passwd", "etc/passwd"), ("..\\..\\win.ini", "win.ini"), ("/etc/passwd", "etc/passwd"),
    ("C:\\Windows\\a.xls", "Windows/a.xls"), ("附件/./表1.xls", "附件/表1.xls"), ("..", "unnamed"),
    ("a\x00b\x1f.pdf", "ab.pdf"),
])
def test_archive_member_names_are_clean_relative_names(raw: str, clean: str) -> None:
    assert safe_member_name(raw) == clean


@pytest.mark.parametrize("key", ["../../etc/passwd", "/etc/passwd", "..\\..\\win.ini", "a/\x00/b", "a//b"])
def test_the_local_store_refuses_keys_that_could_leave_its_root(tmp_path: Path, key: str) -> None:
    store = LocalStore(tmp_path / "objects")
    with pytest.raises(ValueError, match="unsafe store key"):
        store.put(key, b"x")


@pytest.fixture
def svc(tmp_path: Path) -> Services:
    return configure(Settings.from_env({}, data_dir=tmp_path / "data"))


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_hostile_names_end_as_content_keys_inside_the_store(svc: Services, tmp_path: Path) -> None:
    names = ["../../etc/passwd", "..\\..\\win.ini", "/abs/budget.xls", "deep/" * 60 + "x.pdf"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i, name in enumerate(names):
            z.writestr(zipfile.ZipInfo(name), f"member {i}".encode())
    bodies = {f"member {i}".encode() for i in range(len(names))}
    cd_name = content_disposition_name(b'attachment; filename="../../../tmp/evil.zip"')
    assert cd_name == "evil.zip"
    fetch = Fetch(url="http://portal.example/DownLoad.aspx?fid=3", body=buf.getvalue(), kind="file",
                  title=cd_name, link_text="../../etc/passwd")
    sha = svc.archive.archive(fetch).sha256
    parse_object.delay(sha)

    store_root = Path(svc.settings.effective_storage_url)
    member_shas = {hashlib.sha256(b).hexdigest() for b in bodies}
    assert _files(store_root) == {content_key(s) for s in {sha, *member_shas}}  # by content only
    assert not any(("passwd" in str(p) or "win.ini" in str(p)) for p in tmp_path.rglob("*"))
    fragments = sorted(c.url.split("#", 1)[1] for s in member_shas for c in svc.catalog.captures(s))
    assert fragments == sorted(safe_member_name(n) for n in names)
    assert all(".." not in f and "\\" not in f and not f.startswith("/") for f in fragments)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(raw=st.binary(max_size=600))
def test_any_header_gives_a_bare_name_or_none(raw: bytes) -> None:
    for header in (b'attachment; filename="' + raw + b'"', b"attachment; filename*=UTF-8''" + raw):
        name = content_disposition_name(header)
        assert name is None or (name and len(name) <= MAX_NAME_CHARS and not ({"/", "\\", "\x00"} & set(name))
                                and name.strip(".") == name)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(raw=st.text(alphabet=st.sampled_from("ab./\\\\:\x00 预"), max_size=600))
def test_any_member_name_is_a_clean_relative_path(raw: str) -> None:
    name = safe_member_name(raw)
    assert name and not name.startswith("/") and "\\" not in name and "\x00" not in name
    assert all(part and part.strip(".") for part in name.split("/"))
    assert len(name) <= 255
