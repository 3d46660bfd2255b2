"""`govbudget sources` (the region registry) and `govbudget eval-sim` (discovery's report card).

``eval-sim`` crawls the local portal simulator twice — fresh, then incremental — and scores what was
archived against what the simulator knows it serves: recall of disclosures (every one must be
found), precision (what was archived as a disclosure really is one), and the second crawl's share
of the first one's bytes (conditional requests must make a re-crawl cheap).
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from govbudget.storage.fetch import is_archive_member

console = Console(stderr=True)
DISCLOSURE_KINDS = frozenset({"budget", "final", "three_public", "performance"})
MIN_RECALL, MIN_PRECISION, MAX_BYTE_RATIO = 1.0, 0.98, 0.10


@dataclass(frozen=True)
class SimScore:
    """Discovery on the simulator, against the targets of issue #3."""

    expected: int
    archived: int
    found: int
    missed: list[str]
    extra: list[str]
    decoys_archived: list[str]
    recall: float
    precision: float
    first_bytes: int
    second_bytes: int
    byte_ratio: float

    @property
    def failures(self) -> list[str]:
        out = []
        if self.recall < MIN_RECALL:
            out.append(f"recall {self.recall:.4f} < {MIN_RECALL} ({len(self.missed)} missed)")
        if self.precision < MIN_PRECISION:
            out.append(f"precision {self.precision:.4f} < {MIN_PRECISION}")
        if self.byte_ratio >= MAX_BYTE_RATIO:
            out.append(f"second crawl fetched {self.byte_ratio:.2%} of the first's bytes (>= 10%)")
        if self.decoys_archived:
            out.append(f"{len(self.decoys_archived)} decoys archived as disclosures")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "failures": self.failures, "passed": not self.failures}


def score(expected: set[str], documents: list[dict[str, Any]], decoy_urls: set[str],
          first_bytes: int, second_bytes: int) -> SimScore:
    """Score archived catalog ``documents`` against the ``expected`` sha256 set of the simulator."""
    archived = {d["sha256"]: d for d in documents if d.get("doc_kind") in DISCLOSURE_KINDS
                and not is_archive_member(d.get("url"), d.get("referrer"), d.get("link_text"))}
    found = expected & archived.keys()
    return SimScore(
        expected=len(expected), archived=len(archived), found=len(found),
        missed=sorted(expected - archived.keys()), extra=sorted(archived.keys() - expected),
        decoys_archived=sorted(d["url"] for d in archived.values() if d.get("url") in decoy_urls),
        recall=len(found) / len(expected) if expected else 0.0,
        precision=len(found) / len(archived) if archived else 0.0,
        first_bytes=first_bytes, second_bytes=second_bytes,
        byte_ratio=second_bytes / first_bytes if first_bytes else 1.0,
    )


def evaluate_simulator(data_dir: Path, *, on_event: Any = None) -> SimScore:
    """Start the simulator, crawl it fresh then incrementally into ``data_dir``, score the result."""
    from govbudget.simulator import PortalSimulator
    from govbudget.tasks.crawl import run_crawl
    from govbudget.tasks.runtime import configure
    from govbudget.tasks.settings import Settings

    svc = configure(Settings.from_env(data_dir=data_dir, allow_loopback=True))
    with PortalSimulator() as sim:
        first = run_crawl(svc, sim.start_urls, fresh=True, on_event=on_event, parse_timeout=5)
        second = run_crawl(svc, sim.start_urls, on_event=on_event, parse_timeout=5)
        return score(set(sim.expected_disclosures()), list(svc.catalog.documents()), set(sim.decoy_urls()),
                     first.bytes_downloaded, second.bytes_downloaded)


def _show(result: SimScore) -> None:
    table = Table(title="govbudget eval-sim", show_header=False)
    rows = [
        ("disclosures served", str(result.expected)),
        ("archived as disclosures", str(result.archived)),
        ("recall (target 1.0)", f"{result.recall:.4f}"),
        ("precision (target >= 0.98)", f"{result.precision:.4f}"),
        ("first crawl bytes", str(result.first_bytes)),
        ("second crawl bytes", str(result.second_bytes)),
        ("second/first (target < 10%)", f"{result.byte_ratio:.2%}"),
    ]
    for key, value in rows:
        table.add_row(key, value)
    Console().print(table)
    for sha in result.missed:
        Console().print(f"missed {sha}")
    for url in result.decoys_archived:
        Console().print(f"decoy archived {url}")


def register(app: typer.Typer) -> None:
    """Add ``sources`` and ``eval-sim`` to the ``govbudget`` command line."""

    @app.command("eval-sim")
    def eval_sim(
        data_dir: Annotated[Path | None, typer.Option(
            "--data-dir", help="Archive to crawl into (default: a new temporary folder).")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the scores as one JSON object.")] = False,
    ) -> None:
        """Crawl the portal simulator twice (fresh, incremental) and score discovery; exit 1 below target.

        Example: govbudget eval-sim --json
        """
        with tempfile.TemporaryDirectory(prefix="govbudget-eval-sim-") as tmp:
            result = evaluate_simulator(data_dir or Path(tmp))
        if as_json:
            sys.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False) + "\n")
        else:
            _show(result)
        for failure in result.failures:
            console.print(f"[red]target missed:[/red] {failure}")
        if result.failures:
            raise typer.Exit(1)

    @app.command()
    def sources(
        region: Annotated[str | None, typer.Option(
            "--region", help="GB/T 2260 code or name; lists it and the divisions under it.")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="One JSON object per entry point.")] = False,
    ) -> None:
        """List the known portal entry points of the region registry, with where each URL came from.

        Example: govbudget sources --region 茂名市
        """
        from govbudget.crawler.regions import UnknownRegion, entry_points, resolve

        code = None
        if region:
            try:
                code = resolve(region).code
            except UnknownRegion as exc:
                console.print(f"[red]unknown region:[/red] {exc}")
                raise typer.Exit(2) from exc
        rows = entry_points(code, include_children=True)
        if as_json:
            for e in rows:
                sys.stdout.write(json.dumps(asdict(e), ensure_ascii=False) + "\n")
            return
        table = Table(title=f"entry points ({len(rows)})")
        for col in ("code", "region", "url", "label", "source"):
            table.add_column(col, overflow="fold")
        for e in rows:
            table.add_row(e.region_code, e.region_name, e.url, e.label, e.source_url)
        Console(width=None if sys.stdout.isatty() else 200).print(table)
        if not rows:
            console.print("no entry points known for this region")
