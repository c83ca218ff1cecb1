"""Automatic promotions as master data: one table, logged for the pull like the catalogue.

Revision ID: 0013_promotions
Revises: 0011_customers
Create Date: 2026-12-05

``definition`` is the promotion as tills are sent it (``shared.promotion_wire.PromotionV1``);
name, kind and the dates beside it are for head office's lists. Writes take the master
writers' lock (revision 0005) and log a change for the pull cursor (revision 0001's
``record_master_change``, entity ``promotion``); head office's edits are audited. A new,
empty table: safe while servers run.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013_promotions"
down_revision: str | Sequence[str] | None = "0011_customers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sgpos"


def upgrade() -> None:
    op.create_table(
        "promotion",
        sa.Column("promotion_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("definition", postgresql.JSONB(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("promotion_id", name=op.f("pk_promotion")),
        schema=SCHEMA,
    )
    op.execute(
        f"CREATE TRIGGER order_master_writes BEFORE INSERT OR UPDATE OR DELETE "
        f"ON {SCHEMA}.promotion FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {SCHEMA}.order_master_writes()"
    )
    op.execute(
        f"CREATE TRIGGER record_master_change AFTER INSERT OR UPDATE OR DELETE "
        f"ON {SCHEMA}.promotion FOR EACH ROW "
        f"EXECUTE FUNCTION {SCHEMA}.record_master_change('promotion', 'promotion_id')"
    )
    op.execute(
        f"CREATE TRIGGER audit_head_office_edit AFTER INSERT OR UPDATE OR DELETE "
        f"ON {SCHEMA}.promotion FOR EACH ROW "
        f"EXECUTE FUNCTION {SCHEMA}.audit_head_office_edit('promotion_id')"
    )


def downgrade() -> None:
    # Dropping the table drops its triggers. The code of the revision before knows no
    # 'promotion' entity, and a pull would fail on one left in the change log.
    op.drop_table("promotion", schema=SCHEMA)
    op.execute(f"DELETE FROM {SCHEMA}.change_log WHERE entity = 'promotion'")  # noqa: S608
