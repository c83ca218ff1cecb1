"""Cost and margin: moving average cost per outlet and product, cost of each sale line.

Revision ID: 0015_cost
Revises: 0014_purchasing
Create Date: 2026-12-05

- ``product.cost_price``: the catalogue's cost per unit (GST-exclusive), what a product is
  costed at where no goods with a cost have come in at an outlet yet.
- ``stock_on_hand.average_cost``: the moving average cost per unit of the outlet's stock.
- ``stock_movement.cost``: the cost per unit head office booked the movement at (what came in
  at its own cost, what went out at the average).
- ``sale_line.unit_cost`` and ``sale_line.cost``: the cost of the goods sold on the line
  (per unit and for the line); ``refund_line.cost``: the same cost given back by a refund.

Safe while servers run: nullable columns without a default are added without rewriting a
table. Back fill: the average of each outlet's product is set from the goods that came in with
a cost (their quantity-weighted average), and those movements are booked at their own cost;
only deliveries and transfers carry a cost, and they are read through the ``(reason, source)``
key, so the sales' movements are not. Sale lines stored
before stay without a cost (re-costing years of sales is a replay of the whole ledger, which
``sgpos-central recost`` does when the shops are closed): until then the reports count them as
lines without a cost.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_cost"
down_revision: str | Sequence[str] | None = "0014_purchasing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sgpos"
COLUMNS = (
    ("product", "cost_price", sa.Numeric(14, 2)),
    ("stock_on_hand", "average_cost", sa.Numeric(14, 4)),
    ("stock_movement", "cost", sa.Numeric(14, 4)),
    ("sale_line", "unit_cost", sa.Numeric(14, 4)),
    ("sale_line", "cost", sa.Numeric(14, 2)),
    ("refund_line", "cost", sa.Numeric(14, 2)),
)


def upgrade() -> None:
    for table, column, kind in COLUMNS:
        op.add_column(table, sa.Column(column, kind), schema=SCHEMA)
    # Only deliveries and transfers carry a cost: found through the (reason, source) key, so
    # the sales' movements (nearly all of the ledger) are never read.
    op.execute(
        "UPDATE sgpos.stock_movement SET cost = unit_cost WHERE reason IN ('received', "
        "'transfer') AND unit_cost IS NOT NULL AND quantity > 0"
    )
    op.execute(
        """
        UPDATE sgpos.stock_on_hand h SET average_cost = a.average
          FROM (SELECT outlet_id, product_id,
                       round(sum(quantity * unit_cost) / sum(quantity), 4) AS average
                  FROM sgpos.stock_movement
                 WHERE reason IN ('received', 'transfer') AND unit_cost IS NOT NULL
                   AND quantity > 0
                 GROUP BY outlet_id, product_id) a
         WHERE h.outlet_id = a.outlet_id AND h.product_id = a.product_id
        """
    )


def downgrade() -> None:
    for table, column, _ in reversed(COLUMNS):
        op.drop_column(table, column, schema=SCHEMA)
