"""Variants and packs, and which promotion saved what on each sale line.

Revision ID: 0018_variants
Revises: 0017_gift_vouchers
Create Date: 2026-12-05

One row per product that is a variant (``family`` and its ``options``) or a pack
(``pack_of``, ``pack_units``) or both; plain products have none. Writes take the master
writers' lock and log a change for the pull cursor (entity ``variant``, sent only to tills
that ask ``?with=variant``); head office's edits are audited. A new, empty table: safe while
servers run.

``sale_line_promotion``: what each automatic promotion took off each sale line, as the till
says on the line (``promotion_savings``, added to the wire), with the sale's outlet and date,
for the promotions' uplift report. Also new and empty; lines projected before have none.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018_variants"
down_revision: str | Sequence[str] | None = "0017_gift_vouchers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sgpos"


def upgrade() -> None:
    op.create_table(
        "product_variant",
        sa.Column("product_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("family", sa.String(120), nullable=True),
        sa.Column(
            "options",
            postgresql.JSONB(),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("pack_of", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("pack_units", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(pack_of IS NULL) = (pack_units IS NULL)", name=op.f("ck_product_variant_pack_whole")
        ),
        sa.CheckConstraint(
            "pack_units IS NULL OR pack_units BETWEEN 2 AND 10000",
            name=op.f("ck_product_variant_pack_units"),
        ),
        sa.CheckConstraint(
            "pack_of IS NULL OR pack_of <> product_id",
            name=op.f("ck_product_variant_pack_not_itself"),
        ),
        sa.CheckConstraint(
            "family IS NOT NULL OR pack_of IS NOT NULL",
            name=op.f("ck_product_variant_variant_or_pack"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            [f"{SCHEMA}.product.product_id"],
            name=op.f("fk_product_variant_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pack_of"],
            [f"{SCHEMA}.product.product_id"],
            name=op.f("fk_product_variant_pack_of_product"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_product_variant")),
        schema=SCHEMA,
    )
    op.create_index(op.f("ix_product_variant_family"), "product_variant", ["family"], schema=SCHEMA)
    op.create_index(
        op.f("ix_product_variant_pack_of"), "product_variant", ["pack_of"], schema=SCHEMA
    )
    op.create_table(
        "sale_line_promotion",
        sa.Column("line_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("promotion_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("sale_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("outlet_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.PrimaryKeyConstraint("line_id", "promotion_id", name=op.f("pk_sale_line_promotion")),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_sale_line_promotion_promotion_id_business_date",
        "sale_line_promotion",
        ["promotion_id", "business_date"],
        schema=SCHEMA,
    )
    op.execute(
        f"CREATE TRIGGER order_master_writes BEFORE INSERT OR UPDATE OR DELETE "
        f"ON {SCHEMA}.product_variant FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {SCHEMA}.order_master_writes()"
    )
    op.execute(
        f"CREATE TRIGGER record_master_change AFTER INSERT OR UPDATE OR DELETE "
        f"ON {SCHEMA}.product_variant FOR EACH ROW "
        f"EXECUTE FUNCTION {SCHEMA}.record_master_change('variant', 'product_id')"
    )
    op.execute(
        f"CREATE TRIGGER audit_head_office_edit AFTER INSERT OR UPDATE OR DELETE "
        f"ON {SCHEMA}.product_variant FOR EACH ROW "
        f"EXECUTE FUNCTION {SCHEMA}.audit_head_office_edit('product_id')"
    )


def downgrade() -> None:
    op.drop_table("sale_line_promotion", schema=SCHEMA)
    # Dropping the table drops its triggers and indexes. The code of the revision before knows
    # no 'variant' entity, and a pull would fail on one left in the change log.
    op.drop_table("product_variant", schema=SCHEMA)
    op.execute(f"DELETE FROM {SCHEMA}.change_log WHERE entity = 'variant'")  # noqa: S608
