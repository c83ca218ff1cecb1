"""Revision 0006 gives each customer recorded so far the outlet of the first sale naming it;
a customer no sale names is left without an owner (the first outlet to send it again)."""

from __future__ import annotations

import uuid

import pytest
from alembic import command

from sync_service.central.migrate import alembic_config

from .central_support import execute, fresh_database, query

pytestmark = pytest.mark.postgres

OUTLET = (
    "INSERT INTO sgpos.outlet (outlet_id, company_id, code, name, address_lines, gst_reg_no, "
    "gst_rounding, cash_rounding, discount_limit_percent, variance_limit, paynow_uen, "
    "receipt_footer) VALUES (%s, %s, %s, 'Shop', '[]', NULL, 'total', 'off', 10, 5, NULL, '[]')"
)
SALE = (
    "INSERT INTO sgpos.sale (sale_id, till_id, outlet_id, receipt_no, shift_id, cashier_id, "
    "sold_at, business_date, subtotal, discount_total, total, gst_total, rounding, change, "
    "customer_id) VALUES (%s, %s, %s, %s, %s, %s, %s, '2025-01-01', 1, 0, 1, 0, 0, 0, %s)"
)


def test_customers_get_the_outlet_of_their_first_sale_and_the_downgrade_drops_it(
    pg_server: str,
) -> None:
    with fresh_database(pg_server) as url:
        config = alembic_config(url)
        command.upgrade(config, "0005_ordered_master_writes")
        company, first, later = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        execute(url, "INSERT INTO sgpos.company VALUES (%s, 'Co')", (str(company),))
        tills = {}
        for outlet, code in ((first, "AA"), (later, "BB")):
            execute(url, OUTLET, (str(outlet), str(company), code))
            tills[outlet] = uuid.uuid4()
            execute(
                url,
                "INSERT INTO sgpos.till (till_id, outlet_id, code, secret_hash, status) "
                "VALUES (%s, %s, 'T01', %s, 'active')",
                (str(tills[outlet]), str(outlet), "0" * 64),
            )
        regular, stranger = uuid.uuid4(), uuid.uuid4()
        for customer in (regular, stranger):
            execute(
                url,
                "INSERT INTO sgpos.customer (customer_id, consent_contact, consent_marketing) "
                "VALUES (%s, false, false)",
                (str(customer),),
            )
        # The regular bought at BB in March, but first at AA in January.
        for outlet, n, when in ((later, 1, "2025-03-01T10:00Z"), (first, 2, "2025-01-01T10:00Z")):
            execute(
                url,
                SALE,
                (str(uuid.uuid4()), str(tills[outlet]), str(outlet), f"X-{n}", str(uuid.uuid4()),
                 str(uuid.uuid4()), when, str(regular)),
            )  # fmt: skip

        command.upgrade(config, "0006_till_trust_and_accounts")
        owners = dict(query(url, "SELECT customer_id::text, outlet_id::text FROM sgpos.customer"))
        assert owners == {str(regular): str(first), str(stranger): None}

        command.downgrade(config, "0005_ordered_master_writes")
        columns = query(
            url,
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'sgpos' "
            "AND table_name = 'customer'",
        )
        assert ("outlet_id",) not in columns
