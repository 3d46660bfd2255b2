"""Server behaviour shared by every simulated site: validators, 304, 404, redirects, logs, file swaps."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from govbudget.simulator import PortalSimulator, SiteInfo
from tests.test_simulator_trs import fetch


@pytest.fixture(scope="module")
def sim(simulator: Any) -> Any:
    return simulator


@pytest.fixture(scope="module")
def a_file(sim: Any) -> str:
    return sorted(sim.disclosure_urls())[0]


def test_sites_describe_each_family(sim: Any) -> None:
    sites = {s.family: s for s in sim.sites}
    assert all(isinstance(s, SiteInfo) for s in sim.sites)
    assert sites["trs_wcm"].region_code == "130400" and not sites["trs_wcm"].needs_browser
    assert sites["js_list"].needs_browser
    assert sim.start_urls == [s.start_url for s in sim.sites]
    gated = {"rs_412": 412, "jsl_521": 521}  # challenge gates answer the first request with their status
    assert all(fetch(s.start_url)[0] == gated.get(s.family, 200) for s in sim.sites)


def test_etag_match_answers_304_without_body(sim: Any, a_file: str) -> None:
    _, headers, _ = fetch(a_file)
    status, again, body = fetch(a_file, {"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")
    assert again["ETag"] == headers["ETag"]


def test_stale_etag_answers_200(sim: Any, a_file: str) -> None:
    assert fetch(a_file, {"If-None-Match": '"not-the-etag"'})[0] == 200


def test_if_modified_since_answers_304_then_200_when_older(sim: Any, a_file: str) -> None:
    _, headers, _ = fetch(a_file)
    assert fetch(a_file, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(a_file, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200


def test_etag_wins_over_if_modified_since(sim: Any, a_file: str) -> None:
    _, headers, _ = fetch(a_file)
    status = fetch(a_file, {"If-None-Match": '"other"', "If-Modified-Since": headers["Last-Modified"]})[0]
    assert status == 200


def test_pages_carry_validators_too(sim: Any) -> None:
    _, headers, _ = fetch(sim.base_url + "/hd/")
    assert fetch(sim.base_url + "/hd/", {"If-None-Match": headers["ETag"]})[0] == 304


def test_unknown_paths_answer_404(sim: Any) -> None:
    for path in ("/nope", "/hd/nope.html", "/hd/xxgk/fdzdgknr/czyjs/index_99.html", "/js/api/nope.json"):
        assert fetch(sim.base_url + path)[0] == 404


def test_folder_without_slash_redirects(sim: Any) -> None:
    status, headers, _ = fetch_no_redirect(sim.base_url + "/hd/xxgk")
    assert status == 301 and headers["Location"] == "/hd/xxgk/"


def fetch_no_redirect(url: str) -> tuple[int, dict[str, str], bytes]:
    host, port = url.split("/")[2].split(":")
    path = "/" + url.split("/", 3)[3]
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        raw = b""
        while chunk := conn.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


def test_head_sends_headers_only(sim: Any, a_file: str) -> None:
    import urllib.request

    with urllib.request.urlopen(urllib.request.Request(a_file, method="HEAD"), timeout=5) as resp:
        assert resp.status == 200 and int(resp.headers["Content-Length"]) > 0
        assert resp.read() == b""


def test_request_log_records_method_path_and_headers(sim: Any) -> None:
    fetch(sim.base_url + "/hd/?probe=1", {"X-Probe": "log-me"})
    method, path, headers = sim.request_log[-1]
    assert (method, path, headers["X-Probe"]) == ("GET", "/hd/?probe=1", "log-me")


def test_request_log_is_safe_under_concurrent_requests() -> None:
    with PortalSimulator() as own:
        own.request_log.clear()
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda n: fetch(f"{own.base_url}/hd/?n={n}"), range(40)))
        assert sorted(path for _, path, _ in own.request_log.snapshot()) == sorted(
            f"/hd/?n={n}" for n in range(40))


def test_set_file_bytes_changes_validators_and_expected_set() -> None:
    with PortalSimulator() as own:
        url, old_sha = sorted(i for i in own.disclosure_urls().items() if "/hd/" in i[0])[0]
        _, before, _ = fetch(url)
        new = b"%PDF-1.4 revised"
        own.set_file_bytes(url, new)
        status, after, body = fetch(url, {"If-None-Match": before["ETag"]})
        assert (status, body) == (200, new)
        assert after["ETag"] != before["ETag"] and after["Last-Modified"] != before["Last-Modified"]
        new_sha = hashlib.sha256(new).hexdigest()
        expected = own.expected_disclosures()
        assert new_sha in expected and expected[new_sha].data == new
        still_served_elsewhere = old_sha in own.disclosure_urls().values()
        assert (old_sha in expected) == still_served_elsewhere


def test_module_entry_point_serves_until_stopped() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "govbudget.simulator", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"simulator exited: {proc.communicate()[1].decode()[-2000:]}")
            try:
                status = fetch(f"http://127.0.0.1:{port}/hd/")[0]
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("simulator did not start")
        assert status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
