"""Members at every till of the outlet, over the real server and PostgreSQL: a member enrolled
at T01 is pulled down to T02 of the same shop, found there by mobile and sold to, with the
points T01 gave them; a till of another outlet never receives them; an edit T02 has not yet
pushed is not overwritten by head office's older copy; and an erasure at head office takes
them off the tills at their next pull."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from shared.tender import Tender, TenderType
from sync_service.central.admin.customers import anonymise_customer
from sync_service.central.db import central_engine
from sync_service.central.migrate import upgrade_central
from sync_service.central.reports.common import Scope
from sync_service.central.seed import seed_demo
from tests.e2e.central_process import central_server
from tests.e2e.support_tills import AgentTill, _sign_in, enrolled_agent_till
from till.app import Till
from till.services.customers import CustomerCard, NewMember
from till.store.models import Customer, LoyaltyEntry, OutboxEvent, Product
from till.sync.agent import SyncAgent
from till.sync.settings import AgentSettings

pytestmark = pytest.mark.postgres
D = Decimal


@pytest.fixture(scope="module")
def head_office(pg_url: str) -> Iterator[tuple[Engine, str]]:
    upgrade_central(pg_url)
    engine = central_engine(pg_url, pool_size=2)
    seed_demo(engine, products=200)
    try:
        with central_server(pg_url) as url:
            yield engine, url
    finally:
        engine.dispose()


@pytest.fixture
def shop(tmp_path: Path, head_office: tuple[Engine, str]) -> tuple[AgentTill, AgentTill, AgentTill]:
    """T01 and T02 of Orchard, and a till of Toa Payoh (another outlet of the company)."""
    engine, url = head_office
    return (
        enrolled_agent_till(engine, url, tmp_path / "t01"),
        enrolled_agent_till(engine, url, tmp_path / "t02"),
        enrolled_agent_till(engine, url, tmp_path / "tpy", outlet_code="TPY"),
    )


def sync(till: AgentTill) -> None:
    with SyncAgent(till.data_dir, AgentSettings.load()) as agent:
        assert asyncio.run(agent.sync_once()), agent.last_problem


def pull_only(till: AgentTill) -> None:
    with SyncAgent(till.data_dir, AgentSettings.load()) as agent:
        asyncio.run(agent.pull_once())


def a_mobile() -> str:
    return "9" + "".join(secrets.choice("0123456789") for _ in range(7))


def enrol_at(till: AgentTill, mobile: str, **extra: object) -> CustomerCard:
    with till.opened() as opened:
        cashier = _sign_in(opened, "cashier")
        new = NewMember(name=f"Member {mobile}", mobile=mobile, consent_contact=True, **extra)  # type: ignore[arg-type]
        return opened.customers().enrol(new, cashier)


def sell_to(opened: Till, member: CustomerCard) -> str:
    cashier = _sign_in(opened, "cashier")
    if opened.shifts.current() is None:
        opened.shifts.open_shift(cashier, D("100.00"))
    with opened.store.read() as s:
        sku = s.scalars(
            select(Product.sku)
            .where(~Product.weighed, Product.active, Product.tax_code == "SR")
            .where(Product.price >= D("10.00"))
            .order_by(Product.sku)
        ).first()
    assert sku is not None
    checkout = opened.checkout(cashier)
    [snapshot] = [p for p in opened.catalogue.search(sku, limit=5) if p.sku == sku]
    checkout.add(snapshot)
    checkout.attach_customer(member)
    paid = Tender(TenderType.CARD, checkout.totals().total, reference="APPR01")
    return checkout.complete([paid]).receipt_no


def held(till: AgentTill, customer_id: str) -> Customer | None:
    with till.store() as store, store.read() as s:
        row = s.get(Customer, customer_id)
        if row is not None:
            s.expunge(row)
        return row


def test_a_member_enrolled_at_one_till_is_found_and_served_at_the_other_and_nowhere_else(
    head_office: tuple[Engine, str], shop: tuple[AgentTill, AgentTill, AgentTill]
) -> None:
    engine, _ = head_office
    t01, t02, tpy = shop
    mobile = a_mobile()
    member = enrol_at(t01, mobile)
    with t01.opened() as opened:
        sell_to(opened, member)  # earns points at T01
    sync(t01)
    with t01.store() as store, store.read() as s:
        earned = sum(s.scalars(select(LoyaltyEntry.points)).all())
    assert earned > 0

    sync(t02)
    sync(tpy)
    with t02.opened() as opened:
        customers = opened.customers()
        [found] = customers.find(mobile)
        assert found.customer_id == member.customer_id
        assert found.member_no == member.member_no
        assert customers.find(member.member_no or "") == [found]
        assert [c.customer_id for c in customers.find(f"Member {mobile}")] == [member.customer_id]
        # The points T01 gave them, as head office told T02 (/v1/points).
        assert customers.points(member.customer_id) == earned
        receipt = sell_to(opened, found)
    sync(t02)
    with engine.connect() as conn:
        sold_to = conn.execute(
            text("SELECT customer_id::text FROM sgpos.sale WHERE receipt_no = :r"),
            {"r": receipt},
        ).scalar_one()
    assert sold_to == member.customer_id

    # Head office got it back from T02's sale, but T01 holds one copy, not two.
    sync(t01)
    with t01.opened() as opened:
        assert [c.customer_id for c in opened.customers().find(mobile)] == [member.customer_id]

    # Toa Payoh's till never hears of the member: not even their id.
    assert held(tpy, member.customer_id) is None
    with tpy.opened() as opened:
        assert opened.customers().find(mobile) == []
    assert held(t02, member.customer_id) is not None


def test_an_erased_member_disappears_from_the_tills_at_their_next_pull(
    head_office: tuple[Engine, str], shop: tuple[AgentTill, AgentTill, AgentTill]
) -> None:
    engine, _ = head_office
    t01, t02, _ = shop
    mobile = a_mobile()
    member = enrol_at(
        t01,
        mobile,
        company_name="Erase Me Pte Ltd",
        address_lines=("1 Orchard Road", "Singapore 238823"),
        uen="201912345K",
    )
    sync(t01)
    sync(t02)
    with t02.opened() as opened:
        [found] = opened.customers().find(mobile)
        assert found.company_name == "Erase Me Pte Ltd" and found.uen == "201912345K"
        sell_to(opened, found)  # T02's sale keeps naming them after the erasure
    sync(t02)

    anonymise_customer(
        engine, "admin@example.com", Scope.everything(), uuid.UUID(found.customer_id)
    )
    sync(t01)
    sync(t02)
    for till in (t01, t02):
        with till.opened() as opened:
            customers = opened.customers()
            assert customers.find(mobile) == []
            assert customers.find(member.member_no or "") == []
            assert customers.find("Erase Me") == []
    # T01 held only the customer: gone. T02's sale names them: kept, with nothing personal.
    assert held(t01, member.customer_id) is None
    left = held(t02, member.customer_id)
    assert left is not None
    assert (left.name, left.phone, left.member_no, left.company_name, left.uen) == (None,) * 5
    assert left.address_lines is None and not left.consent_contact


def test_an_edit_not_yet_pushed_is_not_overwritten_by_head_offices_older_copy(
    head_office: tuple[Engine, str], shop: tuple[AgentTill, AgentTill, AgentTill]
) -> None:
    t01, t02, _ = shop
    mobile = a_mobile()
    member = enrol_at(t01, mobile, email="member@example.com")
    sync(t01)
    sync(t02)
    with t02.opened() as opened:
        manager = _sign_in(opened, "manager")
        opened.customers().withdraw_consent(member.customer_id, manager)

    # T02 pulls before its withdrawal reaches head office: the mobile must not come back.
    with t02.store() as store, store.read() as s:
        pending = s.scalars(
            select(OutboxEvent).where(OutboxEvent.kind == "customer.upserted")
        ).all()
    assert pending
    with head_office[0].begin() as conn:  # a change at head office T02 must pull
        conn.execute(
            text("UPDATE sgpos.customer SET updated_at = now() WHERE customer_id = :c"),
            {"c": member.customer_id},
        )
    pull_only(t02)
    row = held(t02, member.customer_id)
    assert row is not None and row.phone is None and row.withdrawn_at is not None

    # Once pushed, head office has the withdrawal and T01 takes it: no mobile, no e-mail.
    # T02's copy came from the pull, so its event keeps the consent record head office had.
    sync(t02)
    with head_office[0].connect() as conn:
        kept = conn.execute(
            text(
                "SELECT phone, email, consent_at IS NOT NULL, consent_purpose, withdrawn_at "
                "FROM sgpos.customer WHERE customer_id = :c"
            ),
            {"c": member.customer_id},
        ).one()
    assert kept[:3] == (None, None, True) and kept.consent_purpose and kept.withdrawn_at
    sync(t01)
    for till in (t01, t02):
        row = held(till, member.customer_id)
        assert row is not None
        assert (row.phone, row.email, row.consent_contact) == (None, None, False)
        assert row.withdrawn_at is not None and row.member_no == member.member_no
        with till.opened() as opened:
            assert opened.customers().find(mobile) == []
