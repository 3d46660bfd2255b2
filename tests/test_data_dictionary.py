"""docs/DATA_DICTIONARY.md is generated from exports/fields.py and the parsers' vocabularies, never stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from govbudget.exports.dictionary import render
from govbudget.exports.fields import RESOURCES
from govbudget.parsers.narrative.facts import FACTS
from govbudget.parsers.tables.measures import MEASURES
from govbudget.parsers.tables.titles import TABLE_KINDS

DICTIONARY = Path(__file__).resolve().parents[1] / "docs" / "DATA_DICTIONARY.md"


def test_the_committed_dictionary_is_what_the_generator_prints() -> None:
    printed = subprocess.run([sys.executable, "-m", "govbudget.exports.dictionary"], check=True,
                             capture_output=True, text=True).stdout
    assert printed == render()
    assert DICTIONARY.read_text(encoding="utf-8") == printed, (
        "stale: python -m govbudget.exports.dictionary > docs/DATA_DICTIONARY.md")


def test_every_file_column_and_vocabulary_word_is_listed() -> None:
    text = render()
    for res in RESOURCES:
        assert f"## `{res.name}`" in text
        for f in res.fields:
            assert f"| `{f.name}` | " in text
    for word in (*TABLE_KINDS, *MEASURES, *FACTS, "children_sum", "indicator_odd_bound"):
        assert f"`{word}`" in text
    assert "Foreign key: `table_id` → `tables.table_id`." in text
    assert "Primary key: `record_id`." in text
