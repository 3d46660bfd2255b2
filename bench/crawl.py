"""Crawl: our crawler with archiving vs a bare follow-all Scrapy spider on the same simulator sites.

Only the plain-HTTP sites are crawled here (the JS-only site needs the browser, measured in
`browser.py`); both sides fetch every page and file they find, ours also archives each one into the
embedded store and catalog. Figure: responses per second, from reactor start to finish.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.harness import Context, Row, Section, rounds

ROOT = Path(__file__).resolve().parents[1]


def crawl(config: dict[str, Any]) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-m", "bench.crawl_child"], input=json.dumps(config), cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"crawl child failed: {proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fresh_archive(ctx: Context) -> dict[str, str]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-crawl-", dir=ctx.workdir))
    return {"storage_url": str(tmp / "objects"), "database_url": f"sqlite:///{tmp / 'catalog.sqlite3'}"}


def run(ctx: Context, sim: Any) -> Section:
    urls = [s.start_url for s in sim.sites if not s.needs_browser]
    seen: dict[str, dict[str, Any]] = {}

    def side(mode: str) -> float:
        result = crawl({"mode": mode, "start_urls": urls, **fresh_archive(ctx)})
        seen[mode] = result
        return result["responses"] / result["seconds"]

    med = rounds(ctx, {"ours": lambda: side("ours"), "bare": lambda: side("bare")})
    ratio = med["ours"] / med["bare"]
    section = Section("Crawl", f"{len(urls)} plain-HTTP simulator sites; ours fetched "
                               f"{seen['ours']['responses']} responses ({seen['ours']['files']} files "
                               f"archived), the bare spider {seen['bare']['responses']}")
    section.rows.append(Row("responses/s", med["ours"], med["bare"], "bare follow-all Scrapy spider",
                            "pages/s", ratio, "≥ 0.7", ratio >= 0.7))
    section.notes.append("ours obeys robots.txt and AutoThrottle (4 per host), and archives every response; "
                         "the bare spider uses Scrapy's defaults (8 per host, no robots.txt)")
    return section
