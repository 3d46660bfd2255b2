"""Leases, parse attempts and URL marks (scale-out and re-fetch, issue #5).

Revision ID: 0002_leases_attempts_marks
Revises: 0001_initial
Create Date: 2025-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_leases_attempts_marks"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("acquired_at", Stamp, nullable=False),
        sa.Column("expires_at", Stamp, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_leases"),
    )
    op.create_table(
        "parse_attempts",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("started", sa.Integer(), nullable=False),
        sa.Column("finished", sa.Integer(), nullable=False),
        sa.Column("last_started_at", Stamp, nullable=False),
        sa.Column("worker", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(["sha256"], ["objects.sha256"], name="fk_parse_attempts_sha256_objects"),
        sa.PrimaryKeyConstraint("sha256", name="pk_parse_attempts"),
    )
    op.create_table(
        "url_marks",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("region_code", sa.String(12), nullable=True),
        sa.Column("last_seen_at", Stamp, nullable=False),
        sa.Column("last_sha256", sa.String(64), nullable=False),
        sa.Column("gone_noticed_at", Stamp, nullable=True),
        sa.Column("crawl_id", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("url", name="pk_url_marks"),
    )


def downgrade() -> None:
    op.drop_table("url_marks")
    op.drop_table("parse_attempts")
    op.drop_table("leases")
