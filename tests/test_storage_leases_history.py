"""Leases, parse attempts and the re-fetch comparison, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from govbudget.storage.attempts import (
    finish_parse_attempt,
    parse_attempts,
    start_parse_attempt,
    unfinished_parses,
)
from govbudget.storage.catalog import Catalog
from govbudget.storage.history import compare_crawl, summarise, url_marks
from govbudget.storage.leases import (
    LeaseBusy,
    acquire_lease,
    held_lease,
    lease_holder,
    release_lease,
    renew_lease,
)
from govbudget.storage.rows import CaptureRow

T0 = datetime(2025, 3, 1, tzinfo=UTC)


def test_a_lease_has_one_holder_until_released_or_expired(catalog: Catalog) -> None:
    assert acquire_lease(catalog, "crawl:130400", "a", ttl_s=60)
    assert not acquire_lease(catalog, "crawl:130400", "b", ttl_s=60)
    assert acquire_lease(catalog, "crawl:130400", "a", ttl_s=60), "the holder may re-acquire"
    assert lease_holder(catalog, "crawl:130400").holder == "a"
    assert renew_lease(catalog, "crawl:130400", "a", ttl_s=60)
    assert not renew_lease(catalog, "crawl:130400", "b", ttl_s=60)
    release_lease(catalog, "crawl:130400", "b")  # not b's: no effect
    assert lease_holder(catalog, "crawl:130400").holder == "a"
    release_lease(catalog, "crawl:130400", "a")
    assert lease_holder(catalog, "crawl:130400") is None
    assert acquire_lease(catalog, "crawl:130400", "b", ttl_s=-1)  # expired at once
    assert acquire_lease(catalog, "crawl:130400", "c", ttl_s=60), "an expired lease can be taken over"


def test_held_lease_refuses_a_second_holder_and_releases(catalog: Catalog) -> None:
    with held_lease(catalog, "crawl:130000", ttl_s=30) as holder:
        host = holder.split(":")[0]
        with pytest.raises(LeaseBusy, match=host), held_lease(catalog, "crawl:130000"):
            pass
    assert lease_holder(catalog, "crawl:130000") is None


def test_attempts_count_crashes(catalog: Catalog) -> None:
    catalog.ensure_object("a" * 64, 1, "raw/sha256/aa/aa/" + "a" * 64, None)
    assert parse_attempts(catalog, "a" * 64) is None
    assert start_parse_attempt(catalog, "a" * 64, "w1").crashes == 0
    assert start_parse_attempt(catalog, "a" * 64, "w2").crashes == 1  # the first never finished
    assert unfinished_parses(catalog, "w2") == ["a" * 64] and unfinished_parses(catalog, "w1") == []
    finish_parse_attempt(catalog, "a" * 64)
    count = parse_attempts(catalog, "a" * 64)
    assert (count.started, count.finished, count.worker) == (2, 1, "w2")
    finish_parse_attempt(catalog, "a" * 64)
    assert unfinished_parses(catalog, "w2") == []


def _capture(catalog: Catalog, url: str, body: str, crawl: str, at: datetime) -> None:
    sha = (body * 64)[:64]
    catalog.ensure_object(sha, 1, f"raw/sha256/{sha[:2]}/{sha[2:4]}/{sha}", None)
    catalog.add_capture(CaptureRow(sha256=sha, url=url, fetched_at=at, crawl_id=crawl, region_code="130400"))


def test_compare_crawl_classifies_and_marks_gone(catalog: Catalog) -> None:
    for name in ("c1", "c2"):
        catalog.start_crawl(["http://x/"], region_code="130400", crawl_id=name)
    _capture(catalog, "http://x/same.pdf", "a", "c1", T0)
    _capture(catalog, "http://x/edit.pdf", "b", "c1", T0)
    _capture(catalog, "http://x/gone.pdf", "c", "c1", T0)
    later = datetime.now(UTC) + timedelta(seconds=1)
    _capture(catalog, "http://x/same.pdf", "a", "c2", later)
    _capture(catalog, "http://x/edit.pdf", "d", "c2", later)
    _capture(catalog, "http://x/new.pdf", "e", "c2", later)
    changes = {c.url.rsplit("/", 1)[1]: c for c in compare_crawl(catalog, "c2", "130400")}
    assert {k: c.state for k, c in changes.items()} == {
        "same.pdf": "unchanged",
        "edit.pdf": "changed",
        "new.pdf": "new",
        "gone.pdf": "gone",
    }
    assert summarise(list(changes.values())) == {"new": 1, "unchanged": 1, "changed": 1, "gone": 1}
    assert changes["gone.pdf"].last_seen_at == T0.isoformat()
    marks = {m.url.rsplit("/", 1)[1]: m for m in url_marks(catalog, "130400")}
    assert marks["gone.pdf"].gone_noticed_at is not None and marks["gone.pdf"].last_seen_at == T0
    assert marks["same.pdf"].gone_noticed_at is None
    assert catalog.count("captures") == 6, "nothing is deleted"
