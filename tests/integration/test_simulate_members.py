"""``sgpos-till simulate --members``: members earning points, CDC vouchers and a business
customer's full tax invoice, through the same services as the screens."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import uuid
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import func, select

from shared.protocol import MasterChange, MasterEntity
from tests.tills import demo_till
from till.simulate import simulate
from till.store.master import apply_changes
from till.store.models import Customer, LoyaltyEntry, OutboxEvent, Payment, Sale
from till.store.uow import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]


def test_a_simulated_day_with_members_earns_and_spends_points_the_ledger_holds(
    tmp_path: Path,
) -> None:
    shop = demo_till(tmp_path / "till")
    try:
        summary = simulate(
            shop.till, 60, seed=5, cashier=shop.cashier, manager=shop.manager, members=4
        )
        with shop.till.store.read() as s:
            customers = s.scalar(select(func.count()).select_from(Customer))
            to_members = s.scalar(select(func.count()).where(Sale.customer_id.is_not(None)))
            ledger = s.scalar(select(func.sum(LoyaltyEntry.points)))
            vouchers = list(s.scalars(select(Payment.reference).where(Payment.type == "voucher")))
            spent = -(
                s.scalar(
                    select(func.sum(LoyaltyEntry.points)).where(LoyaltyEntry.kind == "redeemed")
                )
                or 0
            )
            redeemed_events = list(
                s.scalars(select(OutboxEvent.payload).where(OutboxEvent.kind == "loyalty.redeemed"))
            )
            sale_events = [
                json.loads(p)
                for p in s.scalars(
                    select(OutboxEvent.payload).where(OutboxEvent.kind == "sale.completed")
                )
            ]
    finally:
        shop.till.close()
    assert summary.members == customers == 4
    assert summary.member_sales == to_members == 20  # every third of 60 sales
    assert summary.points == ledger and ledger > 0
    assert vouchers and all((ref or "").startswith("CDC-") for ref in vouchers)
    assert sum(1 for e in sale_events if e["customer_id"]) == 20
    assert summary.business_receipt is not None
    # Members also spend points: each redemption a ledger entry and an event.
    assert summary.points_spent == spent > 0
    assert len(redeemed_events) >= 1


def test_without_members_the_simulator_rings_exactly_what_it_always_did(tmp_path: Path) -> None:
    one, two = demo_till(tmp_path / "one"), demo_till(tmp_path / "two")
    try:
        plain = simulate(one.till, 25, seed=9, cashier=one.cashier, manager=one.manager)
        with_members = simulate(
            two.till, 25, seed=9, cashier=two.cashier, manager=two.manager, members=0
        )
        with one.till.store.read() as s:
            kinds = set(s.scalars(select(OutboxEvent.kind)))
    finally:
        one.till.close()
        two.till.close()
    assert (plain.sales, plain.total, plain.gst) == (
        with_members.sales,
        with_members.total,
        with_members.gst,
    )
    assert not kinds & {"customer.upserted", "loyalty.earned"}


def test_the_command_saves_the_business_customers_tax_invoice_as_a4_pdf(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "till.cli",
            "simulate",
            "--data-dir",
            str(tmp_path / "t"),
            "--sales",
            "12",
            "--members",
            "2",
            "--products",
            "60",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("tax invoice PDF: "))
    pdf = Path(line.removeprefix("tax invoice PDF: "))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "TAX INVOICE" in text and "Trading Co 1 Pte Ltd" in text and "UEN 201912345K" in text


def test_a_member_the_till_already_holds_from_head_office_is_served_not_enrolled_again(
    tmp_path: Path,
) -> None:
    # The same seed run at another till of the outlet enrolled its second member there; this
    # till's pull brought them down (with=customer).
    shop = demo_till(tmp_path / "till")
    pulled = {
        "customer_id": str(uuid.uuid4()),
        "name": "Member 5-2",
        "phone": "+6583595001",  # seed 5's second mobile
        "member_no": "M-ORC-T09-00002",
        "consent_contact": True,
        "consent_marketing": True,
    }
    try:
        with UnitOfWork(shop.till.store) as uow:
            change = MasterChange(
                entity=MasterEntity.CUSTOMER, key=pulled["customer_id"], op="upsert", data=pulled
            )
            apply_changes(uow.session, [change])
            uow.commit()
        summary = simulate(
            shop.till, 12, seed=5, cashier=shop.cashier, manager=shop.manager, members=3
        )
        with shop.till.store.read() as s:
            customers = s.scalar(select(func.count()).select_from(Customer))
            enrolled = s.scalar(select(func.count()).where(OutboxEvent.kind == "customer.upserted"))
    finally:
        shop.till.close()
    assert summary.members == customers == 3
    assert enrolled == 2
