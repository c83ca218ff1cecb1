"""Revision 0020 logs every customer already stored once, so tills pull them from the cursor
they hold; from then on every change to a customer is logged; the downgrade drops both."""

from __future__ import annotations

import uuid

import pytest
from alembic import command

from sync_service.central.migrate import alembic_config

from .central_support import execute, fresh_database, query

pytestmark = pytest.mark.postgres

CUSTOMERS = "SELECT key, op FROM sgpos.change_log WHERE entity = 'customer' ORDER BY change_id"


def test_customers_stored_before_are_logged_once_and_later_changes_too(pg_server: str) -> None:
    with fresh_database(pg_server) as url:
        config = alembic_config(url)
        command.upgrade(config, "0019_sales_summary")
        before = sorted(str(uuid.uuid4()) for _ in range(2))
        for customer in before:
            execute(
                url,
                "INSERT INTO sgpos.customer (customer_id, consent_contact, consent_marketing) "
                "VALUES (%s, false, false)",
                (customer,),
            )
        assert query(url, CUSTOMERS) == []

        command.upgrade(config, "0020_member_pull")
        assert query(url, CUSTOMERS) == [(c, "upsert") for c in before]
        execute(
            url,
            "UPDATE sgpos.customer SET name = 'Tan' WHERE customer_id = %s",
            (before[0],),
        )
        assert query(url, CUSTOMERS)[-1] == (before[0], "upsert")
        assert len(query(url, CUSTOMERS)) == 3

        command.downgrade(config, "0019_sales_summary")
        assert query(url, CUSTOMERS) == []
        execute(url, "UPDATE sgpos.customer SET name = 'Lim'")
        assert query(url, CUSTOMERS) == []
