"""parse_results.region_code and region_source: whose region a parsed file is, and what said so.

Set by the parse task after each parse (`tasks.regions_of`): `document` (named in the file), `link`
(named by its link or title), `site` (the portal's SiteIDCode), `crawl` (the crawl's --region). Existing
results keep NULL; the documents read falls back to the capture's region for them.

Revision ID: 0006_parse_result_region
Revises: 0005_capture_scope
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_parse_result_region"
down_revision: str | None = "0005_capture_scope"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("parse_results") as batch:
        batch.add_column(sa.Column("region_code", sa.String(12), nullable=True))
        batch.add_column(sa.Column("region_source", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("parse_results") as batch:
        batch.drop_column("region_source")
        batch.drop_column("region_code")
