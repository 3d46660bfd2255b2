"""parse_bytes never raises: unreadable input becomes a `failed` document record with reasons."""

from __future__ import annotations

import hashlib
import io
import json
import os

import pytest

from govbudget.parsers import PARSER_VERSION, ParseOutcome, parse_bytes


def _pdf(text: str = "hello", encrypt: str | None = None) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=encrypt)
    c.drawString(72, 720, text)
    c.save()
    return buf.getvalue()


def _assert_failed(outcome: ParseOutcome, data: bytes) -> None:
    assert outcome.status == "failed"
    assert outcome.errors and all(isinstance(e, str) and e for e in outcome.errors)
    assert outcome.records == [outcome.document]
    doc = outcome.document
    assert next(iter(doc)) == "type" and doc["type"] == "document"
    assert doc["status"] == "failed" and doc["errors"] == outcome.errors
    assert doc["sha256"] == hashlib.sha256(data).hexdigest()
    assert doc["parser"] == outcome.parser
    json.dumps(outcome.records, ensure_ascii=False)


@pytest.mark.parametrize(
    ("name", "data", "filename", "reason"),
    [
        ("empty", b"", None, "empty"),
        ("random", os.urandom(4096), None, "format"),
        ("random named pdf", b"\x13\x37" + os.urandom(4096), "x.pdf", ""),
        ("broken pdf", b"%PDF-1.7\n" + os.urandom(2048), "x.pdf", "pdf"),
        ("truncated pdf", _pdf()[:300], "x.pdf", "pdf"),
        ("encrypted pdf", _pdf(encrypt="secret"), "x.pdf", "encrypted"),
        ("broken xlsx", b"PK\x03\x04" + os.urandom(512), "x.xlsx", ""),
        ("html", b"<html><body>hi</body></html>", "x.xls", "no standard budget table"),
    ],
)
def test_bad_input_fails_with_reason(name: str, data: bytes, filename: str | None, reason: str) -> None:
    outcome = parse_bytes(data, filename=filename)
    _assert_failed(outcome, data)
    assert reason.lower() in " ".join(outcome.errors).lower(), outcome.errors


def test_pdf_without_budget_tables_fails_with_reason() -> None:
    data = _pdf("just a notice, no tables")
    outcome = parse_bytes(data, filename="notice.pdf")
    _assert_failed(outcome, data)
    assert outcome.parser == f"budget-tables@{PARSER_VERSION}"
    assert outcome.document["format"] == "pdf" and outcome.document["pages"] == 1
    assert "no standard budget table" in outcome.errors[0]


def test_given_sha256_is_used() -> None:
    outcome = parse_bytes(b"", sha256="ab" * 32)
    assert outcome.document["sha256"] == "ab" * 32


def test_parser_exception_becomes_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    from govbudget.parsers import budget_tables

    def boom(data: bytes, fmt: str) -> None:
        raise RuntimeError("reader exploded")

    monkeypatch.setattr(budget_tables, "read", boom)
    data = _pdf()
    outcome = parse_bytes(data)
    _assert_failed(outcome, data)
    assert outcome.errors == ["RuntimeError: reader exploded"]


def deep_pdf(depth: int) -> bytes:
    """A PDF whose page tree nests `depth` levels and whose page holds an array nested `depth` deep."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    objs += [b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (3 + i) for i in range(depth)]
    objs.append(b"<< /Type /Page /MediaBox [0 0 612 792] /Foo " + b"[" * depth + b"]" * depth + b" >>")
    parts = [b"%PDF-1.4\n"]
    size = len(parts[0])
    offsets = []
    for i, body in enumerate(objs, start=1):
        chunk = b"%d 0 obj\n" % i + body + b"\nendobj\n"
        offsets.append(size)
        parts.append(chunk)
        size += len(chunk)
    parts.append(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    parts += [b"%010d 00000 n \n" % off for off in offsets]
    parts.append(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, size))
    return b"".join(parts)


def test_deeply_nested_pdf_fails_without_killing_the_worker() -> None:
    data = deep_pdf(20000)
    outcome = parse_bytes(data, filename="deep.pdf")
    _assert_failed(outcome, data)
    assert "recursion" in " ".join(outcome.errors)
    assert parse_bytes(_pdf("still alive")).status == "failed"  # the interpreter is fine afterwards


def _docx_bytes() -> bytes:
    from tests.test_parsers_formats import make_docx

    return make_docx()


@pytest.mark.parametrize(
    ("name", "data", "filename", "reason"),
    [
        ("truncated docx", _docx_bytes()[:700], "x.docx", "docx"),
        ("docx missing its body", b"PK\x05\x06" + b"\x00" * 18, "x.docx", ""),
        ("corrupt png", b"\x89PNG\r\n\x1a\n" + os.urandom(300), "x.png", "image"),
        ("empty html", b"<html><body></body></html>", "x.htm", ""),
        ("gbk html without tables", "<p>通知：无</p>".encode("gbk"), "x.html", "no standard budget table"),
        ("broken ole doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(1024), "x.doc", ""),
    ],
)
def test_bad_office_files_fail_with_reason(name: str, data: bytes, filename: str, reason: str) -> None:
    outcome = parse_bytes(data, filename=filename)
    _assert_failed(outcome, data)
    assert reason.lower() in " ".join(outcome.errors).lower(), (name, outcome.errors)
