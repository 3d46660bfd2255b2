"""The five seed disclosures: what each one is, and its text.

The seeds are text renditions of real PDFs. Their metadata is written down here once, by hand, from
what the documents print, so that the renderers and the ground truth never guess it from file names.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

Layout = Literal["tsv", "cells"]


@dataclass(frozen=True)
class SeedInfo:
    """Facts about one seed, as printed in it (department without unit-code prefix)."""

    seed_id: str
    filename: str
    department: str
    unit_code: str | None
    fiscal_year: int
    phase: Literal["budget", "final"]
    doc_kind: Literal["budget", "performance"]
    scope: Literal["department", "unit"]
    title: str
    region: str
    region_code: str | None
    # "tsv": one table row per line, cells tab-separated (002, 001, 004).
    # "cells": one cell per line, each line starting with a tab, rows separated by blank lines (000, 003).
    layout: Layout


SEEDS: dict[str, SeedInfo] = {
    "000": SeedInfo(
        "000", "000_a298566b0f87c85f.txt", "大厂回族自治县医疗保障局", None, 2021, "budget", "budget",
        "department", "大厂回族自治县医疗保障局2021年部门预算信息公开情况说明",
        "河北省廊坊市大厂回族自治县", "131028", "cells",
    ),
    "001": SeedInfo(
        "001", "001_f299d4d68a831b89.txt", "门源县医疗保障局", "481", 2024, "budget", "performance",
        "department", "门源县医疗保障局2024年部门预算项目支出绩效目标公开表",
        "青海省海北藏族自治州门源回族自治县", "632221", "tsv",
    ),
    "002": SeedInfo(
        "002", "002_9842312f06f392a3.txt", "邯郸市医疗保障局", "207", 2022, "budget", "budget",
        "department", "2022 年部门预算信息公开目录", "河北省邯郸市", "130400", "tsv",
    ),
    "003": SeedInfo(
        "003", "003_08710cc348d5ea60.txt", "秦皇岛市北戴河区医疗保障局（本级）", "450001", 2021, "budget",
        "budget", "unit", "秦皇岛市北戴河区医疗保障局（本级）收支预算",
        "河北省秦皇岛市北戴河区", "130304", "cells",
    ),
    "004": SeedInfo(
        "004", "004_261c3b20d083d2db.txt", "安阳市社会医疗保险中心", None, 2021, "budget", "performance",
        "unit", "安阳市市级预算部门(单位)整体绩效目标表", "河南省安阳市", "410500", "tsv",
    ),
}


@cache
def load_text(seed_id: str) -> str:
    """Return the seed's text, read as package data so it works from an installed wheel too."""
    info = SEEDS[seed_id]
    return (resources.files("govbudget.corpus") / "seeds" / info.filename).read_text(encoding="utf-8")
