"""Storage: `Archive.archive` (S3 put + catalog object and capture rows) vs a raw `minio` put.

Both write to the same moto S3 server over HTTP; each round writes fresh random bodies so the archive
really stores them (identical bytes would only add a capture). The catalog is the embedded SQLite.
"""

from __future__ import annotations

import io
import os
import tempfile
import time
import uuid
from pathlib import Path

from minio import Minio

from bench.harness import Context, Row, Section, rounds
from govbudget.storage.archive import Archive
from govbudget.storage.catalog import Catalog
from govbudget.storage.fetch import Fetch
from govbudget.storage.object_store import open_store

KEYS = {"access_key": "bench", "secret_key": "bench-secret", "region": "us-east-1"}


def run(ctx: Context, endpoint: str) -> Section:
    count = 5 if ctx.tiny else (30 if ctx.quick else 150)
    size = 64 * 1024
    tmp = Path(tempfile.mkdtemp(prefix="bench-store-", dir=ctx.workdir))
    store = open_store("s3://bench-archive/raw", endpoint=endpoint, **KEYS)
    archive = Archive(store, Catalog(f"sqlite:///{tmp / 'catalog.sqlite3'}"))
    client = Minio(endpoint.split("://", 1)[1], access_key=KEYS["access_key"], secret_key=KEYS["secret_key"],
                   secure=False, region=KEYS["region"])
    if not client.bucket_exists("bench-raw"):
        client.make_bucket("bench-raw")
    archive.archive(Fetch(url="http://warm.up/", body=b"warm-up"))  # bucket check and migrations

    def ours() -> float:
        bodies = [os.urandom(size) for _ in range(count)]
        t0 = time.perf_counter()
        for i, body in enumerate(bodies):
            archive.archive(Fetch(url=f"http://portal.example/{i}.pdf", body=body,
                                  headers={"Content-Type": "application/pdf"}))
        return (time.perf_counter() - t0) / count

    def raw() -> float:
        bodies = [os.urandom(size) for _ in range(count)]
        t0 = time.perf_counter()
        for body in bodies:
            client.put_object("bench-raw", f"raw/{uuid.uuid4().hex}", io.BytesIO(body), len(body),
                              content_type="application/pdf")
        return (time.perf_counter() - t0) / count

    med = rounds(ctx, {"ours": ours, "raw": raw})
    section = Section("Storage", f"{count} writes of {size // 1024} KiB per round to moto S3 over HTTP")
    section.rows.append(Row("ms per write", med["ours"] * 1000, med["raw"] * 1000, "minio put_object", "ms",
                            med["raw"] / med["ours"]))
    section.notes.append("ratio = raw / ours (1.0 = no overhead); ours adds an existence check and two "
                         "catalog writes (SQLite) per object")
    return section
