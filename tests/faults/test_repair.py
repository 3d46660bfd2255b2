"""Issue #11, repair: damaged objects are mended, `verify` names every problem and never aborts, and
`govbudget repair` leaves an archive that `verify` passes.

On a local folder and on S3 (moto over HTTP): a corrupted object is replaced when identical bytes are
archived again; a symlink, a pipe or a folder in place of an object is reported as such; orphans and
uncaptured objects are named; `repair` fetches damaged files again from the portal simulator, restores
ZIP members from their archive, adopts orphans whose provenance the store kept, and queues again a parse
that the sandbox killed once the limits are raised.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govbudget.parsers import parse_bytes
from govbudget.parsers.outcome import ParseOutcome
from govbudget.storage.archive import Archive
from govbudget.storage.catalog import Catalog
from govbudget.storage.fetch import Fetch
from govbudget.storage.keys import content_key, sha256_hex
from govbudget.storage.object_store import NotRegularObject
from govbudget.storage.verify import verify_archive
from govbudget.tasks import parse_sandbox, parse_task
from govbudget.tasks.crawl import crawl_config, run_crawl
from govbudget.tasks.dispatch import enqueue_parse
from govbudget.tasks.repair import _limit_hit, repair
from govbudget.tasks.runtime import Services, configure
from govbudget.tasks.settings import Settings

KILL_BELOW_MB = 1536  # `kill_below_limit` SIGKILLs its own child under this address-space cap


def _settings(kind: str, tmp_path: Path, moto_s3: dict[str, str] | None, **more: Any) -> Settings:
    values: dict[str, Any] = {"data_dir": tmp_path / "data", "allow_loopback": True, **more}
    if kind == "s3":
        assert moto_s3 is not None
        values.update(storage_url=f"s3://repair-{uuid.uuid4().hex[:10]}/archive",
                      s3_endpoint=moto_s3["endpoint"], s3_access_key=moto_s3["access_key"],
                      s3_secret_key=moto_s3["secret_key"])
    return Settings.from_env({}, **values)


@pytest.fixture(params=["local", "s3"])
def svc(request: pytest.FixtureRequest, tmp_path: Path) -> Services:
    """The embedded default with the archive in a local folder, or in a bucket on moto's S3."""
    moto = request.getfixturevalue("moto_s3") if request.param == "s3" else None
    return configure(_settings(request.param, tmp_path, moto))


@pytest.fixture
def local_svc(tmp_path: Path) -> Services:
    return configure(_settings("local", tmp_path, None))


def _fetch(body: bytes, url: str = "http://portal.example/budget.pdf") -> Fetch:
    return Fetch(url=url, body=body, kind="file", content_type="application/pdf")


def _path(svc: Services, sha: str) -> Path:
    return Path(svc.settings.effective_storage_url) / content_key(sha)


def _corrupt(svc: Services, sha: str, data: bytes = b"%PDF-1.7 tampered") -> None:
    """Damage the stored copy behind the archive's back (a bit flip on disk, an overwrite in the bucket)."""
    if svc.settings.storage_url:
        svc.store.put(content_key(sha), data)
    else:
        _path(svc, sha).write_bytes(data)


def _crawl(svc: Services, urls: list[str]) -> dict[str, str]:
    """Crawl `urls` (files of the portal simulator) as any crawl does; url → digest archived."""
    got: dict[str, str] = {}

    def watch(event: dict[str, Any]) -> None:
        if event["event"] == "archived" and not event.get("member"):
            got[event["url"]] = event["sha256"]

    run_crawl(svc, crawl_config(svc.settings, urls), on_event=watch)
    assert set(got) == set(urls)
    return got


def _file_url(simulator: Any, site: str, suffix: str) -> str:
    return next(u for u in sorted(simulator.disclosure_urls()) if f"/{site}/" in u and u.endswith(suffix))


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVBUDGET_")}
    return subprocess.run([sys.executable, "-m", "govbudget.cli", *args, "--data-dir", str(data_dir)],
                          capture_output=True, text=True, env=env, timeout=600)


def _steps(report: Any, action: str) -> list[Any]:
    return [s for s in report.steps if s.action == action]


# -- archiving identical bytes again repairs the stored copy ------------------------------------------


def test_archiving_identical_bytes_replaces_a_corrupted_object(svc: Services) -> None:
    body = b"%PDF-1.4 the budget of 2023\n" * 50
    first = svc.archive.archive(_fetch(body))
    assert (first.new_object, first.repaired) == (True, False)
    _corrupt(svc, first.sha256)
    assert not verify_archive(svc.store, svc.catalog).healthy

    again = svc.archive.archive(_fetch(body))
    assert again.repaired and again.repair_reason.startswith("mismatched: bytes hash to ")
    assert again.event(_fetch(body))["repaired"] is True
    assert svc.store.get(content_key(first.sha256)) == body
    assert verify_archive(svc.store, svc.catalog).healthy
    assert svc.archive.archive(_fetch(body)).repaired is False  # whole bytes are left alone


def test_archiving_bytes_again_puts_back_a_missing_object(svc: Services) -> None:
    body = b"%PDF-1.4 lost and found\n"
    sha = svc.archive.archive(_fetch(body)).sha256
    svc.store.delete(content_key(sha))
    again = svc.archive.archive(_fetch(body))
    assert again.repaired and again.repair_reason.startswith("missing")
    assert svc.store.get(content_key(sha)) == body


def test_archiving_bytes_again_replaces_a_symlink_in_place_of_the_object(
    local_svc: Services, tmp_path: Path
) -> None:
    body = b"%PDF-1.4 linked away\n"
    sha = local_svc.archive.archive(_fetch(body)).sha256
    elsewhere = tmp_path / "elsewhere.pdf"
    elsewhere.write_bytes(body)  # even the right bytes: a link is not an object
    _path(local_svc, sha).unlink()
    _path(local_svc, sha).symlink_to(elsewhere)
    with pytest.raises(NotRegularObject, match="symlink to"):
        local_svc.store.get(content_key(sha))
    again = local_svc.archive.archive(_fetch(body))
    assert again.repaired and again.repair_reason.startswith("not_regular: symlink to")
    assert not _path(local_svc, sha).is_symlink() and _path(local_svc, sha).read_bytes() == body
    assert elsewhere.read_bytes() == body, "the link's target is never written through"


def test_a_recrawl_answered_304_does_not_take_the_damaged_copy_for_the_file(
    local_svc: Services, simulator: Any
) -> None:
    """A conditional re-crawl reads the previous bytes back from the store on a 304: damaged ones are
    never archived as what the portal serves; the file is downloaded again and the copy replaced."""
    svc = local_svc
    url = _file_url(simulator, "hd", ".pdf")
    sha = _crawl(svc, [url])[url]
    good = svc.store.get(content_key(sha))
    _corrupt(svc, sha)
    events: list[dict[str, Any]] = []
    run_crawl(svc, crawl_config(svc.settings, [url]), on_event=events.append)  # not fresh: validators sent
    [archived] = [e for e in events if e["event"] == "archived"]
    assert (archived["sha256"], archived["repaired"]) == (sha, True)
    assert svc.store.get(content_key(sha)) == good
    assert svc.catalog.count("objects") == 1, "no object holds the damaged bytes"
    assert verify_archive(svc.store, svc.catalog).healthy


# -- verify names every problem and never aborts ------------------------------------------------------


def test_verify_reports_non_regular_entries_each_as_its_own_kind(local_svc: Services, tmp_path: Path) -> None:
    svc = local_svc
    shas = [svc.archive.archive(_fetch(f"%PDF-1.4 doc {i}\n".encode(), f"http://p.example/{i}.pdf")).sha256
            for i in range(4)]
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(b"not in the store")
    _path(svc, shas[0]).unlink()
    _path(svc, shas[0]).symlink_to(outside)  # leads out of the store: used to abort verify
    _path(svc, shas[1]).unlink()
    os.mkfifo(_path(svc, shas[1]))  # would block a reader for ever
    _path(svc, shas[2]).unlink()
    _path(svc, shas[2]).mkdir()
    report = verify_archive(svc.store, svc.catalog)
    kinds = {p["sha256"]: p["reason"] for p in report.not_regular}
    assert kinds == {shas[0]: f"symlink to {outside}", shas[1]: "a named pipe", shas[2]: "a folder"}
    assert report.ok == 1 and not report.healthy
    assert report.mismatched == report.missing == report.unreadable == []


def test_verify_names_orphans_and_uncaptured_objects(svc: Services) -> None:
    orphan = b"%PDF-1.4 stored, then the worker died before the catalog write\n"
    svc.store.put(content_key(sha256_hex(orphan)), orphan)
    stray = "raw/sha256/ab/cd/not-a-digest"
    svc.store.put(stray, b"left by another tool")
    lonely = b"%PDF-1.4 known bytes, no capture\n"
    svc.store.put(content_key(sha256_hex(lonely)), lonely)
    svc.catalog.ensure_object(sha256_hex(lonely), len(lonely), content_key(sha256_hex(lonely)), None)

    report = verify_archive(svc.store, svc.catalog)
    assert sorted((o["key"], o["sha256"]) for o in report.orphans) == sorted(
        [(content_key(sha256_hex(orphan)), sha256_hex(orphan)), (stray, None)])
    assert [u["sha256"] for u in report.uncaptured] == [sha256_hex(lonely)]
    assert report.ok == report.checked == 1
    assert not report.healthy and report.problems == 3
    assert report.as_dict()["orphans"] == report.orphans


def test_verify_command_reports_a_symlink_without_a_traceback(tmp_path: Path) -> None:
    svc = configure(_settings("local", tmp_path, None))
    sha = svc.archive.archive(_fetch(b"%PDF-1.4 cli\n")).sha256
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(b"x")
    _path(svc, sha).unlink()
    _path(svc, sha).symlink_to(outside)
    result = _cli(svc.settings.data_dir, "verify", "--json")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    report = json.loads(result.stdout)
    assert [p["sha256"] for p in report["not_regular"]] == [sha]
    assert report["not_regular"][0]["reason"] == f"symlink to {outside}"
    text = _cli(svc.settings.data_dir, "verify")
    assert text.returncode == 1 and "NOT A FILE" in text.stderr and "Traceback" not in text.stderr


# -- repair -------------------------------------------------------------------------------------------


def test_repair_fetches_a_corrupted_file_again_and_verify_is_clean(svc: Services, simulator: Any) -> None:
    url = _file_url(simulator, "hd", ".pdf")
    sha = _crawl(svc, [url])[url]
    good = svc.store.get(content_key(sha))
    _corrupt(svc, sha)
    captures = len(list(svc.catalog.captures(sha)))

    plan = repair(svc, dry_run=True)
    [step] = plan.steps
    assert (step.action, step.target, step.result) == ("refetch", sha, "planned")
    assert url in step.detail and plan.after is None
    assert svc.store.get(content_key(sha)) != good, "a dry run changes nothing"

    done = repair(svc)
    [refetch] = _steps(done, "refetch")
    assert (refetch.result, refetch.ok) == ("repaired", True)
    [reparse] = _steps(done, "reparse")
    assert reparse.target == sha and reparse.result == "parsed: ok"
    assert svc.store.get(content_key(sha)) == good
    assert done.after is not None and done.after.healthy and done.healthy
    assert len(list(svc.catalog.captures(sha))) == captures + 1, "the re-fetch is a capture of its own"
    run = svc.catalog.crawl_run(list(svc.catalog.captures(sha))[-1].crawl_id)
    assert run is not None and run.id.startswith("repair-") and run.region_code is None


def test_repair_command_replaces_a_symlinked_object_then_verify_exits_0(
    tmp_path: Path, simulator: Any
) -> None:
    svc = configure(_settings("local", tmp_path, None))
    url = _file_url(simulator, "hd", ".xlsx")
    sha = _crawl(svc, [url])[url]
    good = svc.store.get(content_key(sha))
    outside = tmp_path / "outside.xlsx"
    outside.write_bytes(b"someone else's file")
    _path(svc, sha).unlink()
    _path(svc, sha).symlink_to(outside)

    dry = _cli(svc.settings.data_dir, "repair", "--dry-run", "--json", "--allow-loopback")
    assert dry.returncode == 0, dry.stderr
    planned = json.loads(dry.stdout)
    assert [(s["action"], s["target"]) for s in planned["steps"]] == [("refetch", sha)]
    table = _cli(svc.settings.data_dir, "repair", "--dry-run", "--allow-loopback")
    assert table.returncode == 0 and "refetch" in table.stdout and "planned" in table.stdout, table.stderr
    assert _path(svc, sha).is_symlink()

    fixed = _cli(svc.settings.data_dir, "repair", "--json", "--allow-loopback")
    assert fixed.returncode == 0, fixed.stderr[-3000:]
    report = json.loads(fixed.stdout)
    assert report["before"]["not_regular"][0]["sha256"] == sha
    assert [(s["action"], s["result"]) for s in report["steps"]] == [
        ("refetch", "repaired"), ("reparse", "parsed: ok")]
    assert report["after"]["healthy"] is True
    assert not _path(svc, sha).is_symlink() and _path(svc, sha).read_bytes() == good
    assert outside.read_bytes() == b"someone else's file"
    assert _cli(svc.settings.data_dir, "verify").returncode == 0


def test_repair_restores_a_zip_member_from_its_archive(local_svc: Services, simulator: Any) -> None:
    svc = local_svc
    url = _file_url(simulator, "edge", ".zip")
    container = _crawl(svc, [url])[url]
    members = [c for c in svc.catalog.captures() if c.referrer == url]
    assert members, "the simulator's ZIP has members"
    member = members[0].sha256
    good = svc.store.get(content_key(member))
    svc.store.delete(content_key(member))

    report = repair(svc)
    [step] = _steps(report, "reparse_container")
    assert step.target == member and container in step.detail
    assert (step.result, step.ok) == (f"restored from its archive {container}", True)
    assert svc.store.get(content_key(member)) == good
    assert report.healthy


def test_repair_says_when_the_portal_now_serves_other_bytes(local_svc: Services) -> None:
    """Bytes no URL serves any more cannot be fetched again: said, not hidden."""
    from govbudget.simulator.server import PortalSimulator

    svc = local_svc
    with PortalSimulator() as sim:  # its own simulator: this test changes a file on it
        url = _file_url(sim, "ifr", ".pdf")
        sha = _crawl(svc, [url])[url]
        sim.set_file_bytes(url, svc.store.get(content_key(sha)) + b"\n% revised\n")
        _corrupt(svc, sha)
        report = repair(svc)
    [step] = _steps(report, "refetch")
    assert step.ok is False
    assert step.result.startswith(f"not repaired: {url} now serves other bytes (")
    assert not report.healthy and report.after is not None
    assert [p["sha256"] for p in report.after.mismatched] == [sha]


class _CrashBeforeCatalog(Catalog):
    """A catalog whose capture write never happens: the worker died between the two writes."""

    def record_capture(self, *args: Any, **kwargs: Any) -> tuple[bool, int]:
        raise KeyboardInterrupt("killed between the store write and the catalog write")


def test_an_interrupted_archive_leaves_an_orphan_that_repair_adopts_or_reports(svc: Services) -> None:
    body = b"%PDF-1.4 interrupted\n"
    fetch = Fetch(url="http://portal.example/2023/budget.pdf", body=body, kind="file",
                  content_type="application/pdf", crawl_id="crawl-7", region_code="130400")
    crashing = Archive(svc.store, _CrashBeforeCatalog(svc.settings.effective_database_url))
    with pytest.raises(KeyboardInterrupt):
        crashing.archive(fetch)
    sha = sha256_hex(body)
    report = verify_archive(svc.store, svc.catalog)
    assert [o["sha256"] for o in report.orphans] == [sha] and not report.healthy

    fixed = repair(svc)
    if svc.settings.storage_url:  # S3 keeps the provenance beside the bytes: adopted with its capture
        [adopt] = _steps(fixed, "adopt")
        assert (adopt.target, adopt.result) == (content_key(sha), "adopted")
        [capture] = list(svc.catalog.captures(sha))
        assert (capture.url, capture.kind, capture.crawl_id, capture.region_code) == (
            fetch.url, "file", "crawl-7", "130400")
        assert capture.fetched_at == fetch.fetched_at
        assert [s.target for s in _steps(fixed, "reparse")] == [sha]
        assert fixed.healthy
    else:  # a folder keeps none: reported, never adopted without provenance nor deleted silently
        [kept] = _steps(fixed, "keep_orphan")
        assert kept.target == content_key(sha) and "no record of where it came from" in kept.detail
        assert not fixed.healthy and svc.store.get(content_key(sha)) == body
        deleted = repair(svc, delete_orphans=True)
        assert [(s.action, s.result) for s in deleted.steps] == [("delete_orphan", "deleted")]
        assert deleted.healthy and not svc.store.exists(content_key(sha))


def kill_below_limit(data: bytes, *, filename: str | None, sha256: str) -> ParseOutcome:
    """Parse target run in the sandbox child: killed (SIGKILL, as the kernel does) under a small cap."""
    cap = resource.getrlimit(resource.RLIMIT_AS)[0]
    if cap != resource.RLIM_INFINITY and cap < KILL_BELOW_MB * 1024 * 1024:
        os.kill(os.getpid(), signal.SIGKILL)
    return parse_bytes(data, filename=filename, sha256=sha256)


@pytest.fixture
def killing_parser(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(parse_task, "PARSE_TARGET", kill_below_limit)
    yield
    worker = getattr(parse_sandbox._local, "worker", None)
    if worker is not None:
        worker.stop()
        parse_sandbox._local.worker = None


def test_a_parse_killed_under_the_old_limits_is_queued_again_once_they_are_raised(
    tmp_path: Path, simulator: Any, killing_parser: None
) -> None:
    from govbudget.corpus.render_xlsx import render_xlsx

    svc = configure(_settings("local", tmp_path, None, parse_memory_mb=1024, parse_cpu_seconds=60))
    sha = svc.archive.archive(_fetch(render_xlsx("002"), url="http://portal.example/t.xlsx")).sha256
    enqueue_parse(sha)
    assert svc.catalog.parse_status(sha) == "failed"
    [failed] = list(svc.catalog.latest_failed_parses())
    assert failed.errors == ["parser process died with signal 9 (SIGKILL)",
                             "sandbox limits: memory 1024 MiB, cpu 60 s, wall 210 s"]

    same = repair(svc)  # the limits are what killed it: another try would die the same way
    [kept] = same.steps
    assert (kept.action, kept.target, kept.result) == ("keep_failed", sha, "kept")
    assert svc.catalog.parse_status(sha) == "failed"

    svc = configure(_settings("local", tmp_path, None, parse_memory_mb=2048, parse_cpu_seconds=60))
    assert [(s.action, s.target) for s in repair(svc, dry_run=True).steps] == [("requeue_parse", sha)]
    assert svc.catalog.parse_status(sha) == "failed", "a dry run queues nothing"
    raised = repair(svc)
    [step] = raised.steps
    assert (step.action, step.result, step.ok) == ("requeue_parse", "parsed: ok", True)
    assert "then 1024 MiB, 60 s CPU, now 2048 MiB" in step.detail
    assert svc.catalog.parse_status(sha) == "ok"
    assert list(svc.catalog.latest_failed_parses()) == []
    assert raised.healthy
    assert _cli(svc.settings.data_dir, "verify").returncode == 0


def test_repair_knows_every_reason_the_sandbox_gives_for_ending_a_parse() -> None:
    limits = parse_sandbox.Limits(memory_mb=512, cpu_seconds=10)
    reasons = {
        parse_sandbox._death_reason(-signal.SIGXCPU, limits): "cpu",
        parse_sandbox._death_reason(-signal.SIGKILL, limits): "kill",
        parse_sandbox._death_reason(-signal.SIGABRT, limits): "kill",
        f"parser exceeded its wall-clock limit of {limits.wall_seconds} s": "wall",
        "parser exceeded its 512 MiB memory limit": "memory",
        "parser exceeded its 512 MiB memory limit while returning its result": "memory",
    }
    for reason, kind in reasons.items():
        assert _limit_hit([reason, parse_sandbox.limits_note(limits)]) == (kind, reason)
    assert _limit_hit(["parser process sent an unreadable result: refused x"]) is None
    assert _limit_hit(["gave up: the worker died 3 times while parsing this file"]) is None
    assert parse_sandbox.recorded_limits([parse_sandbox.limits_note(limits)]) == parse_sandbox.Limits(
        memory_mb=512, cpu_seconds=10, wall=60)


# -- the catalog queries repair reads, on SQLite and PostgreSQL ---------------------------------------


def test_latest_failed_parses_and_uncaptured_objects(catalog: Catalog) -> None:
    for digest in ("a" * 64, "b" * 64, "c" * 64):
        catalog.ensure_object(digest, 1, content_key(digest), None)
    catalog.save_parse_result("a" * 64, "sandbox", "failed", ["killed"], [{"type": "document"}])
    catalog.save_parse_result("a" * 64, "pdf@1", "ok", [], [{"type": "document"}])  # then it parsed
    catalog.save_parse_result("b" * 64, "pdf@1", "ok", [], [{"type": "document"}])
    catalog.save_parse_result("b" * 64, "sandbox", "failed", ["killed", "again"], [{"type": "document"}])
    rows = list(catalog.latest_failed_parses())
    assert [(r.sha256, r.parser, r.errors) for r in rows] == [("b" * 64, "sandbox", ["killed", "again"])]
    assert rows[0].parsed_at.tzinfo is not None
    assert catalog.uncaptured_objects() == ["a" * 64, "b" * 64, "c" * 64]
