"""Migration 0015_cost on a ledger with deliveries: each outlet's average starts as the
quantity-weighted cost of what came in with a cost, and those movements are booked at it;
sales stored before keep no cost (``sgpos-central recost`` books them)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import create_engine

from sync_service.central.migrate import alembic_config
from tests.central import add_outlet
from tests.migrations.central_support import execute, fresh_database, query

pytestmark = pytest.mark.postgres


def test_the_average_starts_from_the_costed_deliveries_and_transfers(pg_server: str) -> None:
    with fresh_database(pg_server) as url:
        config = alembic_config(url)
        command.upgrade(config, "0014_purchasing")
        engine = create_engine(url)
        try:
            outlet = str(add_outlet(engine).outlet_id)  # tables of 0013 only
        finally:
            engine.dispose()
        product = str(uuid.uuid4())
        moves = [
            ("received", "a", "10", "4.00"),
            ("sale", "b", "-4", None),
            ("transfer", "c", "5", "7.00"),  # taken in
            ("transfer", "d", "-2", "5.00"),  # sent: goes out, not an inflow
            ("adjusted", "e", "3", None),
        ]
        for reason, source, quantity, unit_cost in moves:
            execute(
                url,
                "INSERT INTO sgpos.stock_movement (outlet_id, product_id, quantity, reason, "
                "source, moved_at, unit_cost) VALUES (%s, %s, %s, %s, %s, now(), %s)",
                (outlet, product, Decimal(quantity), reason, source, unit_cost),
            )
        execute(
            url,
            "INSERT INTO sgpos.stock_on_hand (outlet_id, product_id, quantity) VALUES (%s, %s, 12)",
            (outlet, product),
        )
        command.upgrade(config, "0015_cost")
        # (10 x 4.00 + 5 x 7.00) / 15 = 5.00
        assert query(url, "SELECT average_cost FROM sgpos.stock_on_hand") == [(Decimal("5.0000"),)]
        assert query(url, "SELECT source, cost FROM sgpos.stock_movement ORDER BY source") == [
            ("a", Decimal("4.0000")),
            ("b", None),
            ("c", Decimal("7.0000")),
            ("d", None),
            ("e", None),
        ]
