"""Customers are master data too: their changes are logged for the tills' pull.

Revision ID: 0020_member_pull
Revises: 0019_sales_summary
Create Date: 2026-12-05

A member enrolled at one till must be found at the outlet's other tills, and an erasure at
head office must reach every till that holds a copy. So writes to ``customer`` (a till's
``customer.upserted`` projected, head office's erasure, the demo seed) take the master
writers' lock (revision 0005) and log a change (entity ``customer``), sent only to tills that
ask ``?with=customer`` and only for their own outlet (sync_service/central/pull.py). Every
customer already stored is logged once, so tills that pull from their cursor get them too.
No table changes: safe while servers run (the backfill is one insert per customer).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0020_member_pull"
down_revision: str | Sequence[str] | None = "0019_sales_summary"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sgpos"
# Frozen copy of revision 0005's lock: the backfill draws change ids under it like any writer.
MASTER_WRITE_LOCK = 0x5347504F534D4457


def upgrade() -> None:
    op.execute(
        f"CREATE TRIGGER order_master_writes BEFORE INSERT OR UPDATE OR DELETE "
        f"ON {SCHEMA}.customer FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {SCHEMA}.order_master_writes()"
    )
    op.execute(
        f"CREATE TRIGGER record_master_change AFTER INSERT OR UPDATE OR DELETE "
        f"ON {SCHEMA}.customer FOR EACH ROW "
        f"EXECUTE FUNCTION {SCHEMA}.record_master_change('customer', 'customer_id')"
    )
    op.execute(f"SELECT pg_advisory_xact_lock({MASTER_WRITE_LOCK})")
    op.execute(
        f"INSERT INTO {SCHEMA}.change_log (entity, key, op) "  # noqa: S608
        f"SELECT 'customer', customer_id::text, 'upsert' FROM {SCHEMA}.customer "
        "ORDER BY customer_id"
    )


def downgrade() -> None:
    op.execute(f"DROP TRIGGER record_master_change ON {SCHEMA}.customer")
    op.execute(f"DROP TRIGGER order_master_writes ON {SCHEMA}.customer")
    # The code of the revision before knows no 'customer' entity; a pull would fail on one.
    op.execute(f"DELETE FROM {SCHEMA}.change_log WHERE entity = 'customer'")  # noqa: S608
