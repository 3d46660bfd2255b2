"""The report cards: ``eval-sim`` (discovery, on the portal simulator), ``eval-parse`` (the parsers,
on the rendered corpus), ``eval-real`` (the parsers, on real disclosures with hand-checked truth) and
``corpus write`` (render that corpus with its truth).

Both score against known truth, so a crawler or parser change is judged by numbers instead of by eye;
the scoring lives beside what it scores (``govbudget.simulator.evaluate``, ``govbudget.corpus.scoring``).
"""

from __future__ import annotations

import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from govbudget.cli.common import console, needs_devtools, print_json

if TYPE_CHECKING:
    from govbudget.simulator.evaluate import SimReport

corpus_app = typer.Typer(help="The rendered test corpus (seeds × formats × variants, with truth).",
                         no_args_is_help=True)


class Suite(StrEnum):
    """Which simulator suites ``eval-sim`` crawls (`govbudget.simulator.evaluate.SUITES`)."""

    all = "all"
    known = "known"
    unseen = "unseen"



# options eval-parse and eval-real share
Jobs = Annotated[int, typer.Option("--jobs", "-j", min=1, help="Parse in this many processes.")]
ShowMisses = Annotated[int, typer.Option(
    "--show-misses", min=0, help="Per file, list up to N missed and N extra line items.")]


def eval_sim(
    data_dir: Annotated[Path | None, typer.Option(
        "--data-dir", help="Archive to crawl into (default: a new temporary folder); the unseen suite "
        "goes to its unseen/ subfolder.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as one JSON object.")] = False,
    suite: Annotated[Suite, typer.Option(
        "--suite", help="known: the families the crawler has adapters for (decides the exit code); "
        "unseen: JavaScript platforms no adapter knows (reported only); all: both, each crawled apart.",
        case_sensitive=False)] = Suite.all,
    min_unseen_recall: Annotated[float | None, typer.Option(
        "--min-unseen-recall", min=0.0, max=1.0,
        help="Also exit 1 when the unseen suite's recall is below this (otherwise it is only reported).",
    )] = None,
) -> None:
    """Crawl the portal simulator twice (fresh, incremental) and score discovery; exit 1 below target.

    The known suite's targets decide the exit code; the unseen suite (platforms the crawler has no
    adapter for) is scored apart and reported beside it.

    Example: govbudget eval-sim --json --suite all
    """
    with needs_devtools("eval-sim"):
        from govbudget.simulator.evaluate import SUITES, evaluate_suites

    suites = SUITES if suite is Suite.all else (suite.value,)
    if min_unseen_recall is not None and "unseen" not in suites:
        console.print("[red]--min-unseen-recall needs the unseen suite[/] (--suite unseen or all)")
        raise typer.Exit(2)
    with tempfile.TemporaryDirectory(prefix="govbudget-eval-sim-") as tmp:
        result = evaluate_suites(data_dir or Path(tmp), suites, min_unseen_recall=min_unseen_recall)
    if as_json:
        print_json(result.as_dict())
    else:
        _show_sim(result)
    for name, score in result.scores.items():
        if not score.gating and score.failures:
            console.print(f"[yellow]{name} suite below its targets (reported, not gating):[/yellow] "
                          + "; ".join(score.failures))
    for failure in result.failures:
        console.print(f"[red]target missed:[/red] {failure}")
    if result.failures:
        raise typer.Exit(1)


MISSED_SHOWN = 10  # per reported (not gating) suite; --json lists them all


def _show_sim(result: SimReport) -> None:
    table = Table(title="govbudget eval-sim", caption="served/archived/found: disclosure files (sha256)")
    columns = ("suite", "served", "archived", "found", "recall", "precision", "decoys archived",
               "bytes, 1st crawl", "bytes, 2nd crawl", "2nd/1st")
    for col in columns:
        table.add_column(col, justify="left" if col == "suite" else "right")
    for name, s in result.scores.items():
        table.add_row(f"{name}, {'gating' if s.gating else 'reported'}", str(s.expected), str(s.archived),
                      str(s.found), f"{s.recall:.4f}", f"{s.precision:.4f}", str(len(s.decoys_archived)),
                      str(s.first_bytes), str(s.second_bytes), f"{s.byte_ratio:.2%}")
    out = _out()
    out.print(table)
    for name, s in result.scores.items():
        t = s.targets
        out.print(f"{name} targets: recall >= {t.min_recall}, precision >= {t.min_precision}, "
                  f"second/first < {t.max_byte_ratio:.0%}, no decoy archived")
    for name, s in result.scores.items():
        shown = s.missed if s.gating else s.missed[:MISSED_SHOWN]
        prefix = "" if name == "known" else f"{name} "
        for sha in shown:
            out.print(f"{prefix}missed {sha}")
        if len(shown) < len(s.missed):
            out.print(f"{prefix}missed … and {len(s.missed) - len(shown)} more (--json lists them all)")
        for url in s.decoys_archived:
            out.print(f"{prefix}decoy archived {url}")


def _out() -> Console:
    """stdout console; CI logs are not terminals, so give them room for every column."""
    return Console(width=None if sys.stdout.isatty() else 150)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def _rich_report(overall: Any, by_format: dict[str, Any], unscored: list[str]) -> None:
    table = Table(title="govbudget eval-parse")
    for col in ("format", "files", "failed", "items", "precision", "recall", "F1", "indicator recall",
                "fact recall", "metadata"):
        table.add_column(col, justify="left" if col == "format" else "right")

    def row(name: str, s: Any) -> None:
        li = s.line_items
        table.add_row(name, str(s.files), str(s.failed), str(li.expected), _pct(li.precision),
                      _pct(li.recall), _pct(li.f1), _pct(s.indicators.recall if s.indicators else None),
                      _pct(s.facts.recall if s.facts else None), _pct(s.metadata_accuracy))

    for name, summary in by_format.items():
        row(name, summary)
    table.add_section()
    row("overall", overall)
    out = _out()
    out.print(table)
    fields = overall.as_dict()["metadata"]
    if fields:
        by_field = ", ".join(f"{k} {_pct(v)}" for k, v in fields.items())
        out.print(f"metadata accuracy by field: {by_field}")
    from govbudget.corpus.scoring import coverage_line

    out.print(coverage_line(overall))
    if unscored:
        out.print(f"{len(unscored)} file(s) without truth, not scored: {', '.join(unscored[:5])}"
                  + (" …" if len(unscored) > 5 else ""))


def eval_parse(
    directory: Annotated[Path, typer.Argument(help="Folder of files with <name>.truth.jsonl beside them.",
                                              exists=True, file_okay=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as one JSON object.")] = False,
    min_f1: Annotated[float | None, typer.Option(
        "--min-f1", help="Exit 1 when overall line-item F1 is below.")] = None,
    min_format_f1: Annotated[float | None, typer.Option(
        "--min-format-f1", help="Exit 1 when any format's line-item F1 is below.")] = None,
    min_indicator_recall: Annotated[float | None, typer.Option(
        "--min-indicator-recall", help="Exit 1 when indicator recall is below (ignored while n/a).")] = None,
    min_fact_recall: Annotated[float | None, typer.Option(
        "--min-fact-recall", help="Exit 1 when narrative fact recall is below (ignored while n/a).")] = None,
    jobs: Jobs = 1,
    show_misses: ShowMisses = 0,
) -> None:
    """Parse every file of DIR and score it against its truth: precision/recall/F1, per format.

    Example: govbudget corpus write /tmp/corpus && govbudget eval-parse /tmp/corpus --min-f1 0.99
    """
    with needs_devtools("eval-parse"):
        from govbudget.corpus.evaluate import TruthError, evaluate
        from govbudget.corpus.scoring import below_thresholds, summarise

    def progress(score: Any) -> None:
        if show_misses and (score.missed or score.extra):
            console.print(f"[bold]{score.name}[/] ({score.fmt}, {score.status})")
            for key in score.missed[:show_misses]:
                console.print(f"  missed {key}")
            for key in score.extra[:show_misses]:
                console.print(f"  extra  {key}")

    try:
        result = evaluate(directory, jobs=jobs, on_file=progress)
    except TruthError as exc:
        console.print(f"[red]bad truth file:[/] {exc}")
        raise typer.Exit(2) from exc
    if not result.scores:
        console.print(f"[red]no file in {directory} has a .truth.jsonl beside it: nothing to score[/]")
        raise typer.Exit(2)
    overall, by_format = summarise(result.scores)
    misses = below_thresholds(overall, by_format, min_f1=min_f1, min_format_f1=min_format_f1,
                              min_indicator_recall=min_indicator_recall, min_fact_recall=min_fact_recall)
    if as_json:
        out = {"overall": overall.as_dict(), "formats": {k: v.as_dict() for k, v in by_format.items()},
               "files": [{"name": s.name, "format": s.fmt, "status": s.status, **s.line_items.as_dict(),
                          "metadata": s.metadata, "coverage": s.coverage, "coverage_gaps": s.coverage_gaps}
                         for s in result.scores],
               "unscored": result.unscored, "below_thresholds": misses}
        print_json(out)
    else:
        _rich_report(overall, by_format, result.unscored)
    if misses:
        console.print("[red]below threshold:[/] " + "; ".join(misses))
        raise typer.Exit(1)


REAL_DOCS, REAL_TRUTH = Path("tests/data/realdocs"), Path("tests/data/realtruth")


def _real_report(scores: list[Any], overall: Any) -> None:
    table = Table(title="govbudget eval-real", caption="line items: 收支总表 and 一般公共预算支出表 rows")
    columns = ("file", "status", "items", "precision", "recall", "F1", "coverage", "metadata", "peer values")
    for col in columns:
        table.add_column(col, justify="left" if col in ("file", "status") else "right")

    def metadata(fields: dict[str, bool]) -> str:
        return f"{sum(fields.values())}/{len(fields)}" if fields else "n/a"

    def peers(found: int, total: int) -> str:
        return f"{found}/{total}" if total else "n/a"

    for s in scores:
        li = s.line_items
        table.add_row(s.name, s.status, str(li.expected), _pct(li.precision), _pct(li.recall), _pct(li.f1),
                      _pct(s.coverage.ratio), metadata(s.metadata), peers(s.peer_found, s.peer_total))
    table.add_section()
    li = overall.line_items
    table.add_row("overall", f"{overall.failed} failed", str(li.expected), _pct(li.precision),
                  _pct(li.recall), _pct(li.f1), _pct(overall.coverage.ratio),
                  _pct(overall.metadata_accuracy), _pct(overall.peer_recall))
    out = _out()
    out.print(table)
    if overall.coverage.ratio is None:
        out.print("coverage: not reported (no parse emitted a coverage check)")
    fields = overall.as_dict()["metadata"]
    if fields:
        out.print("metadata accuracy by field: " + ", ".join(f"{k} {_pct(v)}" for k, v in fields.items()))
    for s in scores:
        notes = [s.error] if s.error else []
        wrong = [f"{k}={s.metadata_got.get(k)!r}" for k, right in s.metadata.items() if not right]
        notes += [f"metadata wrong: {', '.join(wrong)}"] if wrong else []
        if notes:
            out.print(f"{s.name}: " + "; ".join(notes), markup=False)


def eval_real(
    directory: Annotated[Path, typer.Argument(
        help="Folder of real documents (default: tests/data/realdocs, run from a checkout).",
        file_okay=False)] = REAL_DOCS,
    truth: Annotated[Path, typer.Option(
        "--truth", help="Folder of <file>.truth.tsv, metadata.tsv and the peer extraction.",
        file_okay=False)] = REAL_TRUTH,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as one JSON object.")] = False,
    min_f1: Annotated[float | None, typer.Option(
        "--min-f1", help="Exit 1 when overall line-item F1 is below.")] = None,
    min_coverage: Annotated[float | None, typer.Option(
        "--min-coverage", help="Exit 1 when overall coverage (amounts read / printed) is below, or "
        "when no coverage was reported.")] = None,
    min_metadata: Annotated[float | None, typer.Option(
        "--min-metadata",
        help="Exit 1 when metadata accuracy (fiscal year, phase, department) is below.")] = None,
    min_peer_recall: Annotated[float | None, typer.Option(
        "--min-peer-recall", help="Exit 1 when the share of the peer's values found is below.")] = None,
    jobs: Jobs = 1,
    show_misses: ShowMisses = 0,
) -> None:
    """Parse the real disclosures and score them against their hand-checked truth.

    Line items of the 收支总表 and 一般公共预算支出表 (precision/recall/F1), coverage from the parse's
    coverage checks, metadata (fiscal year, phase, department) and the peer's values found.

    Example: govbudget eval-real --min-f1 0.99 --min-coverage 0.99
    """
    with needs_devtools("eval-real"):
        from govbudget.corpus.real_eval import (
            TruthFileError,
            below_real_thresholds,
            evaluate_real,
            shown_key,
            summarise_real,
        )

    for folder in (directory, truth):
        if not folder.is_dir():
            console.print(f"[red]no such folder:[/] {escape(str(folder))} (run from a checkout, or name it)")
            raise typer.Exit(2)

    def progress(score: Any) -> None:
        if show_misses and (score.missed or score.extra or score.peer_lacking):
            console.print(f"[bold]{escape(score.name)}[/] ({score.status})")
            for label, keys in (("missed", score.missed), ("extra ", score.extra)):
                for key in keys[:show_misses]:
                    console.print(f"  {label} {shown_key(key)}", markup=False, soft_wrap=True)
            for value in score.peer_lacking[:show_misses]:
                console.print(f"  peer value not found: {value}", markup=False)

    try:
        result = evaluate_real(directory, truth, jobs=jobs, on_file=progress)
    except TruthFileError as exc:
        console.print(f"[red]bad truth file:[/] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    if not result.scores:
        console.print(f"[red]no file in {escape(str(directory))} has a truth file in {escape(str(truth))}[/]")
        raise typer.Exit(2)
    overall = summarise_real(result.scores)
    misses = below_real_thresholds(overall, min_f1=min_f1, min_coverage=min_coverage,
                                   min_metadata=min_metadata, min_peer_recall=min_peer_recall)
    if as_json:
        print_json({"overall": overall.as_dict(), "files": [s.as_dict() for s in result.scores],
                    "unscored": result.unscored, "below_thresholds": misses})
    else:
        _real_report(result.scores, overall)
    if misses:
        console.print("[red]below threshold:[/] " + escape("; ".join(misses)))
        raise typer.Exit(1)


@corpus_app.command("write")
def corpus_write(
    directory: Annotated[Path, typer.Argument(help="Output folder (created if missing).")],
    variants: Annotated[int, typer.Option("--variants", min=0, help="Perturbed variants per seed.")] = 2,
    renderings: Annotated[list[str] | None, typer.Option(
        "--rendering", "-r", help="Only these renderings (repeatable): pdf-ruled, pdf-sheet, xlsx, xls, "
        "docx, doc, html.")] = None,
    seeds: Annotated[list[str] | None, typer.Option("--seed", help="Only these seeds (repeatable).")] = None,
) -> None:
    """Render every seed (and N variants each) in every format, with <name>.truth.jsonl per file.

    Example: govbudget corpus write /tmp/corpus --variants 2 && govbudget eval-parse /tmp/corpus
    """
    with needs_devtools("corpus write"):
        from govbudget.corpus.build import RENDERINGS, write_corpus

    unknown = sorted(set(renderings or ()) - set(RENDERINGS))
    if unknown:
        console.print(f"[red]unknown rendering(s):[/] {', '.join(unknown)}; known: {', '.join(RENDERINGS)}")
        raise typer.Exit(2)
    written = write_corpus(directory, variants_per_seed=variants, renderings=renderings, seeds=seeds)
    console.print(f"wrote {len(written)} files with truth to {directory}")


def register(app: typer.Typer) -> None:
    """Add ``eval-sim``, ``eval-parse``, ``eval-real`` and the ``corpus`` group."""
    app.command("eval-sim")(eval_sim)
    app.command("eval-parse")(eval_parse)
    app.command("eval-real")(eval_real)
    app.add_typer(corpus_app, name="corpus")
