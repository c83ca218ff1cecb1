"""Stock movements keep what the till said about them: why, which document, at what cost.

Revision ID: 0010_stock
Revises: 0009_weighed_sale_lines
Create Date: 2026-12-05

Tills now receive goods, adjust stock with a reason, count it and transfer it between
outlets. The ledger's ``reason`` stays what it was (sale, refund, received, adjusted, and now
transfer); ``detail`` is the till's finer reason (damaged, expired, count, delivery;
``out:<outlet>`` or ``in:<outlet>`` for a transfer), ``reference`` the supplier's delivery
order, the stocktake's or the transfer's number, and ``unit_cost`` the cost per unit of goods
received or transferred.

Safe while servers run: nullable columns without a default are added without rewriting the
table, and movements stored before carry none (nothing of the kind was ever sent). No index
on ``reference`` yet: built concurrently it would release the deployers' advisory lock (an
autocommit block commits the transaction holding it), and built plainly it would block pushes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_stock"
down_revision: str | Sequence[str] | None = "0009_weighed_sale_lines"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sgpos"


def upgrade() -> None:
    op.add_column("stock_movement", sa.Column("detail", sa.String(120)), schema=SCHEMA)
    op.add_column("stock_movement", sa.Column("reference", sa.String(200)), schema=SCHEMA)
    op.add_column("stock_movement", sa.Column("unit_cost", sa.Numeric(14, 2)), schema=SCHEMA)


def downgrade() -> None:
    for column in ("unit_cost", "reference", "detail"):
        op.drop_column("stock_movement", column, schema=SCHEMA)
