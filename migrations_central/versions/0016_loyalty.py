"""Spending points: redemptions and points given back, expiries made at head office, and the
over-redemptions two offline tills can cause.

Revision ID: 0016_loyalty
Revises: 0015_cost
Create Date: 2026-12-05

``loyalty_entry`` takes two more kinds (``returned`` by a refund, ``expired`` here) and a
``value`` (what points spent or given back paid); an expiry has no till and no sale, so both
become nullable, and a check keeps every other kind a till's, for a sale. ``points_overdrawn``
is new. Safe while servers run: dropping NOT NULL and adding a nullable column rewrite
nothing; the checks are validated against rows that all satisfy them (the old kinds, each
with a till and a sale).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_loyalty"
down_revision: str | Sequence[str] | None = "0015_cost"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sgpos"


def upgrade() -> None:
    op.drop_constraint(op.f("ck_loyalty_entry_kind"), "loyalty_entry", schema=SCHEMA)
    op.create_check_constraint(
        op.f("ck_loyalty_entry_kind"),
        "loyalty_entry",
        "kind IN ('earned', 'redeemed', 'reversed', 'returned', 'expired')",
        schema=SCHEMA,
    )
    op.alter_column("loyalty_entry", "till_id", nullable=True, schema=SCHEMA)
    op.alter_column("loyalty_entry", "sale_id", nullable=True, schema=SCHEMA)
    op.add_column("loyalty_entry", sa.Column("value", sa.Numeric(14, 2)), schema=SCHEMA)
    op.create_check_constraint(
        op.f("ck_loyalty_entry_owner"),
        "loyalty_entry",
        "(kind = 'expired') = (till_id IS NULL AND sale_id IS NULL)",
        schema=SCHEMA,
    )
    op.create_table(
        "points_overdrawn",
        sa.Column("entry_id", sa.UUID(), nullable=False),
        sa.Column("customer_id", sa.UUID(), nullable=False),
        sa.Column("outlet_id", sa.UUID(), nullable=False),
        sa.Column("till_id", sa.UUID(), nullable=False),
        sa.Column("short", sa.Integer(), nullable=False),
        sa.Column("balance_after", sa.Integer(), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settled_by", sa.String(120), nullable=True),
        sa.CheckConstraint("short > 0", name=op.f("ck_points_overdrawn_short_positive")),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["sgpos.loyalty_entry.entry_id"],
            name=op.f("fk_points_overdrawn_entry_id_loyalty_entry"),
        ),
        sa.ForeignKeyConstraint(
            ["outlet_id"],
            ["sgpos.outlet.outlet_id"],
            name=op.f("fk_points_overdrawn_outlet_id_outlet"),
        ),
        sa.ForeignKeyConstraint(
            ["till_id"], ["sgpos.till.till_id"], name=op.f("fk_points_overdrawn_till_id_till")
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_points_overdrawn")),
        schema=SCHEMA,
    )
    op.create_index(
        op.f("ix_points_overdrawn_customer_id"),
        "points_overdrawn",
        ["customer_id"],
        schema=SCHEMA,
    )


def downgrade() -> None:
    # Entries of the new kinds would break the old checks: they go, as the tables they came
    # with do (a downgrade is a technician's step back to the release before).
    op.drop_table("points_overdrawn", schema=SCHEMA)
    op.execute("DELETE FROM sgpos.loyalty_entry WHERE kind IN ('redeemed', 'returned', 'expired')")
    op.drop_constraint(op.f("ck_loyalty_entry_owner"), "loyalty_entry", schema=SCHEMA)
    op.drop_column("loyalty_entry", "value", schema=SCHEMA)
    op.alter_column("loyalty_entry", "sale_id", nullable=False, schema=SCHEMA)
    op.alter_column("loyalty_entry", "till_id", nullable=False, schema=SCHEMA)
    op.drop_constraint(op.f("ck_loyalty_entry_kind"), "loyalty_entry", schema=SCHEMA)
    op.create_check_constraint(
        op.f("ck_loyalty_entry_kind"),
        "loyalty_entry",
        "kind IN ('earned', 'redeemed', 'reversed')",
        schema=SCHEMA,
    )
