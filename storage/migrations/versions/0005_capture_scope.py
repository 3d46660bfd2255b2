"""captures.scope: whose disclosure the crawler took a file for, `department` or `government`.

A region's own budget, final accounts and the reports on them (本级, 全县, 预算草案的报告) are kept
as disclosures beside the departments' own; `scope` tells them apart, so a government report is never
counted as a department's. Existing captures keep NULL (not told).

Revision ID: 0005_capture_scope
Revises: 0004_crawl_run_owner_interrupts
Create Date: 2025-12-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_capture_scope"
down_revision: str | None = "0004_crawl_run_owner_interrupts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite copies the table where it must, PostgreSQL gets a plain ALTER.
    with op.batch_alter_table("captures") as batch:
        batch.add_column(sa.Column("scope", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("captures") as batch:
        batch.drop_column("scope")
