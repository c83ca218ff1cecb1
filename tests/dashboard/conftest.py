"""Dashboard fixtures: a migrated central store with two outlets that have traded, one user of
each role, the dashboard served on a loopback socket, and signed-in visitors per role.

The database is the dashboard tests' own (created on the run's PostgreSQL server and dropped
at the end), so what they add never meets other tests; tests read it for the figures they
expect.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from shared.demo_catalogue import DEMO_STAFF
from shared.gst import SINGAPORE
from shared.protocol import PROTOCOL_VERSION, PushOk, PushRequest, TillReport
from sync_service.central import models as m
from sync_service.central.db import CentralSettings, central_engine
from sync_service.central.ingest import apply_push
from sync_service.central.migrate import upgrade_central
from sync_service.central.seed import seed_demo
from sync_service.central.users import create_user
from sync_service.server.app import make_app
from tests.central import SyncedTill, add_outlet, enrolled_till
from tests.dashboard.support import PASSWORD, LiveDashboard, Visitor
from tests.migrations.central_support import fresh_database
from till.simulate import Summary, simulate

SCRIPT_NAME = "<script>alert(1)</script>"
ROLES = ("admin", "analyst", "manager_a", "manager_b")
PRODUCTS = 60  # the demo till's catalogue size; head office holds the same products


@dataclass
class TradedTill:
    till: SyncedTill
    summary: Summary


@dataclass
class Shop:
    """Two outlets (A and B), each with one till that rang sales on its own day and synced."""

    engine: Engine
    url: str
    outlet_a: m.Outlet
    outlet_b: m.Outlet
    tills: dict[str, TradedTill]  # "A", "B"
    emails: dict[str, str]  # role name in ROLES -> email
    script_product_id: uuid.UUID
    day_a: datetime
    day_b: datetime

    def outlet(self, which: str) -> m.Outlet:
        return self.outlet_a if which == "A" else self.outlet_b

    def sale_ids(self, which: str) -> list[uuid.UUID]:
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    text("SELECT sale_id FROM sgpos.sale WHERE outlet_id = :o ORDER BY sold_at"),
                    {"o": self.outlet(which).outlet_id},
                ).scalars()
            )


def _push_everything(engine: Engine, till: SyncedTill) -> None:
    events = till.events()
    report = TillReport(
        app_version="test",
        store_revision="test",
        backlog=len(events),
        oldest_pending_at=None,
        sent_at=datetime.now(UTC),
    )
    for start in range(0, len(events), 500):
        batch = PushRequest(
            protocol=PROTOCOL_VERSION, till=report, events=events[start : start + 500]
        )
        result = apply_push(engine, till.auth, batch, now=datetime.now(UTC))
        assert isinstance(result, PushOk), result


def _trade(
    engine: Engine, data_dir: Path, outlet: m.Outlet, start: datetime, seed: int
) -> TradedTill:
    till = enrolled_till(engine, data_dir, outlet, "T01")
    till.demo.clock.now = start
    try:
        till.demo.till.shifts.open_shift(till.demo.cashier, Decimal("200.00"))
        summary = simulate(
            till.demo.till, 30, seed=seed, cashier=till.demo.cashier, manager=till.demo.manager
        )
        _push_everything(engine, till)
    finally:
        till.demo.till.close()
    return TradedTill(till, summary)


@pytest.fixture(scope="session")
def dashboard_db_url(pg_server: str) -> Iterator[str]:
    """A migrated central database of the dashboard tests' own: they add outlets, staff
    assignments and a product with a hostile name that other tests must never meet."""
    with fresh_database(pg_server) as url:
        upgrade_central(url)
        yield url


@pytest.fixture(scope="session")
def dashboard_engine(dashboard_db_url: str) -> Iterator[Engine]:
    engine = central_engine(dashboard_db_url, pool_size=4)
    # products, families and cartons, and staff the demo tills sell with
    seed_demo(engine, products=PRODUCTS, variants=True)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def shop(
    dashboard_db_url: str, dashboard_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Shop:
    engine = dashboard_engine
    outlet_a, outlet_b = add_outlet(engine), add_outlet(engine)
    day_a = datetime(2025, 3, 1, 9, 0, tzinfo=SINGAPORE)
    day_b = datetime(2025, 3, 2, 13, 0, tzinfo=SINGAPORE)
    base = tmp_path_factory.mktemp("dashboard-tills")
    tills = {
        "A": _trade(engine, base / "a", outlet_a, day_a, seed=11),
        "B": _trade(engine, base / "b", outlet_b, day_b, seed=12),
    }
    suffix = uuid.uuid4().hex[:8]
    emails = {role: f"{role.replace('_', '-')}-{suffix}@example.com" for role in ROLES}
    create_user(engine, email=emails["admin"], password=PASSWORD, role="admin", outlet_code=None)
    create_user(
        engine, email=emails["analyst"], password=PASSWORD, role="analyst", outlet_code=None
    )
    for role, outlet in (("manager_a", outlet_a), ("manager_b", outlet_b)):
        create_user(
            engine,
            email=emails[role],
            password=PASSWORD,
            role="outlet_manager",
            outlet_code=outlet.code,
        )
    script_product = _hostile_names(engine, outlet_a)
    with engine.begin() as conn:
        for outlet in (outlet_a, outlet_b):  # the demo staff work at both test outlets
            conn.execute(
                text(
                    "INSERT INTO sgpos.staff_outlet (staff_id, outlet_id) VALUES (:s, :o) "
                    "ON CONFLICT DO NOTHING"
                ),
                [{"s": s.staff_id, "o": outlet.outlet_id} for s in DEMO_STAFF],
            )
    return Shop(
        engine, dashboard_db_url, outlet_a, outlet_b, tills, emails, script_product, day_a, day_b
    )


def _hostile_names(engine: Engine, outlet: m.Outlet) -> uuid.UUID:
    """A product, a sold line and a stock movement whose names are markup: pages must show
    them as text. Written as a till or a careless import could have written them."""
    product_id = uuid.uuid4()
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL sgpos.actor = 'dashboard-tests'"))
        conn.execute(
            text(
                "INSERT INTO sgpos.product (product_id, sku, name, price, tax_code, weighed, "
                "active) VALUES (:p, :sku, :name, 1.00, 'SR', false, true)"
            ),
            {"p": product_id, "sku": f"XSS-{product_id.hex[:8]}", "name": SCRIPT_NAME},
        )
        conn.execute(
            text(
                "INSERT INTO sgpos.stock_movement (outlet_id, product_id, quantity, reason, "
                "source, moved_at) VALUES (:o, :p, -2, 'adjustment', :src, now())"
            ),
            {"o": outlet.outlet_id, "p": product_id, "src": f"test:{product_id}"},
        )
        conn.execute(
            text(
                "INSERT INTO sgpos.stock_on_hand (outlet_id, product_id, quantity) "
                "VALUES (:o, :p, -2)"
            ),
            {"o": outlet.outlet_id, "p": product_id},
        )
        conn.execute(
            text(
                "UPDATE sgpos.sale_line SET name = :name WHERE line_id = (SELECT l.line_id "
                "FROM sgpos.sale_line l JOIN sgpos.sale s USING (sale_id) "
                "WHERE s.outlet_id = :o ORDER BY s.sold_at, l.position LIMIT 1)"
            ),
            {"name": SCRIPT_NAME, "o": outlet.outlet_id},
        )
    return product_id


@pytest.fixture(scope="session")
def dashboard(shop: Shop) -> Iterator[LiveDashboard]:
    """The central application (sync API and dashboard) on a loopback port."""
    settings = CentralSettings.load(central_db_url=shop.url, db_pool_size=4)
    server = LiveDashboard(make_app(settings, shop.engine))
    yield server
    server.close()


@pytest.fixture
def visitor(dashboard: LiveDashboard) -> Iterator[Visitor]:
    """An anonymous browser."""
    v = dashboard.visitor()
    yield v
    v.close()


@pytest.fixture
def signed_in(dashboard: LiveDashboard, shop: Shop) -> Iterator[Callable[[str], Visitor]]:
    """``signed_in("analyst")``: a browser signed in as that role (see ``ROLES``)."""
    opened: dict[str, Visitor] = {}

    def sign_in(role: str) -> Visitor:
        if role not in opened:
            v = dashboard.visitor()
            answer = v.sign_in(shop.emails[role])
            assert answer.status == 303, f"{role} could not sign in: {answer.status} {answer.text}"
            opened[role] = v
        return opened[role]

    yield sign_in
    for v in opened.values():
        v.close()
