"""Members spending points on a real till store and a real PostgreSQL head office: within the
cap and the balance, given back by a refund, the balance a till shows while offline, two
offline tills spending the same points (flagged at head office, bounded, never a silent
negative), a day with redemptions synced again after lost acknowledgements, and expiry."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text

from shared.gst import SINGAPORE
from shared.protocol import EventOutcome, MasterChange, MasterEntity
from shared.tender import Tender, TenderType
from sync_service.central.migrate import upgrade_central
from sync_service.central.points import expire_points, member_points
from sync_service.central.pull import pull_page
from sync_service.central.reports.common import Period, Scope
from sync_service.central.reports.journal import sales_journal
from tests.central import SyncedTill, add_outlet, enrolled_till
from tests.integration.test_loyalty import balances, enrol, push, ring_member_day
from till.app import Till
from till.services.checkout import Checkout, CompletedSale
from till.services.context import CashierError
from till.services.customers import CustomerCard
from till.services.staff import SignedIn
from till.store.master import apply_changes
from till.store.models import LoyaltyEntry, MemberPoints, Payment, Product
from till.store.uow import UnitOfWork

D = Decimal
pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def engine(pg_url: str) -> Iterator[Engine]:
    upgrade_central(pg_url)
    eng = create_engine(pg_url)
    yield eng
    eng.dispose()


@pytest.fixture
def tills(engine: Engine, tmp_path: Path) -> Iterator[tuple[SyncedTill, SyncedTill]]:
    outlet = add_outlet(engine)
    pair = (
        enrolled_till(engine, tmp_path / "t01", outlet, "T01"),
        enrolled_till(engine, tmp_path / "t02", outlet, "T02"),
    )
    for t in pair:
        t.demo.till.shifts.open_shift(t.demo.cashier, D("200.00"))
    yield pair
    for t in pair:
        t.demo.till.close()


def expensive(till: Till, n: int = 0) -> Product:
    with till.store.read() as s:
        found = s.scalars(
            select(Product)
            .where(~Product.weighed, Product.tax_code == "SR", Product.price >= D("20.00"))
            .order_by(Product.sku)
            .offset(n)
        ).first()
    assert found is not None
    return found


def checkout_for(
    till: Till, cashier: SignedIn, member: CustomerCard, *products: Product
) -> Checkout:
    checkout = till.checkout(cashier)
    for product in products:
        [snapshot] = [
            p for p in till.catalogue.search(product.sku, limit=5) if p.sku == product.sku
        ]
        checkout.add(snapshot)
    checkout.attach_customer(member)
    return checkout


def pay_with_points(checkout: Checkout, points: int) -> CompletedSale:
    worth = D(points) / 100  # the demo scheme: a point pays a cent
    rest = checkout.totals().total - worth
    tenders = [Tender(TenderType.POINTS, worth, f"{points} points")]
    if rest > 0:
        tenders.append(Tender(TenderType.CARD, rest, reference="APPR01"))
    return checkout.complete(tenders)


def earn(till: SyncedTill, member: CustomerCard, dollars_at_least: Decimal) -> int:
    shop, cashier = till.demo.till, till.demo.cashier
    n = 0
    while balances(shop).get(member.customer_id, 0) < dollars_at_least:
        checkout = checkout_for(shop, cashier, member, expensive(shop, n % 5))
        checkout.complete([Tender(TenderType.CARD, checkout.totals().total, reference="A1")])
        n += 1
    return balances(shop)[member.customer_id]


def told_by_head_office(engine: Engine, till: SyncedTill) -> None:
    """What the till's sync does after a pull: keep head office's word on its members."""
    with UnitOfWork(till.demo.till.store) as uow:
        members = uow.points.members()
    answer = member_points(engine, till.auth, [uuid.UUID(m) for m in members], datetime.now(UTC))
    with UnitOfWork(till.demo.till.store) as uow:
        uow.points.remember(
            [
                MemberPoints(
                    customer_id=str(m.customer_id),
                    elsewhere=m.elsewhere,
                    tier=m.tier,
                    as_of=answer.as_of,
                )
                for m in answer.members
            ]
        )
        uow.commit()


def pull_customers(engine: Engine, till: SyncedTill) -> None:
    """What the till's pull does with customers (``with=customer``): head office's copies of
    the outlet's members, from the start of the change log, applied as the agent applies them."""
    cursor, more = "0", True
    changes: list[MasterChange] = []
    while more:
        page = pull_page(engine, till.auth, cursor, 5000, frozenset({MasterEntity.CUSTOMER}))
        changes += [c for c in page.changes if c.entity == MasterEntity.CUSTOMER]
        cursor, more = page.next_cursor, page.has_more
    with UnitOfWork(till.demo.till.store) as uow:
        apply_changes(uow.session, changes)
        uow.commit()


def central_points(engine: Engine, customer: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT coalesce(sum(points), 0) FROM sgpos.loyalty_entry "
                    "WHERE customer_id = :c"
                ),
                {"c": customer},
            ).scalar_one()
        )


def test_points_pay_within_the_cap_and_the_balance_and_a_refund_gives_them_back(
    engine: Engine, tills: tuple[SyncedTill, SyncedTill]
) -> None:
    till = tills[0]
    shop, cashier = till.demo.till, till.demo.cashier
    member = enrol(shop, cashier, "91230001")
    have = earn(till, member, D(150))
    checkout = checkout_for(shop, cashier, member, expensive(shop), expensive(shop, 1))
    total = checkout.totals().total
    offer = checkout.points()
    assert offer is not None and offer.balance.points == have
    # The demo cap: half the sale, at most 5,000 points; never more than the balance.
    assert offer.most == min(have, int(total * 50), 5000)

    with pytest.raises(CashierError, match="at most"):
        pay_with_points(checkout, offer.most + 1)
    sale = pay_with_points(checkout, offer.most)

    after = shop.customers().points(member.customer_id)
    earned = balances(shop)[member.customer_id] - have + offer.most
    assert after == have - offer.most + earned
    with shop.store.read() as s:
        paid = s.scalars(select(Payment).where(Payment.type == "points")).one()
        spent = s.scalars(select(LoyaltyEntry).where(LoyaltyEntry.kind == "redeemed")).one()
    assert paid.amount == D(offer.most) / 100 and spent.points == -offer.most

    lines = shop.refunds().lookup(sale.receipt_no).lines
    shop.refunds().refund(cashier, sale.receipt_no, {lines[0].line_id: D(1)}, reason="damaged")
    shop.refunds().refund(cashier, sale.receipt_no, {lines[1].line_id: D(1)}, reason="damaged")

    with shop.store.read() as s:
        back = s.scalars(select(LoyaltyEntry).where(LoyaltyEntry.kind == "returned")).all()
        refund_points = s.scalars(
            select(Payment.amount).where(Payment.type == "points", Payment.refund_id.is_not(None))
        ).all()
    # Everything refunded: every point spent comes back, in two parts, and their money value.
    assert sum(e.points for e in back) == offer.most
    assert sum(refund_points) == D(offer.most) / 100
    assert shop.customers().points(member.customer_id) == have

    results = push(engine, till, till.events()).results
    assert {r.outcome for r in results} == {EventOutcome.APPLIED}, [r.reason for r in results]
    assert central_points(engine, member.customer_id) == balances(shop)[member.customer_id]
    # Head office's journal books the points apart from money, and still balances.
    today = datetime.now(SINGAPORE).date()
    with engine.connect() as conn:
        journal = sales_journal(
            conn,
            Scope.everything(),
            Period(today - timedelta(1), today + timedelta(1)),
            till.auth.outlet_id,
        )
    postings = [line for day in journal.days for line in day.lines]
    redeemed = [x for x in postings if x.account == "Loyalty points redeemed"]
    assert sum((x.debit - x.credit for x in redeemed), D(0)) == 0  # all of it refunded
    assert journal.debits == journal.credits
    with engine.connect() as conn:
        taken, back = conn.execute(
            text(
                "SELECT sum(sales_amount), sum(refund_amount) FROM sgpos.sales_by_tender "
                "WHERE outlet_id = :o AND tender_type = 'points'"
            ),
            {"o": till.auth.outlet_id},
        ).one()
    assert taken == back == D(offer.most) / 100


def test_two_offline_tills_spending_the_same_points_end_flagged_and_bounded(
    engine: Engine, tills: tuple[SyncedTill, SyncedTill]
) -> None:
    one, two = tills
    member = enrol(one.demo.till, one.demo.cashier, "91230002")
    have = earn(one, member, D(120))
    push(engine, one, one.events())
    pull_customers(engine, two)  # the member, as the other till's pull brings them
    told_by_head_office(engine, two)
    told_by_head_office(engine, one)
    assert two.demo.till.customers().points(member.customer_id) == have  # from head office
    assert one.demo.till.customers().points(member.customer_id) == have  # its own ledger

    # Both go offline and each spends every point it believes the member has.
    spent = {}
    for till in (one, two):
        checkout = checkout_for(
            till.demo.till,
            till.demo.cashier,
            member,
            expensive(till.demo.till, 3),
            expensive(till.demo.till, 4),
        )
        offer = checkout.points()
        assert offer is not None
        spent[till.auth.till_code] = offer.most
        pay_with_points(checkout, offer.most)
        # Offline, this till's own redemption is taken off at once; never shown below zero.
        left = till.demo.till.customers().points(member.customer_id)
        assert 0 <= left < have
    assert spent["T01"] == spent["T02"] == have  # the cap did not bind: the worst case

    for till in (one, two):
        results = push(engine, till, till.events()).results
        assert EventOutcome.QUARANTINED not in {r.outcome for r in results}

    with engine.connect() as conn:
        flags = conn.execute(
            text(
                "SELECT till_id, short, balance_after FROM sgpos.points_overdrawn "
                "WHERE customer_id = :c"
            ),
            {"c": member.customer_id},
        ).all()
    balance = central_points(engine, member.customer_id)
    # One flag, on the redemption that arrived second, for exactly the points spent twice: at
    # most one till's spending, never a silent negative.
    assert len(flags) == 1
    (till_id, short, balance_after) = flags[0]
    assert till_id == two.auth.till_id
    earned_meanwhile = balance + have  # both sales earned points too
    assert 0 < short <= spent["T02"]
    assert balance_after < 0 and short == -balance_after
    assert balance == balance_after or balance > balance_after  # later entries may repay it
    assert earned_meanwhile >= 0

    # Pushed again (answers lost): nothing more is flagged or spent.
    for till in (one, two):
        push(engine, till, till.events())
    with engine.connect() as conn:
        again = conn.execute(
            text("SELECT count(*) FROM sgpos.points_overdrawn WHERE customer_id = :c"),
            {"c": member.customer_id},
        ).scalar_one()
    assert again == 1 and central_points(engine, member.customer_id) == balance

    # Back online: both tills show head office's balance, below zero shown as 0 here.
    for till in (one, two):
        told_by_head_office(engine, till)
        assert till.demo.till.customers().points(member.customer_id) == max(0, balance)


def test_a_day_with_redemptions_synced_twice_with_lost_acknowledgements_gives_the_same_balances(
    engine: Engine, tills: tuple[SyncedTill, SyncedTill]
) -> None:
    till = tills[0]
    shop, cashier = till.demo.till, till.demo.cashier
    rng = random.Random(29)
    members = [enrol(shop, cashier, mobile) for mobile in ("91230003", "81230004")]
    for member in members:
        earn(till, member, D(60))
    ring_member_day(till, members, rng)
    for member in members:
        checkout = checkout_for(shop, cashier, member, expensive(shop, 2))
        offer = checkout.points()
        assert offer is not None and offer.most > 0
        pay_with_points(checkout, offer.most // 2)
    morning = till.events()
    push(engine, till, morning)  # the answer is lost
    ring_member_day(till, members, rng)
    sale = None
    for member in members:
        checkout = checkout_for(shop, cashier, member, expensive(shop, 1))
        sale = pay_with_points(checkout, 100)
    assert sale is not None
    line = shop.refunds().lookup(sale.receipt_no).lines[0]
    shop.refunds().refund(cashier, sale.receipt_no, {line.line_id: D(1)}, reason="changed mind")
    whole_day = till.events()

    again = push(engine, till, whole_day)
    lost = push(engine, till, whole_day)

    assert Counter(r.outcome for r in again.results) == {
        EventOutcome.DUPLICATE: len(morning),
        EventOutcome.APPLIED: len(whole_day) - len(morning),
    }
    assert {r.outcome for r in lost.results} == {EventOutcome.DUPLICATE}
    kinds = Counter(e.kind for e in whole_day)
    assert kinds["loyalty.redeemed"] == 4 and kinds["loyalty.returned"] == 1
    ledger = balances(shop)
    for member in members:
        assert central_points(engine, member.customer_id) == ledger[member.customer_id]
    with engine.connect() as conn:
        flagged = conn.execute(
            text("SELECT count(*) FROM sgpos.points_overdrawn WHERE till_id = :t"),
            {"t": till.auth.till_id},
        ).scalar_one()
    assert flagged == 0


def test_points_expire_first_in_first_out_once_a_day_and_show_in_the_ledger(
    engine: Engine, tills: tuple[SyncedTill, SyncedTill]
) -> None:
    till = tills[0]
    shop, cashier = till.demo.till, till.demo.cashier
    member = enrol(shop, cashier, "91230005")
    have = earn(till, member, D(80))
    checkout = checkout_for(shop, cashier, member, expensive(shop))
    pay_with_points(checkout, 30)
    push(engine, till, till.events())
    before = central_points(engine, member.customer_id)
    assert before > 0

    # Two years on, every earning has lapsed: what is left of them expires, nothing more.
    now = datetime.now(UTC)
    later = now.date() + timedelta(days=730)
    assert expire_points(engine, later, now) >= 1
    assert expire_points(engine, later, now) == 0  # the same day again adds nothing
    assert central_points(engine, member.customer_id) == 0
    with engine.connect() as conn:
        expired = conn.execute(
            text(
                "SELECT points, till_id, sale_id FROM sgpos.loyalty_entry "
                "WHERE customer_id = :c AND kind = 'expired'"
            ),
            {"c": member.customer_id},
        ).all()
    assert [(p, t, s) for p, t, s in expired] == [(-before, None, None)]
    assert have > 0

    told_by_head_office(engine, till)  # the till hears of the expiry with the balances
    assert shop.customers().points(member.customer_id) == 0
