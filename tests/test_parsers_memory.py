"""A MemoryError a library wraps reaches the sandbox as a MemoryError, so its reason names the limit."""

from __future__ import annotations

import io

import pytest
from pdfplumber.utils.exceptions import PdfminerException

from govbudget.parsers import parse_bytes
from govbudget.parsers.outcome import raise_if_out_of_memory
from govbudget.parsers.readers import pdf as pdf_reader
from govbudget.tasks.parse_child import _parse_one


def _pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, "2024年部门预算")
    c.save()
    return buf.getvalue()


def _wrapped_memory_error(*_args: object, **_kwargs: object) -> list[object]:
    """What pdfplumber raises when zlib cannot grow its buffer under RLIMIT_AS."""
    try:
        raise MemoryError("Unable to allocate output buffer.")
    except MemoryError as exc:
        raise PdfminerException(exc)  # noqa: B904 - pdfplumber's own shape: context, no cause


def test_a_wrapped_memory_error_is_raised_again() -> None:
    with pytest.raises(MemoryError, match="Unable to allocate"):
        try:
            _wrapped_memory_error()
        except PdfminerException as exc:
            raise_if_out_of_memory(exc)


def test_other_errors_pass_through() -> None:
    raise_if_out_of_memory(ValueError("broken page"))  # returns: not a memory problem


def test_a_page_out_of_memory_fails_the_file_as_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_reader, "_page_rows", _wrapped_memory_error)
    outcome = parse_bytes(_pdf(), filename="a.pdf")
    assert outcome.status == "failed"
    assert outcome.errors[0].startswith("MemoryError: Unable to allocate output buffer")


def test_the_sandbox_child_names_its_memory_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_reader, "_page_rows", _wrapped_memory_error)
    outcome, hit = _parse_one(parse_bytes, _pdf(), "a.pdf", "0" * 64, 512)
    assert hit is True
    assert outcome.errors == ["parser exceeded its 512 MiB memory limit"]
