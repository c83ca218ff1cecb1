"""Customers pulled from head office into a real till store (``till.store.master``): found like
the till's own, a bad one refused with nothing written, a member number another customer here
holds skipped without stopping the page, and an erasure of a customer a sale names applied
as an anonymised row."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from shared.protocol import MasterChange, MasterEntity
from shared.tender import Tender, TenderType
from tests.tills import DemoTill, demo_till
from till.store.master import MasterDataError, apply_changes
from till.store.models import Customer, Product
from till.store.uow import UnitOfWork

D = Decimal


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[DemoTill]:
    t = demo_till(tmp_path / "till")
    t.till.shifts.open_shift(t.cashier, D("100.00"))
    yield t
    t.till.close()


def customer(**extra: Any) -> dict[str, Any]:
    return {
        "customer_id": str(uuid.uuid4()),
        "name": "Goh Siew Lan",
        "phone": "+6598765432",
        "member_no": "M-ORC-T02-00007",
        "consent_contact": True,
        "consent_marketing": False,
        "consent_at": "2026-12-01T02:00:00Z",
        "consent_purpose": "membership",
        **extra,
    }


def upsert(data: dict[str, Any]) -> MasterChange:
    return MasterChange(
        entity=MasterEntity.CUSTOMER, key=data["customer_id"], op="upsert", data=data
    )


def apply(shop: DemoTill, *changes: MasterChange) -> None:
    with UnitOfWork(shop.till.store) as uow:
        apply_changes(uow.session, list(changes))
        uow.commit()


def test_a_pulled_member_is_found_by_mobile_number_and_name_and_sold_to(shop: DemoTill) -> None:
    data = customer(company_name="Goh Trading Pte Ltd", address_lines=["1 Jurong West"])
    apply(shop, upsert(data))
    customers = shop.till.customers()
    [card] = customers.find("9876 5432")
    assert card.customer_id == data["customer_id"] and card.is_business
    assert customers.find("M-ORC-T02-00007") == [card]
    assert customers.find("siew") == [card]

    checkout = shop.till.checkout(shop.cashier)
    with shop.till.store.read() as s:
        sku = s.scalars(select(Product.sku).where(~Product.weighed).order_by(Product.sku)).first()
    assert sku is not None
    [snapshot] = [p for p in shop.till.catalogue.search(sku, limit=5) if p.sku == sku]
    checkout.add(snapshot)
    checkout.attach_customer(card)
    checkout.complete([Tender(TenderType.CARD, checkout.totals().total, reference="A1")])

    # Erased at head office: the sale still names the row, so it stays with nothing personal.
    apply(
        shop,
        MasterChange(entity=MasterEntity.CUSTOMER, key=card.customer_id, op="delete", data=None),
    )
    assert customers.find("9876 5432") == [] and customers.find("siew") == []
    with shop.till.store.read() as s:
        row = s.get(Customer, card.customer_id)
        assert row is not None
        assert (row.name, row.phone, row.member_no, row.company_name) == (None,) * 4


def test_a_bad_customer_refuses_the_page_and_nothing_of_it_is_written(shop: DemoTill) -> None:
    good = customer()
    bad = customer(member_no=None, phone=None, name="S1234567D")  # an NRIC, never kept
    with pytest.raises(MasterDataError, match="customer") as refused:
        apply(shop, upsert(good), upsert(bad))
    assert refused.value.key == bad["customer_id"]
    with shop.till.store.read() as s:
        assert s.scalars(select(Customer)).all() == []


def test_a_member_number_held_here_by_another_customer_is_skipped_not_fatal(
    shop: DemoTill,
) -> None:
    mine = customer(member_no="M-ORC-T02-00001", phone="+6591110000")
    apply(shop, upsert(mine))
    clash = customer(member_no="M-ORC-T02-00001", phone="+6591112222")
    other = customer(member_no="M-ORC-T02-00002", phone="+6591113333")

    apply(shop, upsert(clash), upsert(other))

    customers = shop.till.customers()
    assert customers.find("91112222") == []
    assert [c.customer_id for c in customers.find("M-ORC-T02-00001")] == [mine["customer_id"]]
    assert [c.customer_id for c in customers.find("91113333")] == [other["customer_id"]]
