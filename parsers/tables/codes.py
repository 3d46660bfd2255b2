"""Budget subject codes: which classification they belong to, their level and their parent.

Function codes (支出功能分类) nest 类/款/项 as 3/5/7 digits; department economic codes (部门预算支出经济
分类) as 3/5 digits. The parent is simply the code's prefix one level up.
"""

from __future__ import annotations

import re

_CODE = re.compile(r"^\d{3,9}$")
_CODE_NAME = re.compile(r"^(\d{3,7})\s*([^\d\s].*)$")
_LEVELS = {
    "function": {3: 1, 5: 2, 7: 3},
    "economic_dept": {3: 1, 5: 2},
    "economic_gov": {3: 1, 5: 2},
}


def clean_code(text: str) -> str | None:
    """The code as printed when the cell holds one (spaces dropped), else None."""
    text = re.sub(r"\s+", "", text or "")
    return text if _CODE.match(text) else None


def split_code_name(text: str) -> tuple[str | None, str]:
    """Split `2080501行政单位离退休` (a code glued to its name) into code and name."""
    m = _CODE_NAME.match((text or "").strip())
    if not m:
        return None, (text or "").strip()
    return m.group(1), m.group(2).strip()


def code_level(code: str, classification: str) -> tuple[int | None, str | None]:
    """(level, parent_code) of a code; (None, None) when its length fits no level."""
    level = _LEVELS.get(classification, {}).get(len(code))
    if level is None:
        return None, None
    if level == 1:
        return 1, None
    return level, code[: {2: 3, 3: 5}[level]]


def classify(code: str | None, header_hint: str | None) -> str:
    """The `classification` of a row: by its table's header, refined by the code's shape."""
    if code is None:
        return "item"
    if header_hint in ("economic_dept", "economic_gov"):
        if header_hint == "economic_gov" or (len(code) == 3 and code.startswith("50")):
            return "economic_gov"
        return "economic_dept"
    if header_hint != "function" and len(code) in (3, 5) and code[0] in "35":
        # 功能分类 类 are 2xx; 3xx is 部门预算经济分类 and 50x 政府预算经济分类, whatever the header omits
        # (js_2019_gy's `科目编码` header over 301 工资福利支出)
        return "economic_gov" if code.startswith("50") else "economic_dept"
    if header_hint == "function" or len(code) in (3, 5, 7):
        return "function"
    return "economic_dept"


def table_classification(codes: set[str], header_hint: str | None) -> str:
    """The classification a coded table's uncoded rows (its 合计) share with its coded rows."""
    if header_hint:
        return header_hint
    kinds = [classify(c, None) for c in sorted(codes)]
    return max(set(kinds), key=kinds.count) if kinds else "function"
