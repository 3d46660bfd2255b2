"""parse_results.attempts goes: it was never read, and parse_attempts counts tries (crashes included).

Revision ID: 0003_drop_parse_results_attempts
Revises: 0002_leases_attempts_marks
Create Date: 2025-12-14
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_drop_parse_results_attempts"
down_revision: str | None = "0002_leases_attempts_marks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # SQLite drops a column by copying the table: batch mode does that there and a plain ALTER elsewhere.
    with op.batch_alter_table("parse_results") as batch:
        batch.drop_column("attempts")


def downgrade() -> None:
    # Rows parsed since the upgrade get 1 (each was saved at least once); 0002 had no server default.
    with op.batch_alter_table("parse_results") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("parse_results") as batch:
        batch.alter_column("attempts", existing_type=sa.Integer(), server_default=None)
