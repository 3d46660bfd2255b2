"""A printed target (指标值) → `operator`, `value`, `value_unit`, `value_kind` (SCHEMA.md `indicator`).

Targets are typed by hand into budget systems, so the same idea is printed many ways: `≥95百分比`,
`>=3次`, `≥2 次`, `100%` (a bare number means `=`), OCR LaTeX `<math>\\geq 90\\%</math>`, dates
(`在2021年12月31日前完成`, `12月份`), words (`显著提升`) and `不涉及`. The printed text always stays
in `raw`; these fields are a reading of it, never a correction (an odd `≥100%` is kept as printed).
"""

from __future__ import annotations

import re
from typing import Any

_FULLWIDTH = str.maketrans("０１２３４５６７８９．％＞＜＝", "0123456789.%><=")
_LATEX = (
    (r"\geq", "≥"), (r"\ge", "≥"), (r"\leq", "≤"), (r"\le", "≤"), (r"\%", "%"), (r"\times", "×"),
    (r"\lt", "<"), (r"\gt", ">"),
)
_OPERATORS = (("≥", "≥"), (">=", "≥"), ("＞=", "≥"), ("≤", "≤"), ("<=", "≤"), ("=<", "≤"),
              ("=>", "≥"), ("＝", "="), ("=", "="), (">", ">"), ("<", "<"), ("不低于", "≥"),
              ("不少于", "≥"), ("不高于", "≤"), ("不超过", "≤"), ("大于等于", "≥"), ("小于等于", "≤"),
              ("达到", "≥"))
_PERCENT_WORDS = ("百分比", "比例", "比率", "%")
_NUMERIC = re.compile(r"^(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>.{0,12})$")
_DATE = re.compile(
    r"^(?:在|于)?(?:(?P<y>20\d{2})\s*年)?\s*(?:(?P<m>\d{1,2})\s*月(?:份)?)?\s*(?:(?P<d>\d{1,2})\s*日)?"
    r"(?:底|末)?\s*(?:前|以前|之前)?\s*(?:完成|前完成)?$"
)
_NOT_APPLICABLE = re.compile(r"^(不涉及|无|/|—|-|——|不适用)$")
_UNIT_OK = re.compile(r"^[^\d\s，。；;,]{1,8}$")


def clean_raw(raw: str) -> str:
    """The target without markup: OCR LaTeX (`<math>\\geq 90\\%</math>`) and HTML tags removed."""
    text = re.sub(r"</?math>", "", raw or "")
    for latex, sign in _LATEX:
        text = text.replace(latex, sign)
    text = re.sub(r"<[^>]+>", "", text)
    return " ".join(text.translate(_FULLWIDTH).split())


def parse_target(raw: str | None) -> dict[str, Any]:
    """The four derived fields of a printed target; `raw` itself is the caller's to keep."""
    text = clean_raw(raw or "")
    if not text:
        return _fields(None, None, None, "empty")
    if _NOT_APPLICABLE.match(text):
        return _fields(None, text, None, "not_applicable")
    operator, rest = _operator(text)
    m = _NUMERIC.match(rest)
    if m and (not m.group("unit") or _UNIT_OK.match(m.group("unit").strip())):
        unit = m.group("unit").strip() or None
        date = _date(rest)
        if date is not None and unit and unit[0] in "年月日":
            return _fields(operator, date, None, "date")
        kind = "numeric"
        if unit in _PERCENT_WORDS:
            unit, kind = "%", "percent"
        return _fields(operator or "=", m.group("num"), unit, kind)
    date = _date(rest)
    if date is not None:
        return _fields(operator, date, None, "date")
    return _fields(None, text, None, "qualitative")


def _operator(text: str) -> tuple[str | None, str]:
    for printed, sign in _OPERATORS:
        if text.startswith(printed):
            return sign, text[len(printed):].strip()
    return None, text


def _date(text: str) -> str | None:
    """`2021-12-31` style text for a printed deadline, or None when the text is no date."""
    m = _DATE.match(text.replace(" ", ""))
    if not m or not (m.group("y") or m.group("m")):
        return None
    if m.group("y") and m.group("m") and m.group("d"):
        return f"{m.group('y')}-{int(m.group('m')):02d}-{int(m.group('d')):02d}"
    if m.group("y") and m.group("m"):
        return f"{m.group('y')}-{int(m.group('m')):02d}"
    if m.group("m") and not m.group("d") and not m.group("y"):
        return f"--{int(m.group('m')):02d}"
    return m.group("y") if m.group("y") and not m.group("m") else None


def _fields(operator: str | None, value: str | None, unit: str | None, kind: str) -> dict[str, Any]:
    return {"operator": operator, "value": value, "value_unit": unit, "value_kind": kind}
