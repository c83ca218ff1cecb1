"""Head office's decisions on this till's quarantined events, pulled with the master data.

Revision ID: 0012_quarantine_outcome
Revises: 0011_variants
Create Date: 2026-12-05

``quarantine_outcome`` holds, per quarantined event, what head office decided: discarded
(with the reason), accepted under a new receipt number, or "send it again" (``resent_as``
names the new event once the till has queued it). The diagnostics view and ``sgpos-sync
status`` show it beside the event.

Outcomes come down only to tills that ask for them, so a till upgraded to this revision was
never sent the decisions made before it: the pull cursor goes back to 0 and the next pull
walks the master data again (idempotent upserts, resumable), this time with the outcomes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_quarantine_outcome"
down_revision: str | Sequence[str] | None = "0011_variants"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quarantine_outcome",
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("receipt_no", sa.String(40), nullable=True),
        sa.Column("decided_at", sa.String(40), nullable=False),
        sa.Column("resent_as", sa.String(36), nullable=True),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_quarantine_outcome")),
    )
    op.execute("UPDATE sync_state SET pull_cursor = '0'")


def downgrade() -> None:
    op.drop_table("quarantine_outcome")
