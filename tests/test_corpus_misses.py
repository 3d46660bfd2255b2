"""The indicator/fact miss listing: the rows behind a recall below 1."""

from __future__ import annotations

from pathlib import Path

from govbudget.corpus.misses import main, miss_lines
from govbudget.corpus.scoring import score_file

DOC = {"type": "document", "rendering": "pdf-sheet"}
IND = {"type": "indicator", "table_kind": "performance_targets", "project": "法律顾问聘请费",
       "level3": "法律顾问月均成本", "raw": "833.33元"}
FACT = {"type": "fact", "fact": "total_income", "amount": "1200.18", "unit": "万元"}


def test_missed_and_extra_indicators_and_facts_are_kept() -> None:
    wrong_project = {**IND, "project": "通过聘请法律顾问，从而实现"}  # a spilled goal taken as the title
    parsed_fact = {**FACT, "amount_yuan": "12001800.00"}
    score = score_file("a.pdf", [DOC, IND, FACT], [{**DOC, "status": "ok"}, wrong_project, parsed_fact])
    assert score.indicators is not None and score.indicators.recall == 0.0
    assert score.facts is not None and score.facts.recall == 1.0
    assert score.record_missed == {"indicator": [("performance_targets", "法律顾问聘请费", "法律顾问月均成本",
                                                  "833.33元")], "fact": []}
    assert score.record_extra["indicator"][0][1] == "通过聘请法律顾问，从而实现"
    lines = miss_lines(score)
    assert lines[0] == "a.pdf (pdf-sheet, ok) indicator: 1 missed, 1 extra"
    assert len(lines) == 3 and "fact" not in "".join(lines)


def test_command_exits_0_when_nothing_is_missed(tmp_path: Path) -> None:
    from govbudget.corpus.build import write_corpus

    write_corpus(tmp_path, 0, renderings=["html"], seeds=["002"])
    assert main([str(tmp_path)]) == 0
    (tmp_path / "s002-v0-html.html").write_bytes(b"<html><body>nothing</body></html>")
    assert main([str(tmp_path), "--limit", "1"]) == 1
