"""Automatic promotions pulled from head office, and what they saved on each sale line.

Revision ID: 0007_promotions
Revises: 0005_customers
Create Date: 2026-12-05

``promotion`` holds each promotion as head office sent it. A sale line records the part of
its discount that promotions gave and their names, for the receipt's "You saved" and for
refunding part of a promoted set; lines sold before this revision had none (0, no names).

Promotions only come down to tills that ask for them, so a till upgraded to this revision
has never been sent the promotions created before it: the pull cursor goes back to 0 and the
next pull walks the whole master data again (idempotent upserts, resumable, about the time
of a first load), this time with promotions.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_promotions"
down_revision: str | Sequence[str] | None = "0005_customers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "promotion",
        sa.Column("promotion_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("promotion_id", name=op.f("pk_promotion")),
    )
    # ADD COLUMN with a constant default: SQLite adds them in place, no rebuild of sale_line.
    with op.batch_alter_table("sale_line") as batch:
        batch.add_column(
            sa.Column("promotion_saving", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("promotions", sa.String(240), nullable=True))
    op.execute("UPDATE sync_state SET pull_cursor = '0'")


def downgrade() -> None:
    # SQLite (3.35+) drops a column in place; a batch rebuild would rewrite sale_line whole.
    op.execute("ALTER TABLE sale_line DROP COLUMN promotions")
    op.execute("ALTER TABLE sale_line DROP COLUMN promotion_saving")
    op.drop_table("promotion")
