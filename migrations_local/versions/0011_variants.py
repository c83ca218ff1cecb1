"""Variants and packs pulled from head office.

Revision ID: 0011_variants
Revises: 0010_gift_vouchers
Create Date: 2026-12-05

``product_variant`` holds, per product, its family and options or the unit product it is a
pack of and how many units (docs/variants.md). Variants only come down to tills that ask for
them, so a till upgraded to this revision has never been sent the ones created before it: the
pull cursor goes back to 0 and the next pull walks the master data again (idempotent upserts,
resumable, about the time of a first load).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_variants"
down_revision: str | Sequence[str] | None = "0010_gift_vouchers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "product_variant",
        sa.Column("product_id", sa.String(36), nullable=False),
        sa.Column("family", sa.String(120), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("pack_of", sa.String(36), nullable=True),
        sa.Column("pack_units", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.product_id"],
            name=op.f("fk_product_variant_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_product_variant")),
    )
    op.create_index(op.f("ix_product_variant_family"), "product_variant", ["family"])
    op.create_index(op.f("ix_product_variant_pack_of"), "product_variant", ["pack_of"])
    op.execute("UPDATE sync_state SET pull_cursor = '0'")


def downgrade() -> None:
    op.drop_index(op.f("ix_product_variant_pack_of"), table_name="product_variant")
    op.drop_index(op.f("ix_product_variant_family"), table_name="product_variant")
    op.drop_table("product_variant")
