"""Which indicators and narrative facts a parse missed, file by file: the list behind a recall number.

    python -m govbudget.corpus.misses /tmp/corpus [--only pdf-sheet] [--limit 20]

`govbudget eval-parse --show-misses` lists line items; this lists the `indicator` keys (table kind,
project, name, printed target) and `fact` keys (fact, amount in yuan) that the truth has and the parse
lacks (`missed`) or the parse has and the truth lacks (`extra`), so a recall below 1 points at rows.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .evaluate import corpus_files, read_truth
from .scoring import FileScore, score_file


def miss_lines(score: FileScore, limit: int = 20) -> list[str]:
    """Printable lines for one file's indicator and fact misses (empty when it has none)."""
    lines: list[str] = []
    for kind in ("indicator", "fact"):
        missed, extra = score.record_missed.get(kind, []), score.record_extra.get(kind, [])
        if not missed and not extra:
            continue
        lines.append(f"{score.name} ({score.fmt}, {score.status}) {kind}: "
                     f"{len(missed)} missed, {len(extra)} extra")
        lines += [f"  missed {key}" for key in missed[:limit]]
        lines += [f"  extra  {key}" for key in extra[:limit]]
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print the misses of every scored file whose name contains `--only`; exit 1 when any."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("directory", type=Path)
    ap.add_argument("--only", default="", help="only files whose name contains this text")
    ap.add_argument("--limit", type=int, default=20, help="keys listed per file and kind")
    args = ap.parse_args(argv)
    from govbudget.parsers import parse_bytes

    any_miss = False
    for path, truth in corpus_files(args.directory):
        if truth is None or args.only not in path.name:
            continue
        parsed = parse_bytes(path.read_bytes(), filename=path.name).records
        if lines := miss_lines(score_file(path.name, read_truth(truth), parsed), args.limit):
            any_miss = True
            print("\n".join(lines))
    return 1 if any_miss else 0


if __name__ == "__main__":
    raise SystemExit(main())
