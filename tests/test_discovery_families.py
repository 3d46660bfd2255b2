"""One crawl (twice: fresh, then incremental) of the whole simulator; one test per family and edge."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from govbudget.simulator.edge_site import PRIVATE_TARGETS
from govbudget.simulator.evaluate import archived_disclosures
from govbudget.simulator.gates import RS_JS_COOKIE
from govbudget.storage.fetch import is_archive_member


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from govbudget.simulator import PortalSimulator
    from govbudget.tasks.crawl import crawl_config, run_crawl
    from govbudget.tasks.runtime import configure
    from govbudget.tasks.settings import Settings

    data: Path = tmp_path_factory.mktemp("discovery")
    events: list[dict[str, Any]] = []
    with PortalSimulator() as sim:
        svc = configure(Settings.from_env(data_dir=data, allow_loopback=True))
        first = run_crawl(svc, crawl_config(svc.settings, sim.start_urls), on_event=events.append)
        log_first = sim.request_log.snapshot()
        second = run_crawl(svc, crawl_config(svc.settings, sim.start_urls))
        documents = list(svc.catalog.documents())
        archived = archived_disclosures(documents)
        members = [d for d in documents if is_archive_member(d["url"], d["referrer"], d["link_text"])]
        yield {"sim": sim, "svc": svc, "first": first, "second": second, "events": events,
               "log": log_first, "archived": archived, "members": members, "base": sim.base_url,
               "expected_by_url": sim.disclosure_urls(), "decoys": sim.decoy_urls()}


def _expected(crawled: Any, prefix: str) -> set[str]:
    base = crawled["base"] + f"/{prefix}/"
    return {sha for url, sha in crawled["expected_by_url"].items() if url.startswith(base)}


def _archived_from(crawled: Any, prefix: str) -> set[str]:
    base = crawled["base"] + f"/{prefix}/"
    return {sha for sha, d in crawled["archived"].items()
            if any(c.url.startswith(base) for c in crawled["svc"].catalog.captures(sha))}


@pytest.mark.parametrize("prefix", ["hd", "js", "hw", "spa", "asp", "ifr", "rs", "jsl", "edge"])
def test_family_yields_exactly_its_disclosures(crawled: Any, prefix: str) -> None:
    expected = _expected(crawled, prefix)
    assert expected, f"simulator site /{prefix}/ serves no disclosure"
    assert _archived_from(crawled, prefix) == expected


def test_whole_simulator_recall_and_precision(crawled: Any) -> None:
    expected = set(crawled["sim"].expected_disclosures())
    archived = set(crawled["archived"])
    assert archived == expected
    decoys = set(crawled["decoys"])
    assert not [d["url"] for d in crawled["archived"].values() if d["url"] in decoys]


def test_412_files_came_over_plain_http_with_the_browser_cookie(crawled: Any) -> None:
    rs = _expected(crawled, "rs")
    for sha in rs:
        caps = list(crawled["svc"].catalog.captures(sha))
        assert caps and all(c.via == "http" for c in caps)
    file_gets = [h for m, p, h in crawled["log"] if p.startswith("/rs/") and "/files/" in p]
    assert file_gets, "no file of the 412 site was requested"
    assert all(RS_JS_COOKIE in h.get("Cookie", "") for h in file_gets)
    assert crawled["first"].browser_requests >= 1


def test_private_redirects_were_refused_never_requested(crawled: Any) -> None:
    go = {p for m, p, h in crawled["log"] if p.startswith("/edge/go.jsp")}
    assert len(go) == len(PRIVATE_TARGETS), "the redirecting links were not followed"
    refused = {e["url"]: e for e in crawled["events"] if e["event"] == "refused"}
    assert set(PRIVATE_TARGETS) <= set(refused)
    assert all("/edge/go.jsp?url=" in (refused[t]["referrer"] or "") for t in PRIVATE_TARGETS)
    hosts = {urlsplit(t).hostname for t in PRIVATE_TARGETS}
    archived = [e for e in crawled["events"] if e["event"] == "archived"]
    assert not [e for e in archived if urlsplit(e["url"]).hostname in hosts or "go.jsp" in e["url"]]
    # A request that reached the downloader would have failed (nothing listens there) and been logged.
    log = Path(crawled["first"].log_file).read_text(encoding="utf-8")
    assert not [h for h in hosts if h and h in log]


def test_challenge_replays_carry_no_download_state(crawled: Any) -> None:
    """A request replayed after a 521/412 challenge starts afresh (Scrapy warns when it does not)."""
    log = Path(crawled["first"].log_file).read_text(encoding="utf-8")
    assert "govbudget/challenges" in log  # the stats dump: challenges were met and answered
    assert "internal meta keys" not in log


def test_oversized_file_recorded_as_skipped_with_its_size(crawled: Any) -> None:
    skipped = [e for e in crawled["events"] if e["event"] == "skipped" and e["reason"] == "oversize"]
    assert [e["size"] for e in skipped] == [300 * 1024 * 1024]
    assert not [c for c in crawled["svc"].catalog.captures() if c.url == skipped[0]["url"]]


def test_retry_after_and_flaky_file(crawled: Any) -> None:
    assert crawled["first"].deferrals >= 1  # the 429 with Retry-After waits without spending a retry
    assert crawled["first"].retries >= 2  # the two 503s of the flaky file
    assert crawled["first"].files_failed == 0


def test_second_crawl_downloads_under_ten_percent(crawled: Any) -> None:
    first, second = crawled["first"], crawled["second"]
    assert first.bytes_downloaded > 0
    assert second.bytes_downloaded < 0.1 * first.bytes_downloaded
    assert second.files_new == 0 and second.pages_new == 0
    assert second.not_modified > 0


def test_content_disposition_names_classify_servlet_files(crawled: Any) -> None:
    for prefix in ("asp", "spa"):
        for sha in _expected(crawled, prefix):
            doc = crawled["archived"][sha]
            assert doc["fiscal_year"] and doc["department"], doc


def test_eval_sim_scores_meet_the_targets(crawled: Any) -> None:
    from govbudget.simulator.evaluate import score

    first, second = crawled["first"].bytes_downloaded, crawled["second"].bytes_downloaded
    docs = list(crawled["svc"].catalog.documents())
    result = score(set(crawled["sim"].expected_disclosures()), docs, set(crawled["decoys"]), first, second)
    assert result.expected == len(crawled["sim"].expected_disclosures()) > 20
    assert (result.recall, result.missed) == (1.0, [])
    assert result.precision >= 0.98 and result.byte_ratio < 0.10
    assert result.failures == []


def test_eval_sim_score_reports_a_miss_and_a_decoy() -> None:
    from govbudget.simulator.evaluate import score

    docs = [{"sha256": "a", "doc_kind": "budget", "url": "u1"},
            {"sha256": "d", "doc_kind": "final", "url": "u9"}]
    result = score({"a", "b"}, docs, {"u9"}, 1000, 200)
    got = (result.recall, result.precision, result.missed, result.decoys_archived)
    assert got == (0.5, 0.5, ["b"], ["u9"])
    assert len(result.failures) == 4  # recall, precision, byte ratio 20%, one decoy


def test_robots_forbidden_preview_was_never_requested(crawled: Any) -> None:
    assert not [p for _, p, _ in crawled["log"] if p.startswith("/edge/preview/")]
    assert ("GET", "/robots.txt") in {(m, p) for m, p, _ in crawled["log"]}


@pytest.mark.parametrize(("path", "body", "soft"), [
    ("/a/W0201.pdf", b"<!DOCTYPE html><html><title>home</title><a href='/'>x</a></html>", True),
    ("/a/W0201.xls", b"<html><body><p>home page</p></body></html>", True),
    ("/a/W0201.xls", b"<html><body><table><tr><td>1</td></tr></table></body></html>", False),
    ("/a/W0201.pdf", b"%PDF-1.7 real bytes", False),
])
def test_soft_404_is_html_where_a_file_was_linked(path: str, body: bytes, soft: bool) -> None:
    from scrapy.http import HtmlResponse, Response

    from govbudget.crawler.spiders.disclosures import _soft_404

    cls = HtmlResponse if body.startswith(b"<") else Response
    response = cls(url="http://sim.example.gov.cn" + path, body=body)
    assert _soft_404(response, None) is soft


def test_soft_404_pages_were_not_archived_as_disclosures(crawled: Any) -> None:
    edge = crawled["base"] + "/edge/"
    html = [d["url"] for d in crawled["archived"].values()
            if d["url"].startswith(edge) and d["format"] == "html"]
    assert [u for u in html if not u.endswith(".xls")] == []


def test_xls_that_is_html_is_archived_as_its_disclosure(crawled: Any) -> None:
    xls = [(u, s) for u, s in crawled["expected_by_url"].items() if "/edge/" in u and u.endswith(".xls")]
    assert len(xls) == 1
    _, sha = xls[0]
    doc = crawled["archived"][sha]
    assert doc["format"] == "html" and doc["doc_kind"] == "budget"


def test_zip_members_are_classified_and_linked_to_their_archive(crawled: Any) -> None:
    from govbudget.simulator.family_docs import family_documents

    [zipped] = [d for d in family_documents()["edge"] if d.fmt == "zip"]
    with zipfile.ZipFile(io.BytesIO(zipped.data)) as zf:
        names = set(zf.namelist())
    members = {d["link_text"]: d for d in crawled["members"] if d["referrer"].endswith(".zip")}
    assert set(members) == names and len(names) == 2
    for name, doc in members.items():
        assert doc["doc_kind"] == "budget", (name, doc)
        assert doc["fiscal_year"] == zipped.fiscal_year
        assert doc["phase"] == "budget"
        assert doc["department"] and doc["department"] in name
        assert doc["parse_status"] in {"ok", "partial"}
    # reported as they were archived, like any file, and counted apart from the fetched files
    reported = {e["url"] for e in crawled["events"] if e["event"] == "archived" and e.get("member")}
    assert reported == {d["url"] for d in members.values()}
    assert crawled["first"].members_archived == 2 and crawled["second"].members_archived == 0
