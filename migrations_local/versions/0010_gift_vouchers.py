"""Gift vouchers at the till: the batches head office issued, the vouchers this till sold
and took value from, the serial a sale line sold, and ``gift`` as a payment type.

Revision ID: 0010_gift_vouchers
Revises: 0009_loyalty
Create Date: 2026-12-05

``payment``'s type check gains ``gift``. SQLite cannot alter a check, and a batch rebuild of
``payment`` (every sale's payments) would rewrite its definition in another order; widening a
check changes nothing stored, so the table's definition is edited in place, the way SQLite's
own documentation describes for CHECK changes (``writable_schema``, then a new
``schema_version`` so every connection reloads it). Going back narrows it again, and is
refused while a gift voucher payment exists. Batches come down
only to tills that ask for them, so the pull cursor goes back to 0, as in 0007, and the next
pull walks the master data again, this time with the batches.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_gift_vouchers"
down_revision: str | Sequence[str] | None = "0009_loyalty"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TYPES_BEFORE = "type IN ('cash', 'nets', 'card', 'paynow', 'voucher', 'points')"
_TYPES = "type IN ('cash', 'nets', 'card', 'paynow', 'voucher', 'points', 'gift')"


def _payment_types(before: str, after: str) -> None:
    conn = op.get_bind()
    version = int(conn.exec_driver_sql("PRAGMA schema_version").scalar() or 0)
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    changed = conn.exec_driver_sql(
        "UPDATE sqlite_master SET sql = replace(sql, ?, ?) "
        "WHERE type = 'table' AND name = 'payment' AND instr(sql, ?) > 0",
        (before, after, before),
    )
    conn.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    conn.exec_driver_sql("PRAGMA writable_schema = OFF")
    if changed.rowcount != 1:
        raise RuntimeError(f"payment's type check is not {before!r} as this revision expects")


def upgrade() -> None:
    op.create_table(
        "voucher_batch",
        sa.Column("batch_id", sa.String(36), nullable=False),
        sa.Column("prefix", sa.String(8), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("face_value", sa.Integer(), nullable=False),
        sa.Column("expires_on", sa.String(10), nullable=True),
        sa.Column("voided", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_voucher_batch")),
        sa.UniqueConstraint("prefix", name=op.f("uq_voucher_batch_prefix")),
    )
    op.create_table(
        "gift_voucher_use",
        sa.Column("use_id", sa.String(36), nullable=False),
        sa.Column("serial", sa.String(15), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("sale_id", sa.String(36), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),  # UtcDateTime: ISO-8601 UTC text
        sa.CheckConstraint("kind IN ('sold', 'redeemed')", name=op.f("ck_gift_voucher_use_kind")),
        sa.ForeignKeyConstraint(
            ["sale_id"], ["sale.sale_id"], name=op.f("fk_gift_voucher_use_sale_id_sale")
        ),
        sa.PrimaryKeyConstraint("use_id", name=op.f("pk_gift_voucher_use")),
    )
    op.create_index(op.f("ix_gift_voucher_use_serial"), "gift_voucher_use", ["serial"])
    op.create_index(op.f("ix_gift_voucher_use_sale_id"), "gift_voucher_use", ["sale_id"])
    with op.batch_alter_table("sale_line") as batch:
        batch.add_column(sa.Column("voucher_serial", sa.String(15), nullable=True))
    _payment_types(_TYPES_BEFORE, _TYPES)
    op.execute("UPDATE sync_state SET pull_cursor = '0'")


def downgrade() -> None:
    taken = op.get_bind().exec_driver_sql("SELECT count(*) FROM payment WHERE type = 'gift'")
    if taken.scalar():
        raise RuntimeError(
            "this till has taken gift voucher payments, which the release before cannot "
            "store: it must stay on this release (restore a backup from before it instead)"
        )
    _payment_types(_TYPES, _TYPES_BEFORE)
    op.execute("ALTER TABLE sale_line DROP COLUMN voucher_serial")
    op.drop_table("gift_voucher_use")
    op.drop_table("voucher_batch")
