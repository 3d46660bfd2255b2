"""Ground truth for narrative facts: the figures each seed's 情况说明 states, read at hand-chosen anchors.

The anchors were picked by reading the seeds (the phrase printed right before each figure), so this
truth does not reuse the parser's patterns; the amounts come from the (possibly perturbed) paragraphs,
so a variant's truth follows its new numbers. Seeds 001 and 004 have no narrative: no facts.

The printed text is the paragraphs *and* the table titles: seed 000 states its fixed assets in the
line right above the asset table (`…上年末固定资产金额为148.0749万元（详见下表）…`), which the seed
reader takes as that table's title and every rendering prints. Each fact carries `amount_yuan` (the
key the scorer compares), computed here with Decimal so `1200.18` 万元 and the parser's `12001800.00`
元 are the same figure.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .seedtables import Paragraph, SeedTable
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
_YUAN_PER = {"万元": Decimal(10000), "元": Decimal(1)}


def _flat(text: str) -> str:
    text = text.replace("**", "")
    return re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=\d)|(?<=\d)\s+(?=[\u4e00-\u9fff])", "", text)


def fact_truth(seed_id: str, variant: Variant | None = None) -> list[dict[str, Any]]:
    """One dict per fact the seed's narrative states: `fact`, `amount` (as printed), `unit`."""
    text = "\n".join(_flat(t) for t in _printed_text(seed_id, variant))
    out = []
    for fact, anchor in ANCHORS.get(seed_id, {}).items():
        for m in re.finditer(re.escape(anchor), text):
            if n := _AMOUNT.match(text, m.end()):
                amount, unit = n.group(1), n.group(2)
                yuan = (Decimal(amount) * _YUAN_PER[unit]).quantize(Decimal("0.01"))
                out.append({"type": "fact", "fact": fact, "amount": amount, "unit": unit,
                            "amount_yuan": str(yuan)})
                break
    return out


def _printed_text(seed_id: str, variant: Variant | None) -> list[str]:
    """Free text in document order: paragraphs, and the titles and notes printed with each table."""
    out: list[str] = []
    for block in load_document(seed_id, variant).blocks:
        if isinstance(block, Paragraph):
            out.append(block.text)
        elif isinstance(block, SeedTable):
            out += [block.title or "", *block.notes]
    return out
