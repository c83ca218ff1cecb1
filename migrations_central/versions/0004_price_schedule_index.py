"""An index on when prices start, for the server's minute-by-minute price schedule.

Revision ID: 0004_price_schedule_index
Revises: 0003_report_summaries
Create Date: 2026-11-21

Every minute each server asks which prices started since its previous run
(``sync_service.central.admin.prices.apply_due_prices``). Without an index on
``price.effective_from`` that question read the whole price history each time; with it, the
few rows of the last minute.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004_price_schedule_index"
down_revision: str | Sequence[str] | None = "0003_report_summaries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sgpos"


def upgrade() -> None:
    op.create_index(op.f("ix_price_effective_from"), "price", ["effective_from"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index(op.f("ix_price_effective_from"), table_name="price", schema=SCHEMA)
