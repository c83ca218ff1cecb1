"""Members' points on a real till store and a real PostgreSQL head office: earned by a sale,
taken back by its refunds, and counted exactly once at head office however often the day is
pushed again after lost acknowledgements."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Iterator
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text

from shared.protocol import PROTOCOL_VERSION, Event, EventOutcome, PushOk, PushRequest, TillReport
from shared.tender import Tender, TenderType
from sync_service.central.ingest import apply_push
from sync_service.central.migrate import upgrade_central
from tests.central import SyncedTill, add_outlet, enrolled_till
from tests.integration.test_central_ingest import NOW
from till.app import Till
from till.services.customers import CustomerCard, NewMember
from till.services.staff import SignedIn
from till.simulate import simulate
from till.store.models import Category, LoyaltyEntry, Product

D = Decimal


@pytest.fixture(scope="module")
def engine(pg_url: str) -> Iterator[Engine]:
    upgrade_central(pg_url)
    eng = create_engine(pg_url)
    yield eng
    eng.dispose()


@pytest.fixture
def till(engine: Engine, tmp_path: Path) -> Iterator[SyncedTill]:
    t = enrolled_till(engine, tmp_path / "till", add_outlet(engine), "T01")
    t.demo.till.shifts.open_shift(t.demo.cashier, D("200.00"))
    yield t
    t.demo.till.close()


def product_in(till: Till, category: str, n: int = 0) -> Product:
    with till.store.read() as s:
        found = s.scalars(
            select(Product)
            .join(Category)
            .where(Category.name == category, ~Product.weighed, Product.tax_code == "SR")
            .order_by(Product.sku)
            .offset(n)
        ).first()
    assert found is not None, f"no product {n} in {category}"
    return found


def enrol(till: Till, cashier: SignedIn, mobile: str) -> CustomerCard:
    return till.customers().enrol(
        NewMember(name=f"Member {mobile}", mobile=mobile, consent_contact=True), cashier
    )


def sell(till: Till, cashier: SignedIn, customer: CustomerCard | None, *products: Product) -> str:
    checkout = till.checkout(cashier)
    for product in products:
        found = till.catalogue.search(product.sku, limit=5)
        [snapshot] = [p for p in found if p.sku == product.sku]
        checkout.add(snapshot)
    if customer is not None:
        checkout.attach_customer(customer)
    paid = Tender(TenderType.CARD, checkout.totals().total, reference="APPR01")
    return checkout.complete([paid]).receipt_no


def balances(till: Till) -> dict[str, int]:
    with till.store.read() as s:
        rows = s.execute(
            select(LoyaltyEntry.customer_id, func.sum(LoyaltyEntry.points)).group_by(
                LoyaltyEntry.customer_id
            )
        )
        return {customer: int(points) for customer, points in rows}


def test_a_member_earns_a_point_a_dollar_double_on_fresh_produce_none_on_counter_services(
    till: SyncedTill,
) -> None:
    shop, cashier = till.demo.till, till.demo.cashier
    member = enrol(shop, cashier, "91234567")
    grocery = product_in(shop, "Groceries")
    fresh = product_in(shop, "Fresh Produce")
    with shop.store.read() as s:
        gold = s.scalars(select(Product).where(Product.name.like("Investment Gold%"))).first()
    assert grocery and fresh and gold

    sell(shop, cashier, member, grocery, fresh, gold)
    sell(shop, cashier, None, grocery)  # no member: no points for anybody

    expected = (grocery.price + 2 * fresh.price).to_integral_value(rounding=ROUND_FLOOR)
    assert balances(shop) == {member.customer_id: int(expected)}


def test_refunds_take_back_the_points_of_what_came_back_and_all_of_them_in_the_end(
    till: SyncedTill,
) -> None:
    shop, cashier = till.demo.till, till.demo.cashier
    member = enrol(shop, cashier, "81234567")
    a, b = product_in(shop, "Groceries", 0), product_in(shop, "Groceries", 1)
    number = sell(shop, cashier, member, a, b)
    earned = balances(shop)[member.customer_id]
    sale = shop.refunds().lookup(number)
    first, second = sale.lines

    shop.refunds().refund(cashier, number, {first.line_id: D(1)}, reason="damaged")
    after_one = balances(shop)[member.customer_id]
    share = (earned * first.amount / (first.amount + second.amount)).to_integral_value()
    assert earned - after_one >= share - 1  # at least its share, rounded up
    assert 0 <= after_one < earned

    shop.refunds().refund(cashier, number, {second.line_id: D(1)}, reason="wrong size")

    assert balances(shop)[member.customer_id] == 0
    with shop.store.read() as s:
        kinds = Counter(s.scalars(select(LoyaltyEntry.kind)))
    assert kinds == {"earned": 1, "reversed": 2}


def push(engine: Engine, till: SyncedTill, events: list[Event]) -> PushOk:
    report = TillReport(
        app_version="test",
        store_revision="0005",
        backlog=len(events),
        oldest_pending_at=None,
        sent_at=NOW,
    )
    request = PushRequest(protocol=PROTOCOL_VERSION, till=report, events=events)
    result = apply_push(engine, till.auth, request, now=NOW)
    assert isinstance(result, PushOk), result
    return result


def central_balances(engine: Engine, till: SyncedTill) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT customer_id, sum(points) FROM sgpos.loyalty_entry "
                "WHERE till_id = :t GROUP BY customer_id"
            ),
            {"t": till.auth.till_id},
        )
        return {str(customer): int(points) for customer, points in rows}


def ring_member_day(till: SyncedTill, members: list[CustomerCard], rng: random.Random) -> None:
    """Sales to members and to nobody among a simulated day's, and refunds of some."""
    shop, cashier = till.demo.till, till.demo.cashier
    simulate(shop, 6, seed=rng.randrange(1000), cashier=cashier, manager=till.demo.manager)
    numbers = []
    for n in range(8):
        items = [product_in(shop, "Groceries", rng.randrange(8)) for _ in range(rng.randint(1, 3))]
        numbers.append(sell(shop, cashier, members[n % len(members)], *items))
    for number in numbers[::3]:
        line = shop.refunds().lookup(number).lines[0]
        shop.refunds().refund(cashier, number, {line.line_id: D(1)}, reason="changed mind")


def test_a_day_synced_twice_with_lost_acknowledgements_counts_every_point_once(
    engine: Engine, till: SyncedTill
) -> None:
    rng = random.Random(17)
    shop, cashier = till.demo.till, till.demo.cashier
    members = [enrol(shop, cashier, mobile) for mobile in ("90000001", "90000002", "80000003")]
    ring_member_day(till, members, rng)
    morning = till.events()

    first = push(engine, till, morning)  # head office commits; the answer never arrives
    assert {r.outcome for r in first.results} == {EventOutcome.APPLIED}
    ring_member_day(till, members, rng)  # the till trades on, offline, and never heard
    whole_day = till.events()  # so it sends everything again, the morning included

    again = push(engine, till, whole_day)
    lost = push(engine, till, whole_day)  # and once more: that answer was lost too

    outcomes = Counter(r.outcome for r in again.results)
    assert outcomes == {
        EventOutcome.DUPLICATE: len(morning),
        EventOutcome.APPLIED: len(whole_day) - len(morning),
    }
    assert {r.outcome for r in lost.results} == {EventOutcome.DUPLICATE}
    kinds = Counter(e.kind for e in whole_day)
    assert kinds["loyalty.earned"] == 16 and kinds["loyalty.reversed"] >= 1
    ledger = balances(shop)
    assert central_balances(engine, till) == ledger
    assert set(ledger) == {m.customer_id for m in members}
    with engine.connect() as conn:
        entries = conn.execute(
            text("SELECT count(*) FROM sgpos.loyalty_entry WHERE till_id = :t"),
            {"t": till.auth.till_id},
        ).scalar_one()
    assert entries == kinds["loyalty.earned"] + kinds["loyalty.reversed"]


def test_a_points_entry_replayed_under_new_event_keys_adds_nothing(
    engine: Engine, till: SyncedTill
) -> None:
    """As after a restore from backup: the same ledger entry arrives as another event."""
    shop, cashier = till.demo.till, till.demo.cashier
    member = enrol(shop, cashier, "91112222")
    sell(shop, cashier, member, product_in(shop, "Groceries"))
    events = till.events()
    push(engine, till, events)
    earned = next(e for e in events if e.kind == "loyalty.earned")
    last = max(e.seq for e in events)
    replay = earned.model_copy(update={"event_id": uuid.uuid4(), "seq": last + 1})

    (answer,) = push(engine, till, [replay]).results

    assert answer.outcome is EventOutcome.APPLIED  # a new event key...
    assert central_balances(engine, till) == balances(shop)  # ...but not a second entry
