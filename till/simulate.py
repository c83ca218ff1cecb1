"""Ring realistic random sales through the same services the cashier's screens use.

Used by the demo, the benchmarks and the end-to-end tests. Deterministic for a seed, apart
from the ids and clock times the services mint.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from shared.cart import ApprovalNeeded, Discount, ProductSnapshot
from shared.gift_vouchers import serial_of
from shared.loyalty import points_value
from shared.money import ZERO, round_cents
from shared.tender import Tender, TenderType
from till.app import Till
from till.services.checkout import Checkout, CompletedSale
from till.services.customers import CustomerCard, NewMember
from till.services.staff import SignedIn
from till.services.stock import MAX_LINES, StockLine, StockService
from till.store.models import GiftVoucherUse, Product, ProductVariant, VoucherBatch
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
    members: int = 0  # enrolled by this run
    member_sales: int = 0
    points: int = 0  # the members' balances at the end of this run
    points_spent: int = 0  # redeemed by this run's member sales
    business_receipt: str | None = None  # the last sale made out to a business customer
    # Stock documents of the day (``stock=True``): deliveries, adjustments, transfers.
    documents: list[str] = field(default_factory=list)
    # Gift vouchers (``gift_vouchers``): sold, each a sale of its own, and spent later.
    vouchers_sold: int = 0
    vouchers_redeemed: int = 0

    def render(self) -> str:
        lines = [
            f"sales:          {self.sales}",
            f"refunds:        {self.refunds}",
            f"net takings:    ${self.total:.2f}",
            f"GST included:   ${self.gst:.2f}",
        ]
        lines += [f"  {kind:<12}  ${amount:.2f}" for kind, amount in sorted(self.tenders.items())]
        if self.vouchers_sold or self.vouchers_redeemed:
            lines.append(
                f"gift vouchers:  {self.vouchers_sold} sold, {self.vouchers_redeemed} spent"
            )
        if self.members:
            lines.append(f"members:        {self.members} ({self.member_sales} sales to them)")
            lines.append(f"points:         {self.points} net, {self.points_spent} spent")
        if self.business_receipt:
            lines.append(f"tax invoice:    {self.business_receipt} (business customer)")
        if self.documents:
            kinds = Counter(number.split("-", 1)[0] for number in self.documents)
            lines.append(
                "stock documents: " + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
            )
        lines.append(f"outbox pending: {self.outbox_pending} events")
        return "\n".join(lines)


def _products(till: Till) -> tuple[list[ProductSnapshot], list[ProductSnapshot]]:
    """Plain products, and the families' variants and packs (docs/variants.md)."""
    with till.store.read() as s:
        ids = s.scalars(select(Product.product_id).where(Product.active)).all()
        special = set(s.scalars(select(ProductVariant.product_id)).all())
    found = [till.catalogue.by_id(i) for i in ids]
    plain = [p for p in found if p is not None and p.product_id not in special]
    return plain, [p for p in found if p is not None and p.product_id in special]


def _packs(till: Till) -> dict[str, tuple[str, int]]:
    """Each pack's unit product and how many units it holds."""
    with till.store.read() as s:
        rows = s.execute(
            select(
                ProductVariant.product_id, ProductVariant.pack_of, ProductVariant.pack_units
            ).where(ProductVariant.pack_of.is_not(None))
        ).all()
    return {pid: (str(unit), int(units)) for pid, unit, units in rows}


def _delivery_cost(product: ProductSnapshot) -> Decimal:
    """What the supplier charges per unit: about 60% of the shelf price, at least a cent."""
    return max(round_cents(product.unit_price * Decimal("0.6")), Decimal("0.01"))


def _restock(
    stock: StockService, manager: SignedIn, wanted: list[tuple[ProductSnapshot, Decimal]], ref: str
) -> list[str]:
    """Deliveries of ``wanted``, at most MAX_LINES lines each; their numbers."""
    numbers: list[str] = []
    for start in range(0, len(wanted), MAX_LINES):
        chunk = wanted[start : start + MAX_LINES]
        lines = [StockLine(p, q, _delivery_cost(p)) for p, q in chunk]
        numbers.append(stock.receive(manager, lines, reference=ref).number)
    return numbers


def _deliveries_against_orders(stock: StockService, manager: SignedIn) -> list[str]:
    """The supplier's van with the open purchase orders head office sent: each delivered as
    still outstanding, except that the first order's last line comes one pack short (a
    partial delivery: head office keeps that order open, partly received)."""
    numbers: list[str] = []
    for n, order in enumerate(stock.open_orders()):
        wanted = {line.po_line_id: line.outstanding for line in order.lines}
        if n == 0 and len(order.lines) > 1:
            last = order.lines[-1]
            wanted[last.po_line_id] = max(last.outstanding - last.pack_size, ZERO)
        if any(wanted.values()):
            numbers.append(
                stock.receive_order(
                    manager, order, wanted, reference=f"DO-{order.number[3:]}"
                ).number
            )
    return numbers


def _case(product: ProductSnapshot, at_least: Decimal = ZERO) -> Decimal:
    """A delivery's quantity: a carton of 24 (10 kg of a weighed product), or more."""
    unit = Decimal(10) if product.weighed else Decimal(24)
    return max(unit, (at_least * 2).to_integral_value(rounding="ROUND_CEILING"))


def _other_outlet(here: str) -> str:
    return "TPY" if here != "TPY" else "ORC"


def _stock_chores(
    till: Till, stock: StockService, manager: SignedIn, sold: list[ProductSnapshot]
) -> list[str]:
    """After trading: a shelf count of a few products sold, a breakage, a transfer out."""
    done: list[str] = []
    counted = [p for p in dict.fromkeys(sold) if not p.weighed][:4]
    if not counted:
        return done
    on_hand = stock.on_hand([p.product_id for p in counted])
    count = stock.start_count(manager, category="")  # a shelf list: what is scanned
    for n, product in enumerate(counted):
        shelf = on_hand[product.product_id]
        found = shelf - 1 if n == 0 and shelf >= 2 else shelf  # one of the first has gone
        if found > 0:
            stock.count(count.document_id, product, found)
    done.append(stock.approve_count(manager, count.document_id).number)
    on_hand = stock.on_hand([p.product_id for p in counted])
    broken = next((p for p in counted if on_hand[p.product_id] >= 1), None)
    if broken is not None:
        done.append(stock.adjust(manager, [StockLine(broken, Decimal(1))], "damaged").number)
        on_hand[broken.product_id] -= 1
    sent = next((p for p in reversed(counted) if on_hand[p.product_id] >= 3), None)
    if sent is not None:
        to = _other_outlet(till.profile.outlet.code)
        done.append(stock.dispatch(manager, [StockLine(sent, Decimal(2))], to).number)
    return done


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


def _enrol_members(till: Till, count: int, cashier: SignedIn, seed: int) -> list[CustomerCard]:
    """``count`` members with consent (the first a business customer), mobiles unique to the
    seed so a second run on the same till enrols new people. One this till already knows (the
    same seed run at another till of the outlet, pulled down from head office) is served as
    they are, not enrolled twice."""
    customers = till.customers()
    base = 80_000_000 + (seed * 7919 % 9_000) * 1000
    cards = []
    for n in range(count):
        if known := customers.find(str(base + n)):
            cards.append(known[0])
            continue
        business = n == 0
        cards.append(
            customers.enrol(
                NewMember(
                    name=f"Member {seed}-{n + 1}",
                    mobile=str(base + n),
                    consent_contact=True,
                    consent_marketing=n % 3 == 1,
                    company_name=f"Trading Co {seed} Pte Ltd" if business else "",
                    uen="201912345K" if business else "",
                    address_lines=("8 Shenton Way #30-01", "Singapore 068811") if business else (),
                ),
                cashier,
            )
        )
    return cards


def _sell_gift_vouchers(till: Till, checkout: Checkout, wanted: int, summary: Summary) -> list[str]:
    """Sell ``wanted`` vouchers of the till's first batch that it has not sold yet."""
    with till.store.read() as s:
        batch = s.scalars(select(VoucherBatch).order_by(VoucherBatch.prefix)).first()
        if batch is None:
            raise RuntimeError("the till holds no gift voucher batch: pull from head office first")
        used = set(s.scalars(select(GiftVoucherUse.serial)))
    free = (serial_of(batch.prefix, n) for n in range(1, batch.count + 1))
    serials = [x for x in free if x not in used and x not in batch.voided][:wanted]
    for serial in serials:
        checkout.scan(serial)
        due = checkout.totals().total
        done = checkout.complete([Tender(TenderType.CARD, due, reference=f"V{serial[-6:]}")])
        summary.vouchers_sold += 1
        summary.sales += 1
        summary.total += done.settlement.amount_due
        for t in done.receipt.tenders:
            summary.tenders[t.label] += t.amount
    return serials


def _spend_points(
    checkout: Checkout, due: Decimal, ref: str, rng: random.Random, summary: Summary
) -> list[Tender] | None:
    """The member spends some of their points (up to what the cap allows), the rest by card;
    None when they have none to spend here."""
    offer = checkout.points()
    scheme = checkout.profile.loyalty
    if offer is None or scheme is None or offer.most <= 0:
        return None
    spend = max(1, offer.most // rng.choice((1, 2, 4)))
    worth = points_value(scheme, spend)
    if worth <= 0 or worth >= due:
        return None
    summary.points_spent += spend
    return [
        Tender(TenderType.POINTS, worth, f"{spend} points"),
        Tender(TenderType.CARD, due - worth, reference=f"A{ref[-6:]}"),
    ]


def simulate(
    till: Till,
    sales: int,
    *,
    seed: int,
    cashier: SignedIn,
    manager: SignedIn,
    members: int = 0,
    stock: bool = False,
    gift_vouchers: int = 0,
) -> Summary:
    """Ring ``sales`` sales (and a few refunds) into ``till`` and summarise them.

    With ``members``, that many members are enrolled first and every third sale is made out
    to one of them (earning points; the first is a business customer, whose receipt is a full
    tax invoice), and some of those are paid partly by a CDC voucher. With ``stock``, the day
    also has its stock documents: the open purchase orders delivered against (the first one
    short), a delivery (a carton of each product short) before any sale
    the shelf could not cover, and after trading a shelf count, a breakage and a transfer to
    the other outlet; so no product is ever sold below zero. With ``gift_vouchers``, that many
    of the till's gift vouchers are sold first (each a sale of its own, paid by card) and each
    is then spent on a later sale that is not a member's, the rest by card."""
    rng = random.Random(seed)
    # Its own random stream: a run without members rings exactly the sales it always did.
    member_rng = random.Random(f"members:{seed}")
    points_rng = random.Random(f"points:{seed}")  # and one for spending points
    cards = _enrol_members(till, members, cashier, seed) if members else []
    products, variants = _products(till)
    # Its own random stream too: a run rings the plain products it always did, and now and
    # then a family's variant or a carton as well.
    variant_rng = random.Random(f"variants:{seed}")
    packs = _packs(till)
    if not products:
        raise RuntimeError("the till has no products: load a catalogue first")
    if till.shifts.current() is None:
        till.shifts.open_shift(cashier, Decimal("200.00"))
    checkout = till.checkout(cashier)
    refunds = till.refunds()
    summary = Summary()
    to_spend = _sell_gift_vouchers(till, checkout, gift_vouchers, summary) if gift_vouchers else []
    shop = till.stock() if stock else None
    if shop is not None:
        summary.documents += _deliveries_against_orders(shop, manager)
    sold: list[ProductSnapshot] = []
    for _ in range(sales):
        planned: list[tuple[ProductSnapshot, Decimal]] = []
        for _ in range(rng.choice((1, 1, 2, 3, 4, 6, 9))):
            product = rng.choice(products)
            qty = (
                Decimal(rng.randrange(150, 1500)) / 1000
                if product.weighed
                else Decimal(rng.choice((1, 1, 1, 2, 3)))
            )
            planned.append((product, qty))
        if variants and variant_rng.random() < 0.25:
            planned.append((variant_rng.choice(variants), Decimal(1)))
        if shop is not None:
            # Never sell what is not on the shelf: what the basket needs and the shelf lacks
            # comes in on a delivery first (the supplier's van comes when stock runs low).
            # Stock is kept in units: a carton needs its units on the shelf.
            need: dict[str, Decimal] = defaultdict(Decimal)
            kept: dict[str, ProductSnapshot] = {}
            for product, qty in planned:
                unit_id, units = packs.get(product.product_id, (product.product_id, 1))
                unit = product if unit_id == product.product_id else till.catalogue.by_id(unit_id)
                if unit is None:
                    continue
                need[unit_id] += qty * units
                kept[unit_id] = unit
            have = shop.on_hand(list(need))
            short = {pid: p for pid, p in kept.items() if have[pid] < need[pid]}
            if short:
                wanted = [(p, _case(p, need[pid])) for pid, p in short.items()]
                ref = f"DO-{seed}-{len(summary.documents) + 1}"
                summary.documents += _restock(shop, manager, wanted, ref)
            sold += list(kept.values())
        for product, qty in planned:
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
        tenders = _tenders(due, checkout.cash_due(), rng, ref, cashier.staff_id)
        member = cards[summary.sales % len(cards)] if cards and summary.sales % 3 == 0 else None
        if member is not None:
            checkout.attach_customer(member)
            if due > Decimal(10) and member_rng.random() < 0.3:
                voucher = Tender(TenderType.VOUCHER, Decimal(10), reference=f"CDC-{ref}")
                rest = [Tender(TenderType.CARD, due - 10, reference=f"A{ref[-6:]}")]
                tenders = [voucher, *rest]
            elif points_rng.random() < 0.4:
                tenders = _spend_points(checkout, due, ref, points_rng, summary) or tenders
        elif to_spend and summary.sales % 5 == 2:
            gift = checkout.gift_voucher_tender(to_spend.pop(0), None)
            left = due - gift.amount
            card = Tender(TenderType.CARD, left, reference=f"G{ref[-6:]}") if left > 0 else None
            tenders = [gift] + ([card] if card else [])
            summary.vouchers_redeemed += 1
        done = checkout.complete(tenders)
        if member is not None:
            summary.member_sales += 1
            if member.is_business:
                summary.business_receipt = done.receipt_no
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
    if shop is not None:
        summary.documents += _stock_chores(till, shop, manager, sold)
    with till.store.read() as s:
        summary.outbox_pending = backlog(s).pending
    customers = till.customers()
    summary.members = len(cards)
    summary.points = sum(customers.points(card.customer_id) for card in cards)
    return summary
