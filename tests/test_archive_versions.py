"""Archive fidelity end to end: a file changed on the portal between two crawls is two versions, the
re-fetch report says so, the WARC export of both crawls passes `warcio check`, and `verify` finds a
corrupted and a missing object (tests/faults/test_repair.py covers the other kinds and `repair`).

Runs the real command line (`govbudget refetch`, `export-warc`, `verify`) on the embedded default
against the portal simulator's plain-HTTP city site (130400).
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from govbudget.simulator.server import PortalSimulator
from govbudget.storage.keys import content_key, sha256_hex
from govbudget.storage.warc_export import OBJECT_HEADER
from govbudget.tasks.crawl_region import crawl_region_now
from govbudget.tasks.runtime import configure
from govbudget.tasks.settings import Settings

REGION = "130400"


def _cli(*args: str, data_dir: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVBUDGET_")}
    return subprocess.run(
        [sys.executable, "-m", "govbudget.cli", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def two_crawls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Crawl the city site, change one PDF on it, then `govbudget refetch` the region."""
    data_dir = tmp_path_factory.mktemp("archive") / "data"
    with PortalSimulator() as sim:
        site = next(s for s in sim.sites if s.region_code == REGION)
        svc = configure(Settings.from_env({}, data_dir=data_dir, allow_loopback=True))
        first = crawl_region_now(svc, REGION, start_urls=[site.start_url])
        url, old_sha = next(
            (u, h)
            for u, h in sorted(sim.disclosure_urls().items())
            if u.startswith(site.start_url) and u.endswith(".pdf")
        )
        old_bytes = svc.store.get(content_key(old_sha))
        new_bytes = old_bytes + b"\n% revised edition\n"
        sim.set_file_bytes(url, new_bytes)
        refetch = _cli("refetch", "--region", REGION, "--allow-loopback", "--json", data_dir=data_dir)
        assert refetch.returncode == 0, refetch.stderr[-3000:]
        file_urls = [u for u in sim.disclosure_urls() if u.startswith(site.start_url)]
    return {
        "data_dir": data_dir,
        "first": first,
        "second": json.loads(refetch.stdout),
        "url": url,
        "old_sha": old_sha,
        "old_bytes": old_bytes,
        "new_bytes": new_bytes,
        "file_urls": file_urls,
    }


def test_first_crawl_reports_every_document_new(two_crawls: dict[str, Any]) -> None:
    first = two_crawls["first"]
    assert first["changes"] == {"new": len(two_crawls["file_urls"]), "unchanged": 0, "changed": 0, "gone": 0}


def test_refetch_reports_the_changed_file_and_the_rest_unchanged(two_crawls: dict[str, Any]) -> None:
    second = two_crawls["second"]
    n = len(two_crawls["file_urls"])
    assert second["changes"] == {"new": 0, "unchanged": n - 1, "changed": 1, "gone": 0}
    (changed,) = [d for d in second["documents"] if d["state"] == "changed"]
    assert changed["url"] == two_crawls["url"]
    assert changed["previous_sha256"] == two_crawls["old_sha"]
    assert changed["sha256"] == sha256_hex(two_crawls["new_bytes"])
    assert second["files_new"] == 1 and second["parse_pending"] == 0


def test_both_versions_are_kept_and_readable(two_crawls: dict[str, Any]) -> None:
    svc = configure(Settings.from_env({}, data_dir=two_crawls["data_dir"]))
    new_sha = sha256_hex(two_crawls["new_bytes"])
    assert svc.store.get(content_key(two_crawls["old_sha"])) == two_crawls["old_bytes"]
    assert svc.store.get(content_key(new_sha)) == two_crawls["new_bytes"]
    shas = [c.sha256 for c in svc.catalog.captures() if c.url == two_crawls["url"]]
    assert shas == [two_crawls["old_sha"], new_sha]
    assert svc.catalog.parse_status(new_sha) is not None


def test_warc_export_of_both_crawls_passes_warcio_check(two_crawls: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "region.warc.gz"
    result = _cli("export-warc", "--region", REGION, str(out), data_dir=two_crawls["data_dir"])
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    check = subprocess.run(
        [str(Path(sys.executable).parent / "warcio"), "check", "-v", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-2000:]
    assert "digest pass" in check.stdout and "fail" not in check.stdout.lower()

    svc = configure(Settings.from_env({}, data_dir=two_crawls["data_dir"]))
    types: Counter[str] = Counter()
    payloads: dict[str, bytes] = {}
    revisits = []
    with out.open("rb") as fh:
        for record in ArchiveIterator(fh):
            types[record.rec_type] += 1
            assert record.rec_headers.get_header("WARC-Type") == record.rec_type
            if record.rec_type == "response":
                uri = record.rec_headers.get_header("WARC-Target-URI")
                body = record.content_stream().read()
                sha = record.rec_headers.get_header(OBJECT_HEADER).removeprefix("sha256:")
                assert sha256_hex(body) == sha, f"payload of {uri} is not its archive object"
                assert record.rec_headers.get_header("WARC-Payload-Digest").startswith("sha1:")
                payloads[sha] = body
            elif record.rec_type == "revisit":
                revisits.append(record.rec_headers)
    assert record is not None
    captures = list(svc.catalog.captures())
    assert types["response"] == len({c.sha256 for c in captures}) == svc.catalog.count("objects")
    assert types["request"] == len(captures) == report["captures"]
    assert types["revisit"] == len(captures) - types["response"] > 0
    assert payloads[two_crawls["old_sha"]] == two_crawls["old_bytes"]
    assert payloads[sha256_hex(two_crawls["new_bytes"])] == two_crawls["new_bytes"]
    for headers in revisits:
        assert headers.get_header("WARC-Profile").endswith("/revisit/identical-payload-digest")
        assert headers.get_header("WARC-Refers-To-Target-URI") and headers.get_header("WARC-Refers-To")

    cdxj = out.with_name("region.cdxj").read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line.split(" ", 2)[2]) for line in cdxj]
    digests = {e["digest"] for e in entries if e["url"] == two_crawls["url"]}
    assert len(digests) == 2, "the CDXJ index lists both versions of the changed file"
    with gzip.open(out) as raw:
        assert raw.read(8) == b"WARC/1.1"


def test_verify_passes_then_detects_a_corrupted_and_a_missing_object(
    two_crawls: dict[str, Any], tmp_path: Path
) -> None:
    import shutil

    data_dir = tmp_path / "copy"
    shutil.copytree(two_crawls["data_dir"], data_dir)
    ok = _cli("verify", "--json", data_dir=data_dir)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    healthy = json.loads(ok.stdout)
    assert healthy["healthy"] and healthy["ok"] == healthy["checked"] > 0
    assert healthy["problems"] == 0 and healthy["orphans"] == healthy["uncaptured"] == []

    corrupted = sha256_hex(two_crawls["new_bytes"])
    (data_dir / "objects" / content_key(corrupted)).write_bytes(b"%PDF-1.7 tampered")
    missing = two_crawls["old_sha"]
    (data_dir / "objects" / content_key(missing)).unlink()
    bad = _cli("verify", "--json", data_dir=data_dir)
    assert bad.returncode == 1
    report = json.loads(bad.stdout)
    assert [p["sha256"] for p in report["mismatched"]] == [corrupted]
    assert [p["sha256"] for p in report["missing"]] == [missing]
    assert report["ok"] == healthy["ok"] - 2
    assert report["problems"] == 2 and report["not_regular"] == report["orphans"] == []
