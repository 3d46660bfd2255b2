"""Document metadata the narrative prints when the tables do not (performance-only documents, a
narrative PDF published apart from its tables): the heading names the body, the year and the phase,
`邯郸市医疗保障局 2022 年部门预算信息公开情况说明`, `…（本级）2021年单位预算…` (scope `unit`).
A clause that compares with another year (`较2020年预算增加`, `比上年`, `上年结转`) says nothing about
the document's own year and is skipped (`meta_text.uncompared`).
"""

from __future__ import annotations

import re
from typing import Any

from govbudget.parsers.meta_text import uncompared
from govbudget.parsers.narrative.text import Sentence

_HEADING = re.compile(
    r"^(?P<dept>[\u4e00-\u9fff（）()]{2,40}?)\s*(?P<year>20\d{2})\s*年度?\s*"
    r"(?P<scope>部门|单位)?(?P<phase>预算|决算)"
)
_YEAR = re.compile(r"(20\d{2})\s*年度?\s*(?:部门|单位)?(预算|决算)")
_YEAR_LINE = re.compile(r"^[（(]?(20\d{2})[)）]?\s*年度$")  # 004: `(2021)年度` under the title
_NOT_BODY = re.compile(r"^(本|我|今|全|各|其中|以上|上述)")  # `我局2021年部门预算…` names no body


def narrative_meta(sentences: list[Sentence]) -> dict[str, Any]:
    """department, fiscal_year, phase and scope found in the narrative (missing keys: not printed)."""
    out: dict[str, Any] = {}
    texts = [uncompared(s.text) for s in sentences[:40]]
    for text in texts:
        if (m := _HEADING.match(text)) and not _NOT_BODY.match(m.group("dept")):
            dept = re.sub(r"^(关于|现将)", "", m.group("dept"))
            out.setdefault("department", dept)
            out.setdefault("fiscal_year", int(m.group("year")))
            out.setdefault("phase", "final" if m.group("phase") == "决算" else "budget")
            if m.group("scope"):
                unit = m.group("scope") == "单位" or "本级" in dept
                out.setdefault("scope", "unit" if unit else "department")
            break
    if "fiscal_year" not in out:
        for text in texts:
            if m := _YEAR.search(text):
                out["fiscal_year"] = int(m.group(1))
                out["phase"] = "final" if m.group(2) == "决算" else "budget"
                break
            if m := _YEAR_LINE.match(text):
                out["fiscal_year"] = int(m.group(1))
                break
    return out
