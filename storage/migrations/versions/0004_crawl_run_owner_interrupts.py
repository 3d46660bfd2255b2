"""crawl_runs.owner and heartbeat_at (a run whose process is gone gets closed), parse_attempts.interrupted.

A crawl run records the process running it ("host:pid") and that process's last sign of life, so the
next crawl or the reconciler can close a run its process left ``running`` when it died. A parse
stopped by SIGTERM or SIGINT is counted apart from the crashes the parse task caps.

Revision ID: 0004_crawl_run_owner_interrupts
Revises: 0003_drop_parse_results_attempts
Create Date: 2025-12-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_crawl_run_owner_interrupts"
down_revision: str | None = "0003_drop_parse_results_attempts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite copies the table where it must, PostgreSQL gets plain ALTERs.
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(sa.Column("owner", sa.String(200), nullable=True))
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("parse_attempts") as batch:
        batch.add_column(sa.Column("interrupted", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("parse_attempts") as batch:
        batch.drop_column("interrupted")
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("heartbeat_at")
        batch.drop_column("owner")
