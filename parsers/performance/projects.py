"""Project-level facts of a performance table: name, prefix, goals and amount.

A project's table is titled `1、FM 信息网络建设运行和维护费绩效目标表` (ordinal, an optional fund-source
tag such as `FM`/`ZK`, the name, the suffix), and its goals are one cell of numbered sentences
(`1. … 2. …`, or `目标1：… 目标2：…`); seed002_quirks.md #15–16.
"""

from __future__ import annotations

import re

_TITLE = re.compile(
    r"^\s*[（(]?\d+\s*[)）]?\s*[、.．]?\s*(?:(?P<prefix>[A-Z]{2})\s+)?(?P<name>.*?)\s*(?:绩效目标表|表)?\s*$"
)
_GOAL_SPLIT = re.compile(
    r"(?:^|(?<=[\s。；;，,！]))(?:目标\s*[一二三四五六七八九十\d]+\s*[:：]|\d+\s*[.．、](?!\d))\s*"
)
_TAGS = re.compile(r"<[^>]+>")


def project_from_title(title: str | None) -> tuple[str | None, str | None]:
    """(project name, prefix) from a table title; the title itself when it has no ordinal."""
    if not title:
        return None, None
    title = " ".join(title.split())
    m = _TITLE.match(title)
    if not m or not re.match(r"^\s*[（(]?\d", title):
        return title, None
    return (m.group("name").strip() or title), m.group("prefix")


def split_goals(text: str | None) -> list[str]:
    """The numbered goals of a 绩效目标 cell, in order; one goal when the cell is not numbered."""
    text = _TAGS.sub(" ", text or "")
    text = " ".join(text.split())
    if not text:
        return []
    parts = [p.strip() for p in _GOAL_SPLIT.split(text)]
    return [p for p in parts if p]
