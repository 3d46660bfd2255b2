"""Stable ids, dates and file names derived from text, so every run serves identical URLs.

Crawler tests compare runs; random ids would make every re-crawl look like new content.
"""

from __future__ import annotations

import hashlib
from datetime import date


def stable_int(key: str, digits: int) -> int:
    """A number of at most `digits` digits determined only by `key`."""
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16) % 10**digits


def article_id(key: str) -> int:
    """Seven-digit TRS-style document id (t20220315_1234567.html)."""
    return 1_000_000 + stable_int(key, 7) % 9_000_000


def budget_pub_date(fiscal_year: int, key: str) -> date:
    """Budgets are published within 20 days of approval: January to March of the fiscal year."""
    n = stable_int(key, 6)
    return date(fiscal_year, 1 + n % 3, 1 + n // 3 % 28)


def stored_name(published: date, key: str, fmt: str) -> str:
    """TRS attachment name: W0 + publication date + 12 digits, e.g. W020220315546718432107.pdf."""
    return f"W0{published:%Y%m%d}{stable_int(key, 12):012d}.{fmt}"
