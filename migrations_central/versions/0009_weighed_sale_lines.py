"""Sale lines say whether they were sold by weight, so head office's copy of a receipt prints
"0.156 kg x 5.90/kg" exactly as the till did.

Revision ID: 0009_weighed_sale_lines
Revises: 0008_unbounded_sums
Create Date: 2026-12-05

Safe while servers run: a column with a constant default is added without rewriting the table
(PostgreSQL 11 and later), and lines stored before it are read as not weighed, which is what
their tills' events said (the field did not exist).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_weighed_sale_lines"
down_revision: str | Sequence[str] | None = "0008_unbounded_sums"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sgpos"


def upgrade() -> None:
    op.add_column(
        "sale_line",
        sa.Column("weighed", sa.Boolean(), nullable=False, server_default=sa.false()),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_column("sale_line", "weighed", schema=SCHEMA)
