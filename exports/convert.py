"""Typing one record's values for its columns, without ever losing a value.

Records come from parsers (some being written right now) and ultimately from untrusted documents, so
a value may not fit its declared column: an amount that is not a decimal, a level printed as text.
Such a value becomes null in its column and is kept verbatim in the row's `extra` object under
`_invalid`, and the problem is counted, so an export never fails on one odd cell and never hides it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from govbudget.exports.fields import DECIMAL_PRECISION, DECIMAL_SCALE, Resource

_INTEGER_DIGITS = DECIMAL_PRECISION - DECIMAL_SCALE
# Record keys that are the row's provenance, not data: `type` names the file, `doc` is the `sha256` column.
_STRUCTURAL = {"type", "doc"}


class BadValue(ValueError):
    """A value that does not fit its column's kind."""


def to_decimal(value: Any) -> Decimal:
    """A decimal string or integer as a `Decimal` that fits the export's decimal column exactly."""
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        raise BadValue(f"not a decimal: {value!r}")
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise BadValue(f"not a decimal: {value!r}") from exc
    if not number.is_finite():
        raise BadValue(f"not a finite decimal: {value!r}")
    _sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    if -exponent > DECIMAL_SCALE:
        raise BadValue(f"more than {DECIMAL_SCALE} decimals: {value!r}")
    if len(digits) + exponent > _INTEGER_DIGITS:
        raise BadValue(f"too large for the decimal column: {value!r}")
    return number


def _to_integer(value: Any) -> int:
    if isinstance(value, bool):
        raise BadValue(f"not an integer: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise BadValue(f"not an integer: {value!r}")


def _to_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    raise BadValue(f"not a boolean: {value!r}")


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as exc:
            raise BadValue(f"not an ISO time: {value!r}") from exc
    if not isinstance(value, datetime):
        raise BadValue(f"not a time: {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _to_string(value: Any) -> str:
    if isinstance(value, dict | list):
        raise BadValue(f"not a scalar: {value!r:.80}")
    return str(value)


def _to_json(kind: str, value: Any) -> str:
    expected = dict if kind == "object" else list
    if not isinstance(value, expected):
        raise BadValue(f"not a JSON {kind}: {value!r:.80}")
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def typed(kind: str, value: Any) -> Any:
    """`value` converted for a column of `kind`; None stays None; raises `BadValue` when it cannot."""
    if value is None:
        return None
    if kind == "decimal":
        return to_decimal(value)
    if kind == "integer":
        return _to_integer(value)
    if kind == "boolean":
        return _to_boolean(value)
    if kind == "datetime":
        return _to_datetime(value)
    if kind in {"object", "array"}:
        return _to_json(kind, value)
    return _to_string(value)


@dataclass
class Problems:
    """Values that did not fit their column, counted per resource and field (shown by the CLI)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, resource: str, name: str) -> None:
        key = f"{resource}.{name}"
        self.counts[key] = self.counts.get(key, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def to_row(resource: Resource, values: dict[str, Any], problems: Problems) -> dict[str, Any]:
    """One typed row of `resource` from merged provenance and record values."""
    row: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    invalid: dict[str, Any] = {}
    declared = {f.name for f in resource.fields}
    for f in resource.fields:
        if f.name == "extra":
            continue
        try:
            row[f.name] = typed(f.kind, values.get(f.name))
        except BadValue:
            row[f.name] = None
            invalid[f.name] = values.get(f.name)
            problems.add(resource.name, f.name)
    for key, value in values.items():
        if key not in declared and key not in _STRUCTURAL:
            extra[key] = value
    if invalid:
        extra["_invalid"] = invalid
    row["extra"] = json.dumps(extra, ensure_ascii=False, sort_keys=True, default=str) if extra else None
    return row
