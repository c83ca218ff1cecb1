"""Product name search: the FTS5 index over product (name, sku) and its triggers.

Revision ID: 0002_product_search
Revises: 0001_initial_schema
Create Date: 2026-11-20

The statements live in till.store.fts so that the index and the lookup cannot drift apart;
the last one indexes products that already exist (an upgraded store). The index and the
shadow tables FTS5 creates are kept out of autogenerate by env.py's include_name.

Trap for later revisions: a batch rebuild of ``product`` drops these triggers with the old
table and may renumber the rowids the index points at; such a revision must run fts.DROP
before and fts.CREATE after it.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from till.store import fts

revision: str = "0002_product_search"
down_revision: str | Sequence[str] | None = "0001_initial_schema"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in fts.CREATE:
        op.execute(statement)


def downgrade() -> None:
    for statement in fts.DROP:
        op.execute(statement)
