"""Spending points: a ``points`` tender, points given back on a refund, and the balances head
office last sent.

Revision ID: 0009_loyalty
Revises: 0008_purchasing
Create Date: 2026-12-05

Two check constraints widen (``payment.type`` takes ``points``, ``loyalty_entry.kind`` takes
``returned``). SQLite cannot alter a constraint; a batch rebuild would reorder the tables'
definitions, so the CHECK text is edited in the schema in place, as SQLite's documentation
describes for changes that leave the stored rows valid (``writable_schema``, then a new
``schema_version`` so every connection re-reads it). ``member_points`` is new and starts
empty: balances come with the next sync.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_loyalty"
down_revision: str | Sequence[str] | None = "0008_purchasing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WIDENED = (
    ("payment", "'paynow', 'voucher')", "'paynow', 'voucher', 'points')"),
    ("loyalty_entry", "'redeemed', 'reversed')", "'redeemed', 'reversed', 'returned')"),
)


def _edit_checks(*, widen: bool) -> None:
    bind = op.get_bind()
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    op.execute("PRAGMA writable_schema = ON")
    for table, narrow, wide in _WIDENED:
        old, new = (narrow, wide) if widen else (wide, narrow)
        sql = bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).scalar_one()
        if old not in sql:
            raise RuntimeError(f"{table}'s definition is not the one this revision expects")
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
            (sql.replace(old, new), table),
        )
    op.execute(f"PRAGMA schema_version = {int(version) + 1}")
    op.execute("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    _edit_checks(widen=True)
    op.create_table(
        "member_points",
        sa.Column("customer_id", sa.String(36), nullable=False),
        sa.Column("elsewhere", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(120), nullable=True),
        sa.Column("as_of", sa.String(32), nullable=False),  # UtcDateTime: ISO-8601 UTC text
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.customer_id"],
            name=op.f("fk_member_points_customer_id_customer"),
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_member_points")),
    )


def downgrade() -> None:
    bind = op.get_bind()
    taken = bind.exec_driver_sql(
        "SELECT (SELECT count(*) FROM payment WHERE type = 'points')"
        " + (SELECT count(*) FROM loyalty_entry WHERE kind = 'returned')"
    ).scalar_one()
    if taken:
        # The narrower checks would hold rows that break them: refuse rather than drop them.
        raise RuntimeError(
            "this till has taken or given back points: it cannot go below revision "
            "0009_loyalty without losing them; restore a backup from before instead"
        )
    op.drop_table("member_points")
    _edit_checks(widen=False)
