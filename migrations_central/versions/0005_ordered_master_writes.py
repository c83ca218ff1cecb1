"""Master-data writers commit in change-id order, so a pull never waits for strangers.

Revision ID: 0005_ordered_master_writes
Revises: 0004_price_schedule_index
Create Date: 2026-12-04

Before this revision a pull read only changes of transactions older than every transaction
still running on the server (``pg_snapshot_xmin``), so an unrelated ``idle in transaction``
session or a long ``pg_dump`` held every till's price changes back for as long as it lasted.

Now every statement that writes a master table first takes one transaction-level advisory lock
(``order_master_writes``, a BEFORE ... FOR EACH STATEMENT trigger), before it locks or logs a
single row, and keeps it until its transaction ends. Master writers therefore run one at a
time, and ``change_log.change_id`` (a sequence with CACHE 1, drawn under the lock) grows in
commit order: a transaction can only draw ids after the previous writer has committed (and
become visible) or rolled back. A pull walks plain ``change_id`` order; docs/sync.md has the
proof that no change is skipped. The ``(txid, change_id)`` index the old walk needed goes; the
``txid`` column stays (it still says which transaction wrote the row).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005_ordered_master_writes"
down_revision: str | Sequence[str] | None = "0004_price_schedule_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sgpos"
# The eight bytes spell "SGPOSMDW" (master-data writers); frozen here, the code's copy is
# sync_service.central.models.MASTER_WRITE_LOCK.
MASTER_WRITE_LOCK = 0x5347504F534D4457
MASTER_TABLES = ("outlet", "category", "product", "barcode", "staff", "staff_outlet")

ORDER_MASTER_WRITES = f"""
CREATE FUNCTION {SCHEMA}.order_master_writes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Held until the transaction ends: see revision 0005_ordered_master_writes.
    PERFORM pg_advisory_xact_lock({MASTER_WRITE_LOCK});
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    # Each session would otherwise pre-allocate its own range of ids, out of commit order.
    op.execute(f"ALTER SEQUENCE {SCHEMA}.change_log_change_id_seq CACHE 1")
    op.execute(ORDER_MASTER_WRITES)
    for table in MASTER_TABLES:
        op.execute(
            f"CREATE TRIGGER order_master_writes BEFORE INSERT OR UPDATE OR DELETE "
            f"ON {SCHEMA}.{table} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {SCHEMA}.order_master_writes()"
        )
    op.drop_index(op.f("ix_change_log_txid_change_id"), table_name="change_log", schema=SCHEMA)


def downgrade() -> None:
    op.create_index(
        op.f("ix_change_log_txid_change_id"), "change_log", ["txid", "change_id"], schema=SCHEMA
    )
    for table in MASTER_TABLES:
        op.execute(f"DROP TRIGGER order_master_writes ON {SCHEMA}.{table}")
    op.execute(f"DROP FUNCTION {SCHEMA}.order_master_writes()")
