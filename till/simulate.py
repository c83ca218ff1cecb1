"""Ring realistic random sales through the same services the cashier's screens use.

Used by the demo, the benchmarks and the end-to-end tests. Deterministic for a seed, apart
from the ids and clock times the services mint.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from shared.cart import ApprovalNeeded, Discount, ProductSnapshot
from shared.money import ZERO
from shared.tender import Tender, TenderType
from till.app import Till
from till.services.checkout import CompletedSale
from till.services.staff import SignedIn
from till.store.models import Product
from till.store.outbox import backlog

NOTES = (Decimal(5), Decimal(10), Decimal(50), Decimal(100))


@dataclass
class Summary:
    sales: int = 0
    refunds: int = 0
    total: Decimal = ZERO  # takings incl. GST and rounding, less refunds
    gst: Decimal = ZERO
    tenders: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    outbox_pending: int = 0
    last_receipt: CompletedSale | None = None

    def render(self) -> str:
        lines = [
            f"sales:          {self.sales}",
            f"refunds:        {self.refunds}",
            f"net takings:    ${self.total:.2f}",
            f"GST included:   ${self.gst:.2f}",
        ]
        lines += [f"  {kind:<12}  ${amount:.2f}" for kind, amount in sorted(self.tenders.items())]
        lines.append(f"outbox pending: {self.outbox_pending} events")
        return "\n".join(lines)


def _products(till: Till) -> list[ProductSnapshot]:
    with till.store.read() as s:
        ids = s.scalars(select(Product.product_id).where(Product.active)).all()
    found = [till.catalogue.by_id(i) for i in ids]
    return [p for p in found if p is not None]


def _cash_tendered(due: Decimal, rng: random.Random) -> Decimal:
    return due if rng.random() < 0.3 else _note_above(due)  # exact money, or a note


def _note_above(due: Decimal) -> Decimal:
    for note in NOTES:
        if note >= due:
            return note
    return (due / 50).to_integral_value(rounding="ROUND_CEILING") * 50


def _tenders(
    due: Decimal, cash_due: Decimal, rng: random.Random, ref: str, by: str
) -> list[Tender]:
    roll = rng.random()
    if roll < 0.5:
        return [Tender(TenderType.CASH, _cash_tendered(cash_due, rng))]
    if roll < 0.7:
        last4 = f"{rng.randrange(10_000):04d}"
        return [
            Tender(TenderType.CARD, due, reference=f"A{rng.randrange(10**6):06d}", card_last4=last4)
        ]
    if roll < 0.85:
        return [Tender(TenderType.NETS, due, reference=f"N{rng.randrange(10**6):06d}")]
    if roll < 0.95 or due < Decimal(2):
        return [Tender(TenderType.PAYNOW, due, reference=ref, confirmed_by=by)]
    part = (due / 2).quantize(Decimal("0.01"))
    return [
        Tender(TenderType.PAYNOW, part, reference=ref, confirmed_by=by),
        # A note at least 5 cents above the rest covers it whichever way cash is rounded.
        Tender(TenderType.CASH, _note_above(due - part + Decimal("0.05"))),
    ]


def simulate(till: Till, sales: int, *, seed: int, cashier: SignedIn, manager: SignedIn) -> Summary:
    """Ring ``sales`` sales (and a few refunds) into ``till`` and summarise them."""
    rng = random.Random(seed)
    products = _products(till)
    if not products:
        raise RuntimeError("the till has no products: load a catalogue first")
    if till.shifts.current() is None:
        till.shifts.open_shift(cashier, Decimal("200.00"))
    checkout = till.checkout(cashier)
    refunds = till.refunds()
    summary = Summary()
    for _ in range(sales):
        for _ in range(rng.choice((1, 1, 2, 3, 4, 6, 9))):
            product = rng.choice(products)
            qty = (
                Decimal(rng.randrange(150, 1500)) / 1000
                if product.weighed
                else Decimal(rng.choice((1, 1, 1, 2, 3)))
            )
            checkout.add(product, qty)
        if rng.random() < 0.08:
            line = checkout.cart.lines[0]
            discount = Discount(percent=Decimal(20 if rng.random() < 0.25 else 5))
            try:
                checkout.discount_line(line.line_id, discount)
            except ApprovalNeeded:
                # Over the outlet's limit (5% rounded up to the cent can be): ask the manager.
                checkout.discount_line(line.line_id, discount, approved_by=manager)
        due = checkout.totals().total
        if due <= 0:
            checkout.clear()
            continue
        ref = str(checkout.next_receipt_number())
        done = checkout.complete(_tenders(due, checkout.cash_due(), rng, ref, cashier.staff_id))
        summary.sales += 1
        summary.total += done.settlement.amount_due
        summary.gst += done.totals.gst_total
        for t in done.receipt.tenders:
            summary.tenders[t.label] += t.amount
        summary.tenders["Cash"] -= done.settlement.change
        summary.last_receipt = done
        if rng.random() < 0.03:
            line = done.totals.lines[0].line
            refund = refunds.refund(
                cashier,
                done.receipt_no,
                {line.line_id: line.quantity},
                reason="customer changed mind",
            )
            summary.refunds += 1
            summary.total -= refund.total
            summary.gst -= refund.receipt.gst_total
            summary.tenders["Cash"] -= refund.total
    with till.store.read() as s:
        summary.outbox_pending = backlog(s).pending
    return summary
