"""WARC 1.1 export of captures (warcio), with a CDXJ index beside it (cdxj-indexer).

Each HTTP capture becomes a `request` record and a `response` record (WARC-Concurrent-To links them).
A capture whose bytes already appeared earlier *in the same file* becomes a `revisit` record
(identical-payload-digest profile) pointing at that response, so every file stands on its own: a
replay tool finds the payload of every revisit inside it. A 304 capture is a server-not-modified
revisit. Pages the browser rendered are `resource` records: their bytes are the rendered DOM, not
what the server sent, and a WARC must not pretend otherwise. Digests are warcio's (sha1, base32,
what replay tools expect); each record also names the archive object it came from by sha256.
"""

from __future__ import annotations

import base64
import hashlib
import http
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from sqlalchemy import select
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from govbudget.storage.catalog import Catalog, captures_t
from govbudget.storage.keys import content_key
from govbudget.storage.object_store import ObjectStore
from govbudget.storage.rows import Row

SOFTWARE = "govbudget (warcio)"
NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
# Headers describing the transfer, not the payload: the archive keeps decoded bytes, so these would lie.
_TRANSFER_HEADERS = {"content-encoding", "transfer-encoding", "content-length", "connection", "keep-alive"}
OBJECT_HEADER = "WARC-Govbudget-Object"


@dataclass
class WarcExportReport:
    """Counts per record type and the files written."""

    warc_path: str
    cdxj_path: str
    captures: int = 0
    records: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.records[kind] = self.records.get(kind, 0) + 1


def warc_payload_digest(data: bytes) -> str:
    """The WARC payload digest warcio writes: `sha1:` + base32 of the SHA-1."""
    return "sha1:" + base64.b32encode(hashlib.sha1(data, usedforsecurity=False).digest()).decode("ascii")


def select_captures(
    catalog: Catalog, *, region_code: str | None = None, since: datetime | None = None
) -> Iterator[Row]:
    """Captures to export, in fetch order: of one region, since a time, or all."""
    stmt = select(captures_t).order_by(captures_t.c.fetched_at, captures_t.c.id)
    if region_code is not None:
        stmt = stmt.where(captures_t.c.region_code == region_code)
    if since is not None:
        stmt = stmt.where(captures_t.c.fetched_at >= since)
    return catalog.rows(stmt)


def _warc_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _response_headers(capture: Row, size: int) -> StatusAndHeaders:
    status = int(capture.status)
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    headers = [
        (str(k), str(v).replace("\r", " ").replace("\n", " "))
        for k, v in (capture.headers or {}).items()
        if str(k).lower() not in _TRANSFER_HEADERS
    ]
    headers.append(("Content-Length", str(size)))
    return StatusAndHeaders(f"{status} {reason}", headers, protocol="HTTP/1.1")


def _request_headers(target: str, capture: Row) -> StatusAndHeaders:
    parts = urlsplit(target)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [("Host", parts.netloc)]
    if capture.referrer:
        headers.append(("Referer", capture.referrer))
    return StatusAndHeaders(f"GET {path} HTTP/1.1", headers, protocol="HTTP/1.1", is_http_request=True)


class _Writer:
    """Writes the records of one capture at a time, remembering which payloads are already in the file."""

    def __init__(self, out: BinaryIO, store: ObjectStore, catalog: Catalog, report: WarcExportReport) -> None:
        self.writer = WARCWriter(out, gzip=True, warc_version="1.1")
        self.store = store
        self.catalog = catalog
        self.report = report
        self.written: dict[str, tuple[str, str, str]] = {}  # sha256 -> (uri, date, record id)
        self.digests: dict[str, str] = {}

    def warcinfo(self, filename: str, description: str) -> None:
        info = {"software": SOFTWARE, "format": "WARC File Format 1.1", "description": description}
        self.writer.write_record(self.writer.create_warcinfo_record(filename, info))
        self.report.count("warcinfo")

    def capture(self, capture: Row) -> None:
        target = capture.final_url or capture.url
        date = _warc_date(capture.fetched_at)
        sha = capture.sha256
        base = {"WARC-Date": date, OBJECT_HEADER: f"sha256:{sha}"}
        if capture.via == "browser":
            self._resource(target, capture, base)
            return
        seen = self.written.get(sha)
        if seen is not None or int(capture.status) == 304:
            self._revisit(target, capture, base, seen)
            return
        data = self.store.get(content_key(sha))
        response = self.writer.create_warc_record(
            target, "response", payload=BytesIO(data), length=None,
            warc_headers_dict=dict(base), http_headers=_response_headers(capture, len(data)),
        )
        response_id = response.rec_headers.get_header("WARC-Record-ID")
        self._request(target, capture, date, response_id)
        self.writer.write_record(response)
        self.report.count("response")
        self.written[sha] = (target, date, response_id)
        self.digests[sha] = warc_payload_digest(data)

    def _request(self, target: str, capture: Row, date: str, concurrent_to: str) -> None:
        request = self.writer.create_warc_record(
            target, "request", payload=BytesIO(b""), length=0,
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": concurrent_to},
            http_headers=_request_headers(target, capture),
        )
        self.writer.write_record(request)
        self.report.count("request")

    def _revisit(
        self, target: str, capture: Row, base: dict[str, str], seen: tuple[str, str, str] | None
    ) -> None:
        if seen is None:  # a 304 whose payload is not in this file: refer to the object's first capture
            first = next(self.catalog.captures(capture.sha256))
            refers_uri, refers_date = first.final_url or first.url, _warc_date(first.fetched_at)
            refers_id = None
        else:
            refers_uri, refers_date, refers_id = seen
        digest = self._digest_of(capture.sha256)
        headers = dict(base)
        if refers_id:
            headers["WARC-Refers-To"] = refers_id
        revisit = self.writer.create_revisit_record(
            target, digest, refers_uri, refers_date,
            http_headers=_response_headers(capture, 0), warc_headers_dict=headers,
        )
        if int(capture.status) == 304:
            revisit.rec_headers.replace_header("WARC-Profile", NOT_MODIFIED_PROFILE)
        self._request(target, capture, base["WARC-Date"], revisit.rec_headers.get_header("WARC-Record-ID"))
        self.writer.write_record(revisit)
        self.report.count("revisit")

    def _digest_of(self, sha256: str) -> str:
        if sha256 not in self.digests:
            self.digests[sha256] = warc_payload_digest(self.store.get(content_key(sha256)))
        return self.digests[sha256]

    def _resource(self, target: str, capture: Row, base: dict[str, str]) -> None:
        data = self.store.get(content_key(capture.sha256))
        ctype = next((str(v) for k, v in (capture.headers or {}).items() if str(k).lower() == "content-type"),
                     "text/html")
        headers = dict(base)
        headers["WARC-Govbudget-Via"] = "browser (rendered DOM)"
        record = self.writer.create_warc_record(
            target, "resource", payload=BytesIO(data), length=len(data),
            warc_content_type=ctype, warc_headers_dict=headers,
        )
        self.writer.write_record(record)
        self.report.count("resource")


def export_warc(
    store: ObjectStore,
    catalog: Catalog,
    out_path: str | Path,
    *,
    region_code: str | None = None,
    since: datetime | None = None,
    cdxj_path: str | Path | None = None,
) -> WarcExportReport:
    """Write the selected captures to `out_path` (`.warc.gz`) and its CDXJ index; return the counts."""
    out = Path(out_path)
    stem = out.name.removesuffix(".gz").removesuffix(".warc")
    cdxj = Path(cdxj_path) if cdxj_path else out.with_name(stem + ".cdxj")
    report = WarcExportReport(warc_path=str(out), cdxj_path=str(cdxj))
    parts = [f"region={region_code}" if region_code else "", f"since={since.isoformat()}" if since else ""]
    description = "govbudget captures " + (" ".join(p for p in parts if p) or "(all)")
    tmp = out.with_name(out.name + ".part")
    with tmp.open("wb") as fh:
        writer = _Writer(fh, store, catalog, report)
        writer.warcinfo(out.name, description)
        for capture in select_captures(catalog, region_code=region_code, since=since):
            writer.capture(capture)
            report.captures += 1
    tmp.replace(out)
    write_cdxj(out, cdxj)
    return report


def write_cdxj(warc_path: Path, cdxj_path: Path) -> None:
    """Index `warc_path` into a sorted CDXJ file (pywb's format) with cdxj-indexer."""
    from cdxj_indexer.main import CDXJIndexer

    tmp = cdxj_path.with_name(cdxj_path.name + ".part")
    with tmp.open("w", encoding="utf-8") as fh:
        CDXJIndexer(fh, [str(warc_path)], sort=True, post_append=False).process_all()
    tmp.replace(cdxj_path)


