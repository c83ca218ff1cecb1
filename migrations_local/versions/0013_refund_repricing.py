"""The promotions each sale was priced with, kept for refunds; what re-pricing moved.

Revision ID: 0013_refund_repricing
Revises: 0012_quarantine_outcome
Create Date: 2026-12-05

``sale.promotion_terms`` (JSON, null when no promotion saved anything) keeps the definitions
of the promotions that applied at checkout, the occasion and each line as the engine saw it,
so a refund of part of a promoted set re-prices what the customer keeps under the promotions
as they stood at the sale (docs/promotions.md). Sales from before keep null: their refunds
return each unit's share of what its line was paid, as before. ``refund.repriced`` (cents,
null when nothing moved) is what re-pricing changed in a refund, for its slip and reprints.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_refund_repricing"
down_revision: str | Sequence[str] | None = "0012_quarantine_outcome"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A nullable ADD COLUMN: SQLite adds it in place, no rebuild of sale.
    with op.batch_alter_table("sale") as batch:
        batch.add_column(sa.Column("promotion_terms", sa.JSON(), nullable=True))
    with op.batch_alter_table("refund") as batch:
        batch.add_column(sa.Column("repriced", sa.Integer(), nullable=True))


def downgrade() -> None:
    # SQLite (3.35+) drops the column in place; a batch rebuild would rewrite the table's
    # whole definition and leave the downgraded schema different from 0011's.
    op.execute("ALTER TABLE refund DROP COLUMN repriced")
    op.execute("ALTER TABLE sale DROP COLUMN promotion_terms")
