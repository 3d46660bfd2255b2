"""The catalog's tables as SQLAlchemy 2 typed declarative models (the schema the migrations create).

Column types are chosen to behave the same on SQLite (embedded default) and PostgreSQL (scale):
`UTCDateTime` stores UTC and always returns tz-aware values (SQLite keeps no zone), `JSONDoc` is JSON on
SQLite and JSONB on PostgreSQL. Changing anything here needs a new migration in `migrations/versions`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

JSONDoc = JSON().with_variant(JSONB(), "postgresql")
# SQLite only auto-increments an INTEGER PRIMARY KEY, so ids are BIGINT on PostgreSQL alone.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and returned tz-aware; naive input is refused rather than guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the catalog only stores tz-aware UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSONDoc, list[Any]: JSONDoc, datetime: UTCDateTime}  # noqa: RUF012


class StoredObject(Base):
    """One archived byte string, identified by its digest. Never updated once written."""

    __tablename__ = "objects"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    storage_key: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[datetime]


class Capture(Base):
    """One fetch of a URL and which object it returned; many captures may share one object."""

    __tablename__ = "captures"
    __table_args__ = (
        Index("ix_captures_url", "url"),
        Index("ix_captures_sha256_fetched_at", "sha256", "fetched_at"),
        Index("ix_captures_crawl_id", "crawl_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    crawl_id: Mapped[str | None] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str | None] = mapped_column(Text)
    referrer: Mapped[str | None] = mapped_column(Text)
    link_text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[int] = mapped_column(Integer)
    headers: Mapped[dict[str, Any]]
    fetched_at: Mapped[datetime]
    sha256: Mapped[str] = mapped_column(ForeignKey("objects.sha256"))
    via: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    region_code: Mapped[str | None] = mapped_column(String(12))
    fiscal_year: Mapped[int | None] = mapped_column(Integer)
    doc_kind: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(Text)
    phase: Mapped[str | None] = mapped_column(String(16))
    format: Mapped[str | None] = mapped_column(String(16))
    revisit: Mapped[bool] = mapped_column(Boolean)
    scope: Mapped[str | None] = mapped_column(String(16))


class ParseResult(Base):
    """The outcome of one parser version on one object; a failure is a row too, with its errors."""

    __tablename__ = "parse_results"
    __table_args__ = (UniqueConstraint("sha256", "parser", name="uq_parse_results_sha256_parser"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("objects.sha256"))
    parser: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    errors: Mapped[list[Any]]
    parsed_at: Mapped[datetime]
    record_count: Mapped[int] = mapped_column(Integer)
    # whose region the file is and what said so (document, link, site, crawl): `tasks.regions_of`
    region_code: Mapped[str | None] = mapped_column(String(12))
    region_source: Mapped[str | None] = mapped_column(String(16))


class Record(Base):
    """One SCHEMA.md record; `data` is the whole record dict, `seq` its position in the parser's output."""

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("sha256", "parser", "seq", name="uq_records_sha256_parser_seq"),
        Index("ix_records_type", "type"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("objects.sha256"))
    parser: Mapped[str] = mapped_column(String(128))
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]]


class CrawlRun(Base):
    """One crawl: what it was asked to do, when, and how it ended."""

    __tablename__ = "crawl_runs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    start_urls: Mapped[list[Any]]
    region_code: Mapped[str | None] = mapped_column(String(12))
    fiscal_year: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[dict[str, Any] | None]
    status: Mapped[str] = mapped_column(String(16))  # running, finished, failed, interrupted, abandoned
    owner: Mapped[str | None] = mapped_column(String(200))  # "host:pid" of the process running it
    heartbeat_at: Mapped[datetime | None]  # that process's last sign of life while the run is running


class Lease(Base):
    """A named, expiring claim on a piece of work (e.g. `crawl:130400`), shared by all workers.

    A row lease in the catalog rather than a Redis key: the catalog is the one service every worker
    of every deployment shares (SQLite included), and a lease that outlives its holder expires.
    """

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class ParseAttempt(Base):
    """How often a parse of one object started and finished: a start with no finish is a crash.

    Written before the parse result exists, so a file that kills its worker every time (a poison
    file) is recognised after a few redeliveries and given a failed result instead of looping.
    """

    __tablename__ = "parse_attempts"

    sha256: Mapped[str] = mapped_column(ForeignKey("objects.sha256"), primary_key=True)
    started: Mapped[int] = mapped_column(Integer)
    finished: Mapped[int] = mapped_column(Integer)
    last_started_at: Mapped[datetime]
    worker: Mapped[str | None] = mapped_column(String(200))
    # finishes that were SIGTERM or SIGINT stopping the parse (counted in `finished` too: not crashes)
    interrupted: Mapped[int] = mapped_column(Integer, server_default="0")


class UrlMark(Base):
    """A URL no longer linked from its region's entry points: kept, with the last time it was seen."""

    __tablename__ = "url_marks"

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    region_code: Mapped[str | None] = mapped_column(String(12))
    last_seen_at: Mapped[datetime]
    last_sha256: Mapped[str] = mapped_column(String(64))
    gone_noticed_at: Mapped[datetime | None]
    crawl_id: Mapped[str | None] = mapped_column(String(64))
