"""Document metadata the narrative prints when the tables do not (performance-only documents, a
narrative PDF published apart from its tables): the heading names the body, the year and the phase,
`邯郸市医疗保障局 2022 年部门预算信息公开情况说明`, `…（本级）2021年单位预算…` (scope `unit`).
"""

from __future__ import annotations

import re
from typing import Any

from govbudget.parsers.narrative.text import Sentence

_HEADING = re.compile(
    r"^(?P<dept>[\u4e00-\u9fff（）()]{2,40}?)\s*(?P<year>20\d{2})\s*年度?\s*"
    r"(?P<scope>部门|单位)?(?P<phase>预算|决算)"
)
_YEAR = re.compile(r"(20\d{2})\s*年度?\s*(?:部门|单位)?(预算|决算)")
_YEAR_LINE = re.compile(r"^[（(]?(20\d{2})[)）]?\s*年度$")  # 004: `(2021)年度` under the title


def narrative_meta(sentences: list[Sentence]) -> dict[str, Any]:
    """department, fiscal_year, phase and scope found in the narrative (missing keys: not printed)."""
    out: dict[str, Any] = {}
    for s in sentences[:40]:
        if m := _HEADING.match(s.text):
            dept = re.sub(r"^(关于|现将)", "", m.group("dept"))
            out.setdefault("department", dept)
            out.setdefault("fiscal_year", int(m.group("year")))
            out.setdefault("phase", "final" if m.group("phase") == "决算" else "budget")
            if m.group("scope"):
                unit = m.group("scope") == "单位" or "本级" in dept
                out.setdefault("scope", "unit" if unit else "department")
            break
    if "fiscal_year" not in out:
        for s in sentences[:40]:
            if m := _YEAR.search(s.text):
                out["fiscal_year"] = int(m.group(1))
                out["phase"] = "final" if m.group(2) == "决算" else "budget"
                break
            if m := _YEAR_LINE.match(s.text):
                out["fiscal_year"] = int(m.group(1))
                break
    return out
