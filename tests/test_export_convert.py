"""Typing record values for export: decimals stay exact, bad values go to `extra`, never lost."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from govbudget.exports.convert import BadValue, Problems, to_decimal, to_row
from govbudget.exports.fields import RESOURCE_BY_TYPE


def test_decimals_are_exact_and_limits_are_refused() -> None:
    assert to_decimal("5873.35") == Decimal("5873.35")
    assert to_decimal("1,234.5") == Decimal("1234.5")
    assert to_decimal(7) == Decimal(7)
    for bad in ("abc", "NaN", "1e400", "0.0000001", True, None, [1]):
        with pytest.raises(BadValue):
            to_decimal(bad)


def test_a_value_that_does_not_fit_is_kept_in_extra_and_counted() -> None:
    problems = Problems()
    record = {"type": "line_item", "doc": "a" * 64, "amount": "九百", "level": "二", "code": "21015",
              "new_field": {"x": 1}, "locator": {"page": 3, "row": 7}}
    row = to_row(RESOURCE_BY_TYPE["line_item"], record | {"sha256": "a" * 64}, problems)
    assert row["amount"] is None and row["level"] is None and row["code"] == "21015"
    extra = json.loads(row["extra"])
    assert extra["_invalid"] == {"amount": "九百", "level": "二"}
    assert extra["new_field"] == {"x": 1}
    assert json.loads(row["locator"]) == {"page": 3, "row": 7}
    assert problems.counts == {"line_items.amount": 1, "line_items.level": 1}


def test_a_worded_check_is_kept_as_text_and_is_no_invalid_value() -> None:
    from govbudget.exports.collect import record_values

    doc = {"sha256": "b" * 64, "source_url": "http://x/a.pdf", "captured_at": "2024-01-01T00:00:00"}
    problems = Problems()
    worded = {"type": "check", "doc": "b" * 64, "check": "indicator_odd_bound", "ok": False,
              "expected": "a percentage bound a rate can meet", "actual": "≥100%"}
    row = to_row(RESOURCE_BY_TYPE["check"], record_values(worded, doc), problems)
    assert (row["expected"], row["actual"]) == (None, None)
    assert (row["expected_text"], row["actual_text"]) == ("a percentage bound a rate can meet", "≥100%")
    numeric = worded | {"check": "children_sum", "expected": "12.30", "actual": "12.3"}
    row = to_row(RESOURCE_BY_TYPE["check"], record_values(numeric, doc), problems)
    assert (row["expected"], row["expected_text"]) == (Decimal("12.30"), "12.30")
    assert problems.total == 0 and row["extra"] is None
