"""ZIP and RAR: each member is parsed as its own document; bombs and broken ones fail with reasons."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from govbudget.parsers import parse_bytes
from govbudget.parsers.containers import MAX_MEMBERS
from govbudget.parsers.version import PARSER_VERSION
from govbudget.storage.fetch import Fetch
from govbudget.tasks.parse_task import parse_object
from govbudget.tasks.runtime import Services, configure
from govbudget.tasks.settings import Settings
from tests.test_parsers_formats import EXPECTED, make_docx, make_html


class _GbkInfo(zipfile.ZipInfo):
    """A member named the way Chinese Windows tools write it: GBK bytes, no UTF-8 flag."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("gbk"), self.flag_bits


def _zip(members: dict[str, bytes], utf8_names: bool = True) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            info = zipfile.ZipInfo(name) if utf8_names else _GbkInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, body)
    return buf.getvalue()


def _rar4(members: dict[str, bytes]) -> bytes:
    """A RAR 4 file with stored (uncompressed) members, written field by field (no rar tool needed)."""
    def block(head_type: int, flags: int, body: bytes) -> bytes:
        rest = struct.pack("<BHH", head_type, flags, 7 + len(body)) + body
        return struct.pack("<H", zlib.crc32(rest) & 0xFFFF) + rest

    out = b"Rar!\x1a\x07\x00" + block(0x73, 0, b"\x00" * 6)
    for name, body in members.items():
        raw = name.encode("utf-8")
        head = struct.pack("<IIBIIBBHI", len(body), len(body), 2, zlib.crc32(body), 0x5A000000, 29, 0x30,
                           len(raw), 0x20) + raw
        out += block(0x74, 0x8000, head) + body
    return out + block(0x7B, 0x4000, b"")


def _items(records: list[dict]) -> list[tuple]:
    return sorted(((r["code"], r["name"], r["measure"], r["amount"]) for r in records
                   if r["type"] == "line_item" and r["table_kind"] == "expenditure_summary"), key=str)


def test_zip_members_are_documents_of_their_own() -> None:
    data = _zip({"附件/支出总表.docx": make_docx(), "表格.html": make_html("gbk", True),
                 "说明.txt": b"hello"})
    outcome = parse_bytes(data, filename="附件.zip")
    assert outcome.document["format"] == "zip" and outcome.status == "partial"
    assert [m.name for m in outcome.members] == ["附件/支出总表.docx", "表格.html", "说明.txt"]
    docx_member, html_member, txt_member = outcome.members
    assert docx_member.outcome.status == html_member.outcome.status == "ok"
    assert _items(docx_member.outcome.records) == _items(html_member.outcome.records) == EXPECTED
    assert docx_member.outcome.document["sha256"] == docx_member.sha256 != outcome.document["sha256"]
    assert txt_member.outcome.status == "failed"
    assert any("说明.txt" in e for e in outcome.errors)
    assert outcome.records == [outcome.document]  # the container's own records describe only itself
    assert outcome.parser == outcome.document["parser"] == f"container@{PARSER_VERSION}"


def test_gbk_member_names_are_decoded() -> None:
    outcome = parse_bytes(_zip({"预算表.html": make_html("gbk", True)}, utf8_names=False))
    assert [m.name for m in outcome.members] == ["预算表.html"] and outcome.status == "ok"


def test_rar_members_are_parsed() -> None:
    data = _rar4({"budget.html": make_html("utf-8", False), "tables.docx": make_docx()})
    outcome = parse_bytes(data, filename="x.bin")
    assert outcome.document["format"] == "rar" and outcome.status == "ok", outcome.errors
    assert [_items(m.outcome.records) for m in outcome.members] == [EXPECTED, EXPECTED]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("bomb", _zip({"zeros.xlsx": b"\x00" * (20 * 1024 * 1024)}), "zip bomb"),
        ("many", _zip({f"{i}.txt": b"x" for i in range(MAX_MEMBERS + 1)}), "over the limit"),
        ("truncated", _zip({"a.html": make_html("utf-8", False)})[:60], "zip cannot be read"),
        ("truncated rar", _rar4({"a.html": make_html("utf-8", False)})[:300], "cannot be read"),
        ("empty", _zip({}), "holds no files"),
    ],
)
def test_bad_containers_fail_with_reason(name: str, data: bytes, reason: str) -> None:
    outcome = parse_bytes(data)
    assert outcome.status == "failed", name
    assert any(reason in e for e in outcome.errors), outcome.errors
    assert outcome.document["status"] == "failed" and outcome.records == [outcome.document]


def test_nested_containers_stop_at_the_depth_limit() -> None:
    inner = _zip({"t.html": make_html("utf-8", False)})
    outcome = parse_bytes(_zip({"l1.zip": _zip({"l2.zip": inner})}))
    [l1] = outcome.members
    [l2] = l1.outcome.members
    assert l2.outcome.status == "failed" and "nested" in l2.outcome.errors[0]


@pytest.fixture
def svc(tmp_path: Path) -> Services:
    return configure(Settings.from_env({}, data_dir=tmp_path / "data"))


def test_parse_task_archives_each_member_with_a_capture_linking_the_container(svc: Services) -> None:
    data = _zip({"支出总表.docx": make_docx(), "表格.html": make_html("gbk", True)})
    url = "http://portal.example/files/附件.zip"
    sha = svc.archive.archive(Fetch(url=url, body=data, kind="file", region_code="130400")).sha256
    parse_object.delay(sha)
    assert svc.catalog.parse_status(sha) == "ok"
    outcome = parse_bytes(data)
    for member in outcome.members:
        [capture] = list(svc.catalog.captures(member.sha256))
        assert capture.url == f"{url}#{member.name}" and capture.via == "http"
        assert capture.referrer == url
        assert svc.catalog.parse_status(member.sha256) == "ok"
        items = _items(list(svc.catalog.records(sha256=member.sha256)))
        assert items == EXPECTED
        [doc] = list(svc.catalog.records(sha256=member.sha256, type="document"))
        assert doc["region_code"] == "130400"


def test_results_saved_under_the_old_archive_label_still_read(svc: Services) -> None:
    """Before the rename the ZIP/RAR parser was labelled `archive`; its saved results stay readable."""
    data = _zip({"表格.html": make_html("gbk", True)})
    sha = svc.archive.archive(Fetch(url="http://portal.example/附件.zip", body=data, kind="file")).sha256
    old_label = f"archive@{PARSER_VERSION}"
    old_doc = {**parse_bytes(data).document, "parser": old_label}
    svc.catalog.save_parse_result(sha, old_label, "ok", [], [old_doc])
    assert svc.catalog.parse_status(sha) == "ok"
    assert [r["parser"] for r in svc.catalog.records(sha256=sha)] == [old_label]
    parse_object.delay(sha)  # a re-parse saves beside it, and the latest result is the one read
    assert [r["parser"] for r in svc.catalog.records(sha256=sha)] == [f"container@{PARSER_VERSION}"]
    assert [r["parser"] for r in svc.catalog.records(sha256=sha, parser=old_label)] == [old_label]
