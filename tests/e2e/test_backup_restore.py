"""Backing up head office while it serves, and restoring it (docs/operations.md).

A real ``pg_dump`` through ``sgpos-central backup`` of a database holding a till's sales, a
restore through ``sgpos-central restore`` into a fresh database, and the till, which kept
selling meanwhile, pushing its unsent sales to a server on the restored database: every event
there exactly once. And a long-running backup's snapshot does not hold a till's pull back.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
from sqlalchemy import Engine, select, text

from sync_service.central.admin.prices import set_price
from sync_service.central.db import central_engine
from sync_service.central.migrate import upgrade_central
from sync_service.central.seed import seed_demo
from tests.e2e.central_process import ROOT, central_command, running_central
from tests.e2e.support_tills import CHILD_ENV, enrolled_agent_till, sgpos_sync
from tests.invariants import check_invariants
from till.store.db import Store
from till.store.models import Product
from till.store.paths import store_file

pytestmark = pytest.mark.postgres

PRODUCTS = 20


@pytest.fixture
def fresh_db(pg_server: str) -> Iterator[Callable[[], str]]:
    """Makes empty databases on the test server; drops them afterwards."""
    made: list[str] = []
    admin = psycopg2.connect(pg_server)
    admin.autocommit = True

    def make() -> str:
        name = f"sgpos_ops_{uuid.uuid4().hex[:10]}"
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        parts = urlsplit(pg_server)
        return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))

    try:
        yield make
    finally:
        with admin.cursor() as cur:
            for name in made:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def central_cli(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*central_command(), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ | CHILD_ENV | {"SGPOS_CENTRAL_DB_URL": db_url},
    )


def count(engine: Engine, sql: str, till_id: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql), {"t": till_id}).scalar_one())


def test_a_restored_head_office_takes_the_sales_a_till_made_since_without_doubling(
    fresh_db: Callable[[], str], tmp_path: Path
) -> None:
    source_url, restored_url = fresh_db(), fresh_db()
    upgrade_central(source_url)
    source = central_engine(source_url, pool_size=2)
    restored = central_engine(restored_url, pool_size=2)
    backup_file = tmp_path / "central.dump"
    try:
        seed_demo(source, products=PRODUCTS, variants=True)
        with running_central(source_url, tmp_path, env=CHILD_ENV) as server:
            till = enrolled_agent_till(source, server.url, tmp_path / "till")
            before = till.ring(5, seed=41)
            synced = sgpos_sync(till.data_dir, "once")
            assert synced.returncode == 0, synced.stderr
            # While the server runs and tills may push: the backup.
            made = central_cli(source_url, "backup", "--to", str(backup_file))
            assert made.returncode == 0, made.stderr
            assert f"Backed up the central database to {backup_file}" in made.stdout
        sent = count(source, "SELECT count(*) FROM sgpos.inbox WHERE till_id = :t", till.till_id)
        assert sent > before.sales

        # Head office is lost; the shop keeps selling.
        after = till.ring(4, seed=42)
        assert till.pending() > 0

        refused = central_cli(source_url, "restore", "--from", str(backup_file))
        assert refused.returncode == 1
        assert "already has an SG-POS schema" in refused.stderr
        done = central_cli(restored_url, "restore", "--from", str(backup_file))
        assert done.returncode == 0, done.stderr
        assert "run sgpos-central migrate" not in done.stdout  # same release: ready to serve
        assert (
            count(restored, "SELECT count(*) FROM sgpos.inbox WHERE till_id = :t", till.till_id)
            == sent
        )

        with running_central(restored_url, tmp_path, env=CHILD_ENV) as server:
            drained = sgpos_sync(till.data_dir, "once", "--central", server.url)
            assert drained.returncode == 0, drained.stderr + drained.stdout
            assert till.pending() == 0
            again = sgpos_sync(till.data_dir, "once", "--central", server.url)
            assert again.returncode == 0, again.stderr

        with till.store() as store:
            check_invariants(restored, store, till.till_id)  # every event once, totals agree
        sales = count(restored, "SELECT count(*) FROM sgpos.sale WHERE till_id = :t", till.till_id)
        assert sales == before.sales + after.sales
    finally:
        source.dispose()
        restored.dispose()


def till_price(till_store_path: Path, product_id: uuid.UUID) -> Decimal:
    store = Store.open(till_store_path)
    try:
        with store.read() as s:
            found = select(Product.price).where(Product.product_id == str(product_id))
            return s.scalars(found).one()
    finally:
        store.close()


def test_a_snapshot_held_open_as_by_a_long_backup_does_not_hold_a_price_change_back(
    fresh_db: Callable[[], str], tmp_path: Path
) -> None:
    """pg_dump reads in one REPEATABLE READ snapshot for as long as it runs; the pull cursor
    never waits for other transactions (docs/sync.md), so a till still gets a new price while
    such a snapshot, with a transaction id, stays open."""
    url = fresh_db()
    upgrade_central(url)
    engine = central_engine(url, pool_size=2)
    try:
        seed_demo(engine, products=PRODUCTS, variants=True)
        with running_central(url, tmp_path, env=CHILD_ENV) as server:
            till = enrolled_agent_till(engine, server.url, tmp_path / "till")
            with engine.connect() as conn:
                product_id, price = conn.execute(
                    text("SELECT product_id, price FROM sgpos.product ORDER BY sku LIMIT 1")
                ).one()
            assert till_price(store_file(till.data_dir), product_id) == price

            dump = psycopg2.connect(url)
            try:
                dump.set_session(isolation_level="REPEATABLE READ")
                with dump.cursor() as cur:  # the snapshot is taken by the first statement
                    cur.execute("SELECT count(*) FROM sgpos.change_log")
                    # pg_dump's own transaction is read-only and takes no transaction id; one
                    # that has an id (a report that wrote a scratch table, say) is the harder
                    # case for a cursor built on transaction ids: hold that kind open.
                    cur.execute("SELECT pg_current_xact_id()")
                new_price = price + Decimal("1.10")
                set_price(engine, "ops-test", product_id, new_price, None, now=datetime.now(UTC))

                pulled = sgpos_sync(till.data_dir, "once")
                assert pulled.returncode == 0, pulled.stderr
                assert till_price(store_file(till.data_dir), product_id) == new_price
                with dump.cursor() as cur:  # still open, still seeing the old price
                    cur.execute(
                        "SELECT price FROM sgpos.product WHERE product_id = %s", (str(product_id),)
                    )
                    assert cur.fetchone() == (price,)
            finally:
                dump.rollback()
                dump.close()
    finally:
        engine.dispose()
