"""Ground truth for narrative facts: the figures each seed's 情况说明 states, read at hand-chosen anchors.

The anchors were picked by reading the seeds (the phrase printed right before each figure), so this
truth does not reuse the parser's patterns; the amounts come from the (possibly perturbed) paragraphs,
so a variant's truth follows its new numbers. Seeds 001 and 004 have no narrative: no facts.
"""

from __future__ import annotations

import re
from typing import Any

from .seedtables import Paragraph
from .variants import Variant, load_document

ANCHORS: dict[str, dict[str, str]] = {
    "000": {"total_income": "年预算收入", "total_expenditure": "年支出预算",
            "basic_expenditure": "其中基本支出", "project_expenditure": "；项目支出",
            "three_public_total": "“三公”经费预算安排",
            "operating_costs": "机关运行经费共计安排", "procurement_total": "安排政府采购预算",
            "fixed_assets_total": "上年末固定资产金额为"},
    "002": {"total_income": "年预算收入", "total_expenditure": "年支出预算",
            "basic_expenditure": "其中基本支出", "project_expenditure": "；项目支出",
            "three_public_total": "安排“三公”经费共计",
            "operating_costs": "机关运行经费共计安排", "procurement_total": "安排政府采购预算",
            "fixed_assets_total": "上年末固定资产金额为"},
    "003": {"total_expenditure": "年预算支出为", "basic_expenditure": "其中：基本支出",
            "project_expenditure": "项目支出", "three_public_total": "“三公”经费预算安排",
            "operating_costs": "机关运行经费共计安排", "procurement_total": "安排政府采购预算",
            "fixed_assets_total": "固定资产总额"},
}
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)(万元|元)")


def _flat(text: str) -> str:
    text = text.replace("**", "")
    return re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=\d)|(?<=\d)\s+(?=[\u4e00-\u9fff])", "", text)


def fact_truth(seed_id: str, variant: Variant | None = None) -> list[dict[str, Any]]:
    """One dict per fact the seed's narrative states: `fact`, `amount` (as printed), `unit`."""
    blocks = load_document(seed_id, variant).blocks
    text = "\n".join(_flat(b.text) for b in blocks if isinstance(b, Paragraph))
    out = []
    for fact, anchor in ANCHORS.get(seed_id, {}).items():
        for m in re.finditer(re.escape(anchor), text):
            if n := _AMOUNT.match(text, m.end()):
                out.append({"type": "fact", "fact": fact, "amount": n.group(1), "unit": n.group(2)})
                break
    return out
