"""Give the named 类 rows of the summary tables (`八、社会保障和就业支出`) their function code.

收支总表 and 财政拨款收支总表 list the 类 by name with a Chinese ordinal, never by code, and the class
list changes by year, so the ordinal's position means nothing (seed002_quirks.md #9): rows are matched by
name (ordinal stripped) against the document's own coded tables, then the classification's list of 类.
The code goes into the extension field `mapped_code`; `code` stays null because it was not printed.
"""

from __future__ import annotations

import re
from typing import Any

from govbudget.parsers.tables.kinds import SUMMARY_KINDS

# 支出功能分类 类 by name (2021-2022 edition of 政府收支分类科目). The document's own coded tables win
# over this list, so a year whose list differs is still mapped right wherever the document prints a code.
FUNCTION_CLASSES: dict[str, str] = {
    "一般公共服务支出": "201", "外交支出": "202", "国防支出": "203", "公共安全支出": "204", "教育支出": "205",
    "科学技术支出": "206", "文化旅游体育与传媒支出": "207", "社会保障和就业支出": "208",
    "社会保险基金支出": "209", "卫生健康支出": "210", "节能环保支出": "211", "城乡社区支出": "212",
    "农林水支出": "213", "交通运输支出": "214", "资源勘探工业信息等支出": "215", "商业服务业等支出": "216",
    "金融支出": "217", "援助其他地区支出": "219", "自然资源海洋气象等支出": "220", "住房保障支出": "221",
    "粮油物资储备支出": "222", "国有资本经营预算支出": "223", "灾害防治及应急管理支出": "224",
    "预备费": "227", "其他支出": "229", "转移性支出": "230", "债务还本支出": "231", "债务付息支出": "232",
    "债务发行费用支出": "233", "抗疫特别国债安排的支出": "234",
}
_ORDINAL = re.compile(r"^[一二三四五六七八九十百]+[、.．]")


def bare_name(name: str) -> str:
    """The name without its ordinal and whitespace."""
    return _ORDINAL.sub("", re.sub(r"\s+", "", name or ""))


def add_mapped_codes(records: list[dict[str, Any]]) -> None:
    """Set `mapped_code` on the expenditure-side named 类 rows whose name a coded table prints."""
    codes = FUNCTION_CLASSES | {
        bare_name(r["name"]): r["code"]
        for r in records
        if r.get("type") == "line_item" and r.get("classification") == "function" and r.get("level") == 1
    }
    for r in records:
        if (
            r.get("type") == "line_item"
            and r.get("table_kind") in SUMMARY_KINDS
            and r.get("side") == "expenditure"
            and r.get("classification") == "item"
            and (code := codes.get(bare_name(r["name"])))
        ):
            r["mapped_code"] = code
