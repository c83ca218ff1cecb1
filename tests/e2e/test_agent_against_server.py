"""A fresh till against the real central server process and a real PostgreSQL.

Enrol with a one-time code from head office, load the catalogue with the first pull, ring
sales, and drain them with ``sgpos-sync once`` run as its own process: head office must then
hold exactly the sales the till made (DESIGN §7.1, §7.3).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from shared.demo_catalogue import DEMO_STAFF, demo_catalogue
from sync_service.central.db import central_engine
from sync_service.central.migrate import upgrade_central
from sync_service.central.seed import seed_demo
from sync_service.central.tills import create_enrolment_code, revoke_till
from tests.e2e.central_process import central_server
from till.app import open_till
from till.simulate import simulate
from till.store.models import OutboxEvent, Outlet, Product, Sale, Staff, TillIdentity

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
PRODUCTS = 300


@pytest.fixture(scope="module")
def head_office(pg_url: str) -> Iterator[tuple[Engine, str]]:
    """The central database at head with the demo data, and the server's base URL."""
    upgrade_central(pg_url)
    engine = central_engine(pg_url, pool_size=2)
    seed_demo(engine, products=PRODUCTS)
    try:
        with central_server(pg_url) as url:
            yield engine, url
    finally:
        engine.dispose()


def sgpos_sync(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "till.sync.cli", "--data-dir", str(data_dir), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env=os.environ | {"SGPOS_REQUEST_TIMEOUT_S": "60"},
    )


def enrol(engine: Engine, url: str, data_dir: Path, till_code: str) -> None:
    code = create_enrolment_code(
        engine, outlet_code="ORC", till_code=till_code, created_by="e2e", now=datetime.now(UTC)
    )
    enrolled = sgpos_sync(data_dir, "enroll", "--central", url, "--code", code)
    assert enrolled.returncode == 0, enrolled.stderr
    assert f"enrolled as till {till_code} of outlet ORC" in enrolled.stdout


def test_a_fresh_till_enrols_loads_the_catalogue_and_its_sales_reach_head_office(
    tmp_path: Path, head_office: tuple[Engine, str]
) -> None:
    engine, url = head_office
    till_code = "A" + uuid.uuid4().hex[:6].upper()
    data_dir = tmp_path / "till"
    enrol(engine, url, data_dir, till_code)

    # The first `once` is the initial load: outlet, catalogue and staff come down.
    first = sgpos_sync(data_dir, "once")
    assert first.returncode == 0, first.stderr
    till = open_till(data_dir)
    try:
        with till.store.read() as s:
            ident = s.get(TillIdentity, 1)
            assert ident is not None and ident.till_code == till_code and ident.epoch == 1
            till_id = ident.till_id
            skus = set(s.scalars(select(Product.sku)))
            staff = set(s.scalars(select(Staff.code)))
            outlets = set(s.scalars(select(Outlet.code)))
        assert {p.sku for p in demo_catalogue(PRODUCTS).products} <= skus, (
            f"the initial load brought {len(skus)} products; a pull only returns changes older "
            "than every open transaction on the PostgreSQL cluster — is one stuck open?"
        )
        assert {m.code for m in DEMO_STAFF} <= staff
        assert "ORC" in outlets and till.profile.outlet.code == "ORC"

        # Ring sales with the staff and PINs head office sent down.
        cashier_pin = next(m for m in DEMO_STAFF if m.role == "cashier")
        manager_pin = next(m for m in DEMO_STAFF if m.role == "manager")
        cashier = till.staff.sign_in(cashier_pin.code, cashier_pin.pin)
        manager = till.staff.sign_in(manager_pin.code, manager_pin.pin)
        summary = simulate(till, 25, seed=11, cashier=cashier, manager=manager)
        assert summary.sales > 0
        with till.store.read() as s:
            receipts = set(s.scalars(select(Sale.receipt_no)))
    finally:
        till.close()

    drained = sgpos_sync(data_dir, "once")
    assert drained.returncode == 0, drained.stderr

    status = json.loads(sgpos_sync(data_dir, "status").stdout)
    assert status["pending"] == 0 and status["online"] is True and status["quarantined"] == []
    with engine.connect() as conn:
        central = set(
            conn.execute(
                text("SELECT receipt_no FROM sgpos.sale WHERE till_id = :t"), {"t": till_id}
            ).scalars()
        )
        quarantined = conn.execute(
            text("SELECT count(*) FROM sgpos.quarantine WHERE till_id = :t"), {"t": till_id}
        ).scalar_one()
    assert central == receipts  # every sale once, and nothing else
    assert quarantined == 0
    till = open_till(data_dir)
    try:
        with till.store.read() as s:
            assert all(e.acked_at is not None for e in s.scalars(select(OutboxEvent)))
    finally:
        till.close()


def test_a_revoked_till_stops_and_says_to_re_enrol_and_a_new_code_brings_it_back(
    tmp_path: Path, head_office: tuple[Engine, str]
) -> None:
    engine, url = head_office
    till_code = "R" + uuid.uuid4().hex[:6].upper()
    data_dir = tmp_path / "till"
    enrol(engine, url, data_dir, till_code)
    assert sgpos_sync(data_dir, "once").returncode == 0

    revoke_till(engine, outlet_code="ORC", till_code=till_code, now=datetime.now(UTC))
    refused = sgpos_sync(data_dir, "once")
    assert refused.returncode == 1
    assert "re-enrol the till" in refused.stderr
    status = json.loads(sgpos_sync(data_dir, "status").stdout)
    assert status["online"] is False and "re-enrol the till" in status["last_error"]

    enrol(engine, url, data_dir, till_code)  # the same till again: same identity and epoch
    assert sgpos_sync(data_dir, "once").returncode == 0
    status = json.loads(sgpos_sync(data_dir, "status").stdout)
    assert status["online"] is True and status["epoch"] == 1
