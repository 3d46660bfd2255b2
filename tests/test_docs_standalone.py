"""The project's documents stand alone: nothing in the repository links outside the clone."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP = {".venv", ".git", "node_modules", "govbudget-data"}
OUTSIDE = re.compile(r"\]\((\.\./[^)]*)\)|`(\.\./shared/[^`]*)`")


def _documents() -> list[Path]:
    return [p for p in ROOT.rglob("*.md") if not SKIP.intersection(p.relative_to(ROOT).parts)]


def test_no_document_links_outside_the_repository() -> None:
    offences = [
        f"{path.relative_to(ROOT)}:{n}: {m.group(0)}"
        for path in _documents()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for m in OUTSIDE.finditer(line)
    ]
    assert offences == []


def test_relative_links_between_documents_resolve() -> None:
    broken = [
        f"{path.relative_to(ROOT)}: {target}"
        for path in _documents()
        for target in re.findall(r"\]\(([^)#:]+\.md)\)", path.read_text(encoding="utf-8"))
        if not (path.parent / target).is_file()
    ]
    assert broken == []
    assert (ROOT / "docs" / "ARCHITECTURE.md").is_file() and (ROOT / "docs" / "SCHEMA.md").is_file()
