"""Draw the perturbed variants of each seed: other departments of the same place, other years, amounts.

Each seed keeps its place (a 邯郸市 document stays in 邯郸市, whose region code the truth carries) and
its scope (a `（本级）` unit stays a unit), but the department, budget unit code, fiscal year and the
amount scale change, drawn from a fixed generator per (seed, index): the corpus is the same on every
machine, and a parser cannot lean on a seed's own numbers or names.
"""

from __future__ import annotations

import random
from decimal import Decimal

from .seeds import SEEDS
from .variants import Variant

# Where each seed's department name ends and the agency begins; agencies a place of that level has.
_PLACE = {"000": "大厂回族自治县", "001": "门源县", "002": "邯郸市", "003": "秦皇岛市北戴河区",
          "004": "安阳市"}
_AGENCIES = ("民政局", "卫生健康委员会", "人力资源和社会保障局", "教育局", "司法局", "审计局", "统计局",
             "农业农村局", "自然资源和规划局", "退役军人事务局", "应急管理局", "市场监督管理局")
_CENTRES = ("社会保险服务中心", "疾病预防控制中心", "住房公积金管理中心", "公共资源交易中心",
            "不动产登记中心")
_UNIT_SUFFIX = "（本级）"
YEARS = range(2019, 2027)


def _department(seed_id: str, rng: random.Random) -> str:
    place = _PLACE[seed_id]
    original = SEEDS[seed_id].department
    pool = _CENTRES if original.endswith("中心") else _AGENCIES
    suffix = _UNIT_SUFFIX if original.endswith(_UNIT_SUFFIX) else ""
    choices = [place + a + suffix for a in pool if place + a + suffix != original]
    return rng.choice(choices)


def _unit_code(seed_id: str, rng: random.Random) -> str | None:
    """A code of the seed's own shape (3 digits for a department, 6 for a unit), or None if unprinted."""
    code = SEEDS[seed_id].unit_code
    if code is None:
        return None
    if len(code) == 3:
        return str(rng.randint(201, 499))
    return f"{rng.randint(100, 999)}{rng.randint(1, 999):03d}"


def variants_for(seed_id: str, count: int) -> list[Variant]:
    """`count` distinct variants of the seed (department, year and scale all differ from the seed's)."""
    info = SEEDS[seed_id]
    out: list[Variant] = []
    k = 0
    while len(out) < count:
        rng = random.Random(f"govbudget-corpus:{seed_id}:{k}")
        k += 1
        year = rng.choice([y for y in YEARS if y != info.fiscal_year])
        scale = Decimal(str(round(rng.uniform(0.35, 3.2), 2)))
        variant = Variant(_department(seed_id, rng), _unit_code(seed_id, rng), year, scale, seed=1000 + k)
        if all((v.department, v.fiscal_year) != (variant.department, variant.fiscal_year) for v in out):
            out.append(variant)
    return out
