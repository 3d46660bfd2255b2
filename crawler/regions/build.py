"""Regenerate ``entry_points.csv`` from the saved directory pages listed in a ``MANIFEST.tsv``.

    python -m govbudget.crawler.regions.build tests/data/realhtml [--out crawler/regions/entry_points.csv]

Which extractor reads which page is the only configuration here (``PAGES``); the region each page
belongs to comes from the MANIFEST's ``region`` column and the URLs from the pages themselves, so
the shipped CSV is reproducible (a test rebuilds it and compares).
"""

from __future__ import annotations

import argparse
import csv
import re
from collections.abc import Callable
from pathlib import Path

from govbudget.crawler.regions import extract
from govbudget.crawler.regions.registry import SNAPSHOT_METHODS, EntryPoint, read_csv, write_csv

Extractor = Callable[[str, str, str, dict[str, str]], list[EntryPoint]]


def _mof(html: str, url: str, label: str, row: dict[str, str]) -> list[EntryPoint]:
    return extract.mof_directory(html, url, label)


def _province_column(html: str, url: str, label: str, row: dict[str, str]) -> list[EntryPoint]:
    region = extract.region_named(row["region"])
    return extract.column_index(html, url, label, region) + extract.named_links(html, url, label, region)


def _city_links(html: str, url: str, label: str, row: dict[str, str]) -> list[EntryPoint]:
    return extract.named_links(html, url, label, extract.region_named(row["region"]))


PAGES: dict[str, Extractor] = {
    "mof_sjyjsgkzl.html": _mof,
    "gd_gov_cn_zwgk_czxx.html": _province_column,
    "maoming_qx_czyjs.html": _city_links,
}


def source_url_of(cell: str) -> str:
    """The page's own address from the MANIFEST's free-text ``source_url`` cell."""
    match = re.search(r"https?://[^\s()]+", cell) or re.search(r"\b([a-z0-9-]+(?:\.[a-z0-9-]+)+\.cn)\b", cell)
    if match is None:
        raise ValueError(f"no address in MANIFEST source_url {cell!r}")
    url = match.group(0)
    return url if url.startswith("http") else f"http://{url}/"


def build(pages_dir: Path) -> list[EntryPoint]:
    """Entry points from every configured page present in ``pages_dir`` (first source wins per URL)."""
    with (pages_dir / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        rows = {r["file"]: r for r in csv.DictReader(fh, delimiter="\t")}
    out: dict[str, EntryPoint] = {}
    for name, extractor in PAGES.items():
        row = rows.get(name)
        if row is None:
            raise FileNotFoundError(f"{name} is not in {pages_dir / 'MANIFEST.tsv'}")
        html = (pages_dir / name).read_text(encoding="utf-8")
        label = f"{name} ({row['repo']}:{row['path']}@{row['commit'][:10]})"
        for entry in extractor(html, source_url_of(row["source_url"]), label, row):
            out.setdefault(entry.url, entry)
    return list(out.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages_dir", type=Path)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("entry_points.csv"))
    args = parser.parse_args(argv)
    entries = build(args.pages_dir)
    # rows `sources discover` wrote are its to keep or retire, never this builder's
    discovered = [e for e in read_csv(args.out, strict=False) if e.method not in SNAPSHOT_METHODS] \
        if args.out.exists() else []
    write_csv(entries + discovered, args.out)
    print(f"{len(entries)} entry points for {len({e.region_code for e in entries})} regions -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
