"""Parse every file of a corpus directory and score it against the `<name>.truth.jsonl` beside it.

The directory is what `govbudget corpus write DIR` produces, but any folder of files with truth files
works (a hand-checked real document, say). Files without truth are listed as unscored, never silently
dropped; a truth file that cannot be read is an error naming the file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .scoring import FileScore, Record, score_file

TRUTH_SUFFIX = ".truth.jsonl"
_SKIP = {"manifest.jsonl"}


class TruthError(ValueError):
    """A truth file is not JSON Lines of records with a `type`."""


@dataclass
class Evaluation:
    scores: list[FileScore]
    unscored: list[str]


def read_truth(path: Path) -> list[Record]:
    records = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TruthError(f"{path.name} line {n}: not JSON ({exc.msg})") from exc
        if not isinstance(rec, dict) or "type" not in rec:
            raise TruthError(f"{path.name} line {n}: a record needs a 'type'")
        records.append(rec)
    return records


def corpus_files(directory: Path) -> Iterator[tuple[Path, Path | None]]:
    """(file, its truth file or None) for every regular file of the directory, in name order."""
    for path in sorted(Path(directory).iterdir()):
        if not path.is_file() or path.name.endswith(TRUTH_SUFFIX) or path.name in _SKIP:
            continue
        truth = path.with_name(path.name + TRUTH_SUFFIX)
        yield path, truth if truth.is_file() else None


def _parse_file(path: Path) -> list[Record]:
    from govbudget.parsers import parse_bytes

    return parse_bytes(path.read_bytes(), filename=path.name).records


def _score_one(item: tuple[Path, Path]) -> FileScore:
    path, truth = item
    return score_file(path.name, read_truth(truth), _parse_file(path))


def evaluate(directory: Path, *, jobs: int = 1,
             on_file: Callable[[FileScore], None] | None = None) -> Evaluation:
    """Score every file that has truth; `jobs` > 1 parses in that many processes."""
    pairs, unscored = [], []
    for path, truth in corpus_files(directory):
        if truth is None:
            unscored.append(path.name)
        else:
            read_truth(truth)  # fail on a broken truth file before spending time on parsing
            pairs.append((path, truth))
    scores: list[FileScore] = []
    if jobs > 1 and len(pairs) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = pool.map(_score_one, pairs)
            for score in results:
                scores.append(score)
                if on_file:
                    on_file(score)
    else:
        for pair in pairs:
            score = _score_one(pair)
            scores.append(score)
            if on_file:
                on_file(score)
    return Evaluation(scores, unscored)
