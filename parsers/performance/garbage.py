"""Template garbage in performance tables, flagged as `check` records (validation_checks.md E2).

Budget systems export placeholders that are not indicators: a GUID as the indicator's name
(`AF2AD8E6-A8CA-00E0-E053-0A20000DCEDF`), the target cell repeating the description, the same target
in every row of a table. The rows stay (a failed check never drops data); the check says what is odd.
"""

from __future__ import annotations

import re
from typing import Any

from govbudget.parsers.records import OMIT, Check

_GUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")

# The checks this module emits on indicator rows (all `ok: false`: they flag suspect targets).
GARBAGE_CHECKS = ("indicator_template_guid", "indicator_value_is_description", "indicator_odd_bound",
                  "indicator_same_value_everywhere")


def garbage_checks(doc: str, table: dict[str, Any], indicators: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`check` records for one table's suspicious indicators (only failures are emitted)."""
    out: list[dict[str, Any]] = []
    subject_base = table.get("project") or table.get("title")
    for ind in indicators:
        name = ind.get("level3") or ""
        if _GUID.search(name) or _GUID.search(ind.get("description") or ""):
            out.append(_check(doc, "indicator_template_guid", f"{subject_base} / {name}",
                              "an indicator name", name, ind))
        raw, desc = (ind.get("raw") or "").strip(), (ind.get("description") or "").strip()
        if raw and desc and raw == desc and ind.get("value_kind") != "not_applicable":
            out.append(_check(doc, "indicator_value_is_description", f"{subject_base} / {name}",
                              "a target value", raw, ind))
        if ind.get("value_kind") == "percent" and ind.get("operator") in ("≥", ">") and _over_100(ind):
            out.append(_check(doc, "indicator_odd_bound", f"{subject_base} / {name}",
                              "a percentage bound a rate can meet", ind.get("raw"), ind))
    raws = [i.get("raw") for i in indicators if i.get("value_kind") not in ("empty", "not_applicable")]
    if len(raws) >= 4 and len(set(raws)) == 1:
        out.append(_check(doc, "indicator_same_value_everywhere", subject_base, "different targets per row",
                          raws[0], {"locator": table.get("locator")}))
    return out


def _over_100(ind: dict[str, Any]) -> bool:
    try:
        return float(ind.get("value") or 0) >= 100
    except ValueError:
        return False


def _check(doc: str, name: str, subject: Any, expected: Any, actual: Any, ind: dict[str, Any] | None) -> dict:
    return Check(doc=doc, check=name, ok=False, subject=subject, expected=expected, actual=actual,
                 locator=ind.get("locator") if ind is not None else OMIT).as_dict()
