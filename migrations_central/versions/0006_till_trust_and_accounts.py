"""Security events from tills, owners for customers, till replacement codes, account sign-ins.

Revision ID: 0006_till_trust_and_accounts
Revises: 0005_ordered_master_writes
Create Date: 2026-12-11

- ``security_event``: an event a till sent that named another till's facts (a receipt number,
  a shift, a sale, a movement or a customer that is not its own). The event itself is stored
  nowhere; this row says which till sent it, its key, the field and why, for the fleet page.
- ``customer.outlet_id``: the outlet whose tills may change a customer. Filled from the sales
  that name each customer; a customer no sale names stays without an owner until the first
  till that sends it again (``sync_service.central.trust``).
- ``enrolment_code.replaces_till_id``: a code head office made on purpose to put a new machine
  in place of a till that is still enrolled; any other code refuses an enrolled till.
- ``ho_user.last_sign_in_at``, ``totp_secret`` and ``totp_last_step``: the users list shows
  the last sign-in; an admin may add an authenticator app (a TOTP code, each usable once).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_till_trust_and_accounts"
down_revision: str | Sequence[str] | None = "0005_ordered_master_writes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sgpos"

# The outlet of the earliest sale that names a customer: only that outlet's tills knew it.
CUSTOMER_OWNERS = """
UPDATE sgpos.customer AS c SET outlet_id = first.outlet_id
FROM (
    SELECT DISTINCT ON (customer_id) customer_id, outlet_id
    FROM sgpos.sale WHERE customer_id IS NOT NULL
    ORDER BY customer_id, sold_at, sale_id
) AS first
WHERE first.customer_id = c.customer_id
"""


def upgrade() -> None:
    op.create_table(
        "security_event",
        sa.Column("security_event_id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("till_id", sa.UUID(), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("field", sa.String(80), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("payload_sha256", sa.String(64), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
        sa.PrimaryKeyConstraint("security_event_id", name=op.f("pk_security_event")),
        sa.ForeignKeyConstraint(
            ["till_id"], [f"{SCHEMA}.till.till_id"], name=op.f("fk_security_event_till_id_till")
        ),
        sa.UniqueConstraint(
            "till_id",
            "epoch",
            "seq",
            "payload_sha256",
            name=op.f("uq_security_event_till_id_epoch_seq_payload_sha256"),
        ),
        schema=SCHEMA,
    )
    op.add_column("customer", sa.Column("outlet_id", sa.UUID(), nullable=True), schema=SCHEMA)
    op.create_foreign_key(
        op.f("fk_customer_outlet_id_outlet"),
        "customer",
        "outlet",
        ["outlet_id"],
        ["outlet_id"],
        source_schema=SCHEMA,
        referent_schema=SCHEMA,
    )
    op.execute(CUSTOMER_OWNERS)
    op.add_column(
        "enrolment_code", sa.Column("replaces_till_id", sa.UUID(), nullable=True), schema=SCHEMA
    )
    op.create_foreign_key(
        op.f("fk_enrolment_code_replaces_till_id_till"),
        "enrolment_code",
        "till",
        ["replaces_till_id"],
        ["till_id"],
        source_schema=SCHEMA,
        referent_schema=SCHEMA,
    )
    op.add_column(
        "ho_user",
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        schema=SCHEMA,
    )
    op.add_column("ho_user", sa.Column("totp_secret", sa.String(64), nullable=True), schema=SCHEMA)
    op.add_column(
        "ho_user", sa.Column("totp_last_step", sa.BigInteger(), nullable=True), schema=SCHEMA
    )


def downgrade() -> None:
    op.drop_column("ho_user", "totp_last_step", schema=SCHEMA)
    op.drop_column("ho_user", "totp_secret", schema=SCHEMA)
    op.drop_column("ho_user", "last_sign_in_at", schema=SCHEMA)
    op.drop_constraint(
        op.f("fk_enrolment_code_replaces_till_id_till"),
        "enrolment_code",
        type_="foreignkey",
        schema=SCHEMA,
    )
    op.drop_column("enrolment_code", "replaces_till_id", schema=SCHEMA)
    op.drop_constraint(
        op.f("fk_customer_outlet_id_outlet"), "customer", type_="foreignkey", schema=SCHEMA
    )
    op.drop_column("customer", "outlet_id", schema=SCHEMA)
    op.drop_table("security_event", schema=SCHEMA)
