"""Head-office sign-in sessions for the dashboard.

Revision ID: 0002_head_office_sessions
Revises: 0001_central_schema
Create Date: 2026-11-21

A session is a random token kept in an HTTP-only cookie; only its SHA-256 is stored, so a leaked
copy of this table signs nobody in. Each session carries its own CSRF token for the forms it
renders. Sessions live in the database, not in a server's memory, so any server process can
answer any page and signing out (or deactivating a user) takes effect everywhere at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_head_office_sessions"
down_revision: str | Sequence[str] | None = "0001_central_schema"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sgpos"


def upgrade() -> None:
    op.create_table(
        "ho_session",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_ho_session")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            [f"{SCHEMA}.ho_user.user_id"],
            name=op.f("fk_ho_session_user_id_ho_user"),
            ondelete="CASCADE",
        ),
        schema=SCHEMA,
    )
    op.create_index(op.f("ix_ho_session_user_id"), "ho_session", ["user_id"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("ho_session", schema=SCHEMA)
