"""Initial catalog: objects, captures, parse_results, records, crawl_runs.

Revision ID: 0001_initial
Revises:
Create Date: 2025-11-23

Types are spelled out here rather than imported from the models, so this revision keeps creating the
same schema after the models move on.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSONDoc = sa.JSON().with_variant(JSONB(), "postgresql")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "objects",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("storage_key", sa.Text(), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=True),
        sa.Column("first_seen_at", Stamp, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_objects"),
    )
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("started_at", Stamp, nullable=False),
        sa.Column("finished_at", Stamp, nullable=True),
        sa.Column("start_urls", JSONDoc, nullable=False),
        sa.Column("region_code", sa.String(12), nullable=True),
        sa.Column("fiscal_year", sa.Integer(), nullable=True),
        sa.Column("summary", JSONDoc, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_crawl_runs"),
    )
    op.create_table(
        "captures",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("crawl_id", sa.String(64), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("referrer", sa.Text(), nullable=True),
        sa.Column("link_text", sa.Text(), nullable=True),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("headers", JSONDoc, nullable=False),
        sa.Column("fetched_at", Stamp, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("region_code", sa.String(12), nullable=True),
        sa.Column("fiscal_year", sa.Integer(), nullable=True),
        sa.Column("doc_kind", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("department", sa.Text(), nullable=True),
        sa.Column("phase", sa.String(16), nullable=True),
        sa.Column("format", sa.String(16), nullable=True),
        sa.Column("revisit", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["sha256"], ["objects.sha256"], name="fk_captures_sha256_objects"),
        sa.PrimaryKeyConstraint("id", name="pk_captures"),
    )
    op.create_index("ix_captures_url", "captures", ["url"])
    op.create_index("ix_captures_sha256_fetched_at", "captures", ["sha256", "fetched_at"])
    op.create_index("ix_captures_crawl_id", "captures", ["crawl_id"])
    op.create_table(
        "parse_results",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("parser", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("errors", JSONDoc, nullable=False),
        sa.Column("parsed_at", Stamp, nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["sha256"], ["objects.sha256"], name="fk_parse_results_sha256_objects"),
        sa.PrimaryKeyConstraint("id", name="pk_parse_results"),
        sa.UniqueConstraint("sha256", "parser", name="uq_parse_results_sha256_parser"),
    )
    op.create_table(
        "records",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("parser", sa.String(128), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("data", JSONDoc, nullable=False),
        sa.ForeignKeyConstraint(["sha256"], ["objects.sha256"], name="fk_records_sha256_objects"),
        sa.PrimaryKeyConstraint("id", name="pk_records"),
        sa.UniqueConstraint("sha256", "parser", "seq", name="uq_records_sha256_parser_seq"),
    )
    op.create_index("ix_records_type", "records", ["type"])


def downgrade() -> None:
    op.drop_index("ix_records_type", table_name="records")
    op.drop_table("records")
    op.drop_table("parse_results")
    op.drop_index("ix_captures_crawl_id", table_name="captures")
    op.drop_index("ix_captures_sha256_fetched_at", table_name="captures")
    op.drop_index("ix_captures_url", table_name="captures")
    op.drop_table("captures")
    op.drop_table("crawl_runs")
    op.drop_table("objects")
