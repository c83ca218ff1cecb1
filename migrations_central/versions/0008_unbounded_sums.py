"""Running totals that no sum of valid events can overflow.

Revision ID: 0008_unbounded_sums
Revises: 0006_till_trust_and_accounts
Create Date: 2026-12-04

The dashboard's summaries and stock on hand add up many events' amounts, each of which fits its
own column (``numeric(14,2)`` money, ``numeric(12,3)`` quantities). A sum did not have to: one
till could push a sale at the largest amount the protocol allows, after which every genuine sale
of its outlet in that hour failed in PostgreSQL with "numeric field overflow". Sums are now
plain ``numeric``: exact, with the scale of what is added, and without an upper bound.
Downgrading narrows them again and fails if a stored sum no longer fits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008_unbounded_sums"
down_revision: str | Sequence[str] | None = "0006_till_trust_and_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sgpos"
MONEY_SUMS = {
    "sales_by_hour": (
        "sales_total",
        "sales_gst",
        "sales_rounding",
        "refund_total",
        "refund_gst",
        "refund_rounding",
    ),
    "sales_by_tax": ("sales_amount", "sales_gst", "refund_amount", "refund_gst"),
    "sales_by_tender": ("sales_amount", "refund_amount"),
}


def _retype(table: str, columns: Sequence[str], old: sa.Numeric[Any], new: sa.Numeric[Any]) -> None:
    with op.batch_alter_table(table, schema=SCHEMA) as batch:
        for column in columns:
            batch.alter_column(column, type_=new, existing_type=old, existing_nullable=False)


def upgrade() -> None:
    for table, columns in MONEY_SUMS.items():
        _retype(table, columns, sa.Numeric(14, 2), sa.Numeric())
    _retype("stock_on_hand", ("quantity",), sa.Numeric(12, 3), sa.Numeric())


def downgrade() -> None:
    _retype("stock_on_hand", ("quantity",), sa.Numeric(), sa.Numeric(12, 3))
    for table, columns in MONEY_SUMS.items():
        _retype(table, columns, sa.Numeric(), sa.Numeric(14, 2))
