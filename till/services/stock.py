"""Stock at the till: goods received, adjustments, stocktakes and transfers between outlets.

Each is a stock document committed like a sale: in one transaction, the document, its
movements in the ledger, an audit record and one outbox event per movement
(``stock.received``, ``stock.adjusted``, ``stock.transferred``), or nothing at all.

Who may do what (docs/stock.md): receiving goods, approving a stocktake and both halves of a
transfer need a manager (signed in, or approving with their PIN); anyone signed in may record
an adjustment worth up to ``ADJUSTMENT_LIMIT`` at cost, a manager's PIN above it; anyone may
scan items into an open stocktake (a blind count: the screen shows no expected quantity).

The counting rule: a product's counted quantity stands for the moment it was *first scanned*
in the count. Its variance is the count less this till's ledger at that moment, so a sale rung
after the product was first scanned (it was on the shelf when counted) still comes off after
the count is approved, and one rung before it (already gone from the shelf) is not counted
twice. Products in the count's scope that were never scanned were not on the shelf: they are
counted as zero at the moment the count is approved.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Protocol

from shared.cart import ApprovalNeeded, ManagerAction, ProductSnapshot
from shared.money import ZERO, round_cents
from shared.protocol import EventKind, StockMovedV1, StockTransferredV1
from shared.purchase_wire import PurchaseOrderV1
from till.services.context import CashierError, Clock, OutletProfile, utc_now
from till.services.ports import ProductLookup, UnitOfWorkPort, UnitsOfWork
from till.services.staff import SignedIn
from till.store.models import StockDocument, StockMovement

# An adjustment worth more than this at cost needs a manager's PIN (or a manager signed in).
ADJUSTMENT_LIMIT = Decimal("50.00")
ADJUSTMENT_REASONS = ("damaged", "expired", "theft", "own use", "sample", "found")
# Found stock is the one reason that adds; every other reason takes stock away.
ADDING_REASONS = frozenset({"found"})
MAX_LINES = 500  # one event per line; a document is one transaction
MAX_UNITS = Decimal(100_000)
_PACKS = re.compile(r"^\s*(\d+)\s*[xX×*]\s*(\d+(?:\.\d{1,3})?)\s*$")

PREFIX = {
    "receipt": "GR",
    "adjustment": "ADJ",
    "count": "ST",
    "transfer_out": "TR",
    "transfer_in": "TI",
}


class StockError(CashierError):
    """A stock action that cannot be done as asked; the message says what to do instead."""


def _manager(staff: SignedIn, approved_by: SignedIn | None, what: str) -> SignedIn | None:
    """The manager behind a stock action: the one signed in, or the one who approved it."""
    if staff.role == "manager":
        return approved_by
    if approved_by is None:
        raise ApprovalNeeded(ManagerAction.STOCK_CONTROL, f"{what.capitalize()} is a manager's job")
    if approved_by.role != "manager":
        raise StockError(f"{approved_by.display_name} is not a manager and cannot approve this")
    return approved_by


def _check_lines(lines: Sequence[StockLine]) -> None:
    if not lines:
        raise StockError("scan at least one item first")
    if len(lines) > MAX_LINES:
        raise StockError(f"at most {MAX_LINES} lines at a time: split it into two")
    for line in lines:
        if line.quantity <= 0:
            raise StockError(f"{line.product.name}: the quantity must be more than zero")


def _outlet_code(text: str) -> str:
    code = text.strip().upper()
    if not re.fullmatch(r"[A-Z0-9]{2,8}", code):
        raise StockError(
            f"{text.strip()!r} is not an outlet code: type the receiving outlet's code, e.g. ORC"
        )
    return code


def _category_of(scope: str | None) -> str | None:
    """The category id a stocktake's scope names, if it names one."""
    if scope and scope.startswith("category:"):
        return scope.split(":", 2)[1]
    return None


def _costs(uow: UnitOfWorkPort, prices: dict[str, Decimal]) -> dict[str, Decimal]:
    """Cost per unit: the latest delivery's, else the list price (docs/stock.md)."""
    known = uow.stock.last_costs(list(prices))
    return {pid: known.get(pid, price) for pid, price in prices.items()}


def _movement(
    product_id: str,
    quantity: Decimal,
    reason: str,
    detail: str,
    doc: StockDocument,
    unit_cost: Decimal | None,
    now: datetime,
) -> StockMovement:
    movement_id = str(uuid.uuid4())
    return StockMovement(
        movement_id=movement_id,
        product_id=product_id,
        quantity=quantity,
        reason=reason,
        source_id=movement_id,
        moved_at=now,
        document_id=doc.document_id,
        unit_cost=unit_cost,
        detail=detail,
    )


def parse_quantity(text: str, *, weighed: bool = False) -> Decimal:
    """Units as typed: ``12``, ``1.250`` (kg of a weighed product), or packs times pack size,
    ``3x24`` (three cartons of 24)."""
    typed = text.strip()
    if not typed:
        return Decimal(1)
    packs = _PACKS.fullmatch(typed)
    try:
        quantity = Decimal(packs.group(1)) * Decimal(packs.group(2)) if packs else Decimal(typed)
    except InvalidOperation:
        raise StockError(
            f"{typed!r} is not a quantity: type units (12), kg (1.250) or packs x units (3x24)"
        ) from None
    if not quantity.is_finite() or quantity <= 0:
        raise StockError(f"{typed!r}: the quantity must be more than zero")
    if quantity > MAX_UNITS:
        raise StockError(f"{typed!r} is more than {MAX_UNITS:,} units: check the quantity")
    if quantity != quantity.quantize(Decimal("0.001")):
        raise StockError(f"{typed!r}: quantities go to three decimals (grams) at most")
    if not weighed and quantity != quantity.to_integral_value():
        raise StockError(f"{typed!r}: this product is counted in whole units")
    return quantity


def parse_cost(text: str) -> Decimal | None:
    """A cost per unit as typed ("1.85", "$0.425" is refused: cents), or None if left empty."""
    typed = text.strip().replace("$", "").replace(",", "")
    if not typed:
        return None
    try:
        cost = Decimal(typed)
    except InvalidOperation:
        raise StockError(
            f"{text.strip()!r} is not a cost: type dollars per unit, e.g. 1.85"
        ) from None
    if not cost.is_finite() or cost < 0:
        raise StockError(f"{text.strip()!r}: a cost is dollars and cents per unit, e.g. 1.85")
    # The size first: rounding 1e999999999 to the cent is an arithmetic error, not an answer.
    if cost > Decimal(100_000):
        raise StockError(f"{text.strip()!r} per unit is more than $100,000: check the cost")
    if cost != round_cents(cost):
        raise StockError(f"{text.strip()!r}: a cost is dollars and cents per unit, e.g. 1.85")
    return cost


class StockCatalogue(ProductLookup, Protocol):
    """The catalogue, and products by id: an order's lines name products by id."""

    def by_id(self, product_id: str) -> ProductSnapshot | None: ...


@dataclass(frozen=True)
class StockLine:
    product: ProductSnapshot
    quantity: Decimal  # units (kg for a weighed product), always positive
    unit_cost: Decimal | None = None
    po_line_id: str | None = None  # goods received against this purchase order line


@dataclass(frozen=True)
class OrderLine:
    """One line of an open purchase order, as this till sees it."""

    po_line_id: str
    product: ProductSnapshot
    supplier_sku: str | None
    pack_size: Decimal
    ordered: Decimal
    received_before: Decimal  # head office's figure, or this till's own if it is higher
    unit_cost: Decimal | None

    @property
    def outstanding(self) -> Decimal:
        return max(self.ordered - self.received_before, ZERO)


@dataclass(frozen=True)
class OpenOrder:
    po_id: str
    number: str
    supplier: str
    status: str
    lines: tuple[OrderLine, ...]

    def line_for(self, product_id: str) -> OrderLine | None:
        return next((ln for ln in self.lines if ln.product.product_id == product_id), None)


@dataclass(frozen=True)
class OrderScan:
    """What one scan adds to a delivery against an order: units on one of its lines."""

    line: OrderLine
    units: Decimal
    pack: ProductSnapshot | None = None  # the carton scanned, when it was one of the unit's
    packs: Decimal = ZERO  # how many of that carton


def order_quantity(text: str, line: OrderLine) -> Decimal:
    """Units as typed, or packs of the order line's pack size: ``2p`` (two packs)."""
    typed = text.strip().lower()
    for suffix in ("packs", "pack", "p"):
        if typed.endswith(suffix) and typed[: -len(suffix)].strip().isdigit():
            packs = parse_quantity(typed[: -len(suffix)].strip())  # whole, more than zero
            units = packs * line.pack_size
            if units > MAX_UNITS:
                raise StockError(
                    f"{text.strip()!r} is more than {MAX_UNITS:,} units: check the quantity"
                )
            return units
    return parse_quantity(text, weighed=line.product.weighed)


def carton_count(text: str) -> Decimal:
    """How many cartons a quantity typed before a carton's barcode stands for: ``2`` or ``2p``
    (the carton says how many units it holds, so units typed with it would count twice)."""
    typed = text.strip().lower()
    for suffix in ("packs", "pack", "p"):
        if typed.endswith(suffix):
            typed = typed[: -len(suffix)].strip()
            break
    if typed and not typed.isdigit():
        raise StockError(f"{text.strip()!r}: type how many cartons came (2), then scan the carton")
    return parse_quantity(typed)


def difference(line: OrderLine, now: Decimal) -> Decimal:
    """Received in all (before and now) less ordered: negative short, positive over."""
    return line.received_before + now - line.ordered


@dataclass(frozen=True)
class StockDone:
    document_id: str
    number: str
    lines: int
    value: Decimal  # at cost, signed for adjustments


@dataclass(frozen=True)
class VarianceLine:
    product_id: str
    name: str
    expected: Decimal
    counted: Decimal
    variance: Decimal
    unit_cost: Decimal
    value: Decimal  # variance x cost


@dataclass(frozen=True)
class CountState:
    document_id: str
    number: str
    scope: str
    started_at: datetime
    products: int
    units: Decimal


class StockService:
    def __init__(
        self,
        uow: UnitsOfWork,
        catalogue: StockCatalogue,
        profile: OutletProfile,
        clock: Clock = utc_now,
    ) -> None:
        self.uow = uow
        self.catalogue = catalogue
        self.profile = profile
        self.clock = clock

    # --- reading ------------------------------------------------------------------------------

    def product(self, code: str) -> ProductSnapshot:
        """The product a scanned or typed barcode names."""
        code = code.strip()
        if not code:
            raise StockError("scan an item's barcode first")
        found = self.catalogue.by_barcode(code)
        if found is None:
            shown = code if len(code) <= 32 else f"{code[:30]}…"
            raise StockError(f"no product has barcode {shown!r}: scan again or check the label")
        return found

    def in_units(self, product: ProductSnapshot, quantity: Decimal) -> StockLine:
        """What a scan of ``quantity`` of ``product`` moves: a pack (a carton of 24) is that
        many units of its unit product, as stock is kept (docs/stock.md); anything else is
        itself."""
        with self.uow(write=False) as uow:
            return self._in_units(uow, StockLine(product, quantity))

    def categories(self) -> list[str]:
        """Category names, for counting one category."""
        with self.uow(write=False) as uow:
            return uow.stock.categories()

    def on_hand(self, product_ids: Sequence[str]) -> dict[str, Decimal]:
        with self.uow(write=False) as uow:
            return uow.stock.on_hand(product_ids)

    def unit_costs(self, products: Sequence[ProductSnapshot]) -> dict[str, Decimal]:
        """What a unit costs: the latest delivery's cost per unit, or the list price without
        GST for a product this till never received with a cost (docs/stock.md)."""
        with self.uow(write=False) as uow:
            return _costs(uow, {p.product_id: p.unit_price for p in products})

    # --- receiving ----------------------------------------------------------------------------

    def receive(
        self,
        staff: SignedIn,
        lines: Sequence[StockLine],
        *,
        reference: str = "",
        approved_by: SignedIn | None = None,
    ) -> StockDone:
        """Goods received without a purchase order: the supplier's delivery order or invoice
        number is the reference."""
        _check_lines(lines)
        missing = [line.product.name for line in lines if line.unit_cost is None]
        if missing:
            raise StockError(f"type the cost per unit of {missing[0]} (from the invoice)")
        return self._receive(staff, approved_by, lines, reference.strip()[:200] or None)

    def open_orders(self) -> list[OpenOrder]:
        """The open purchase orders head office sent this outlet, oldest number first.

        Received before is head office's figure (every till of the outlet), or this till's own
        deliveries against the line if they are more (not yet synced)."""
        with self.uow(write=False) as uow:
            orders = [
                PurchaseOrderV1.model_validate_json(json.dumps(d)) for d in uow.stock.open_orders()
            ]
            ids = [str(ln.po_line_id) for o in orders for ln in o.lines]
            here = uow.stock.received_on_lines(ids)
        out = []
        for order in orders:
            lines = []
            for ln in order.lines:
                product = self.catalogue.by_id(str(ln.product_id))
                if product is None:
                    continue  # discontinued since: it cannot be received here
                lines.append(
                    OrderLine(
                        str(ln.po_line_id),
                        product,
                        ln.supplier_sku,
                        ln.pack_size,
                        ln.ordered,
                        max(ln.received, here.get(str(ln.po_line_id), ZERO)),
                        ln.unit_cost,
                    )
                )
            po_id, status = str(order.po_id), order.status
            out.append(OpenOrder(po_id, order.number, order.supplier, status, tuple(lines)))
        return out

    def against_order(
        self, order: OpenOrder, product: ProductSnapshot, typed: str = ""
    ) -> OrderScan:
        """What a scan of ``product``, with ``typed`` before it, adds to a delivery against
        ``order``. A carton whose unit product is on the order counts its units on that line
        (the order names the unit, the delivery comes in cartons): ``2`` then the carton of 24
        is 48 units. Anything else not on the order is refused."""
        line = order.line_for(product.product_id)
        if line is not None:
            return OrderScan(line, order_quantity(typed, line))
        with self.uow(write=False) as uow:
            pack = uow.stock.packs([product.product_id]).get(product.product_id)
        if pack is None:
            raise StockError(
                f"{product.name} is not on {order.number}: set it aside, and receive it "
                "without an order after saving this one"
            )
        unit_id, units = pack
        line = order.line_for(unit_id)
        if line is None:
            unit = self.catalogue.by_id(unit_id)
            if unit is None:
                raise StockError(
                    f"{product.name} is a pack of a product this till no longer sells: "
                    "set it aside and ask head office"
                )
            raise StockError(
                f"{product.name} holds {units.normalize():f} of {unit.name}, which is not on "
                f"{order.number}: set it aside, and receive it without an order after saving "
                "this one"
            )
        packs = carton_count(typed)
        return OrderScan(line, packs * units, product, packs)

    def receive_order(
        self,
        staff: SignedIn,
        order: OpenOrder,
        received: Mapping[str, Decimal],
        *,
        reference: str = "",
        approved_by: SignedIn | None = None,
    ) -> StockDone:
        """Goods received against a purchase order: ``received`` is units per order line as
        counted off the delivery; lines not delivered are left out (a partial delivery), and
        more than ordered is taken in as delivered (head office sees it over)."""
        by_id = {ln.po_line_id: ln for ln in order.lines}
        unknown = [key for key in received if key not in by_id]
        if unknown:
            raise StockError(f"that line is not on {order.number}: pick the order again")
        lines = []
        for line_id, quantity in received.items():
            if quantity < 0:
                raise StockError(f"{by_id[line_id].product.name}: a delivery cannot be negative")
            if quantity == 0:
                continue
            ln = by_id[line_id]
            lines.append(StockLine(ln.product, quantity, ln.unit_cost, ln.po_line_id))
        if not lines:
            raise StockError(f"nothing of {order.number} was counted in: scan what arrived")
        _check_lines(lines)
        ref = (reference.strip()[:180] + " " + order.number).strip()
        return self._receive(staff, approved_by, lines, ref, po_id=order.po_id)

    def _receive(
        self,
        staff: SignedIn,
        approved_by: SignedIn | None,
        lines: Sequence[StockLine],
        reference: str | None,
        *,
        po_id: str | None = None,
    ) -> StockDone:
        """A delivery's document, against an order or not: a manager's job."""
        approver = _manager(staff, approved_by, "receiving goods")
        return self._write(
            "receipt",
            staff,
            approver,
            [(line, line.quantity) for line in lines],
            event=EventKind.STOCK_RECEIVED,
            reason="received",
            detail="delivery",
            reference=reference,
            po_id=po_id,
        )

    # --- adjustments --------------------------------------------------------------------------

    def adjust(
        self,
        staff: SignedIn,
        lines: Sequence[StockLine],
        reason: str,
        *,
        note: str = "",
        approved_by: SignedIn | None = None,
    ) -> StockDone:
        """Write stock off (damaged, expired, theft, own use, sample) or back on (found)."""
        if reason not in ADJUSTMENT_REASONS:
            raise StockError(f"choose a reason: {', '.join(ADJUSTMENT_REASONS)}")
        _check_lines(lines)
        sign = 1 if reason in ADDING_REASONS else -1
        lines = self._lines_in_units(lines)
        with self.uow(write=False) as uow:
            costs = _costs(uow, {ln.product.product_id: ln.product.unit_price for ln in lines})
        value = sum((line.quantity * costs[line.product.product_id] for line in lines), ZERO)
        value = round_cents(value)
        approver = approved_by
        if value > ADJUSTMENT_LIMIT and staff.role != "manager" and approved_by is None:
            raise ApprovalNeeded(
                ManagerAction.STOCK_ADJUSTMENT_OVER_LIMIT,
                f"this adjustment is worth ${value:,.2f} at cost, above the till's limit of "
                f"${ADJUSTMENT_LIMIT:,.2f}",
            )
        if approver is not None and approver.role != "manager":
            raise StockError(f"{approver.display_name} is not a manager and cannot approve this")
        return self._write(
            "adjustment",
            staff,
            approver,
            [(line, sign * line.quantity) for line in lines],
            event=EventKind.STOCK_ADJUSTED,
            reason="adjusted",
            detail=reason,
            reference=note.strip()[:200] or None,
        )

    # --- stocktake ----------------------------------------------------------------------------

    def open_count(self) -> CountState | None:
        with self.uow(write=False) as uow:
            doc = uow.stock.open_count()
            if doc is None:
                return None
            counts = uow.stock.counts(doc.document_id)
            return CountState(
                doc.document_id,
                doc.number,
                doc.scope or "",
                doc.started_at,
                len(counts),
                sum((c.counted for c in counts), ZERO),
            )

    def start_count(self, staff: SignedIn, category: str | None = None) -> CountState:
        """Open a stocktake: of every product (``category`` None), of one category (by name),
        or of what is scanned only (``category`` "" : a shelf list)."""
        now = self.clock()
        with self.uow() as uow:
            if uow.stock.open_count() is not None:
                raise StockError("a stocktake is already open: finish or cancel it first")
            if category:
                found = uow.stock.category_named(category.strip())
                if found is None:
                    raise StockError(f"no category is called {category.strip()!r}")
                scope = f"category:{found[0]}:{found[1]}"
            else:
                scope = "all" if category is None else "scanned"
            doc = StockDocument(
                document_id=str(uuid.uuid4()),
                kind="count",
                number=self._number(uow, "count"),
                status="counting",
                reference=None,
                other_outlet=None,
                scope=scope,
                staff_id=staff.staff_id,
                approved_by=None,
                started_at=now,
                finished_at=None,
            )
            uow.stock.add_document(doc, [])
            uow.audit(
                "stock.count_started",
                actor=staff.staff_id,
                at=now,
                subject=doc.number,
                after={"scope": scope},
            )
            uow.commit()
        return CountState(doc.document_id, doc.number, scope, now, 0, ZERO)

    def count(self, document_id: str, product: ProductSnapshot, quantity: Decimal) -> Decimal:
        """Add scanned units to the open count; the product's counted total so far."""
        if quantity <= 0:
            raise StockError("the quantity must be more than zero")
        with self.uow() as uow:
            doc = uow.stock.document(document_id)
            if doc is None or doc.status != "counting":
                raise StockError("this stocktake is no longer open: start a new one")
            # A carton on the shelf is its units: the ledger it is compared with is in units.
            counted = self._in_units(uow, StockLine(product, quantity))
            product, quantity = counted.product, counted.quantity
            scope = _category_of(doc.scope)
            if scope is not None and uow.stock.category_of(product.product_id) != scope:
                raise StockError(
                    f"{product.name} is not in the category being counted: put it aside"
                )
            total = uow.stock.count_one(document_id, product.product_id, quantity, self.clock())
            uow.commit()
        return total

    def counted(self, document_id: str) -> list[tuple[str, Decimal]]:
        """What has been counted so far, by product name, in the order first scanned."""
        with self.uow(write=False) as uow:
            counts = uow.stock.counts(document_id)
            names = uow.stock.products([c.product_id for c in counts])
            return [(names.get(c.product_id, ("?", ZERO))[0], c.counted) for c in counts]

    def variance(self, document_id: str) -> list[VarianceLine]:
        with self.uow(write=False) as uow:
            return self._variance(uow, document_id, self.clock())

    def approve_count(
        self, staff: SignedIn, document_id: str, *, approved_by: SignedIn | None = None
    ) -> StockDone:
        """The approved count becomes ``stock.adjusted`` movements with reason ``count``."""
        approver = _manager(staff, approved_by, "approving a stocktake")
        now = self.clock()
        with self.uow() as uow:
            doc = uow.stock.document(document_id)
            if doc is None or doc.status != "counting":
                raise StockError("this stocktake is no longer open")
            lines = [v for v in self._variance(uow, document_id, now) if v.variance]
            if len(lines) > MAX_LINES:
                raise StockError(f"more than {MAX_LINES} products differ: count by category")
            doc.status, doc.finished_at = "done", now
            doc.approved_by = approver.staff_id if approver else None
            value = round_cents(sum((v.value for v in lines), ZERO))
            movements = [
                _movement(v.product_id, v.variance, "adjusted", "count", doc, None, now)
                for v in lines
            ]
            uow.stock.add_document(doc, movements)
            self._events(uow, EventKind.STOCK_ADJUSTED, doc, movements, staff, approver, "count")
            uow.audit(
                "stock.count_approved",
                actor=staff.staff_id,
                at=now,
                subject=doc.number,
                after={
                    "approved_by": doc.approved_by,
                    "products_differing": len(lines),
                    "value": str(value),
                },
            )
            uow.commit()
        return StockDone(doc.document_id, doc.number, len(movements), value)

    def cancel_count(self, staff: SignedIn, document_id: str) -> None:
        now = self.clock()
        with self.uow() as uow:
            doc = uow.stock.document(document_id)
            if doc is None or doc.status != "counting":
                raise StockError("this stocktake is no longer open")
            doc.status, doc.finished_at = "cancelled", now
            uow.audit("stock.count_cancelled", actor=staff.staff_id, at=now, subject=doc.number)
            uow.commit()

    # --- transfers ----------------------------------------------------------------------------

    def dispatch(
        self,
        staff: SignedIn,
        lines: Sequence[StockLine],
        to_outlet: str,
        *,
        approved_by: SignedIn | None = None,
    ) -> StockDone:
        """Send stock to another outlet: it leaves this outlet now; the transfer number goes
        on the dispatch note for the other outlet to scan in against."""
        other = _outlet_code(to_outlet)
        if other == self.profile.outlet.code:
            raise StockError("a transfer goes to another outlet, not this one")
        _check_lines(lines)
        lines = self._lines_in_units(lines)
        approver = _manager(staff, approved_by, "sending a transfer")
        return self._write(
            "transfer_out",
            staff,
            approver,
            [(line, -line.quantity) for line in lines],
            event=EventKind.STOCK_TRANSFERRED,
            reason="transfer",
            detail="out",
            other_outlet=other,
        )

    def receive_transfer(
        self,
        staff: SignedIn,
        lines: Sequence[StockLine],
        transfer_no: str,
        *,
        approved_by: SignedIn | None = None,
    ) -> StockDone:
        """Take in what arrived from another outlet, as scanned: head office compares it with
        what was sent under the same transfer number and flags the differences."""
        number = transfer_no.strip().upper().replace(" ", "")
        match = re.fullmatch(r"TR-([A-Z0-9]{2,8})-([A-Z0-9]{1,8})-(\d{6})", number)
        if match is None:
            raise StockError(
                f"{transfer_no.strip()!r} is not a transfer number: type it from the dispatch "
                "note, e.g. TR-ORC-T01-000012"
            )
        if match.group(1) == self.profile.outlet.code:
            raise StockError("that transfer was sent by this outlet: it is received elsewhere")
        _check_lines(lines)
        lines = self._lines_in_units(lines)
        approver = _manager(staff, approved_by, "receiving a transfer")
        return self._write(
            "transfer_in",
            staff,
            approver,
            [(line, line.quantity) for line in lines],
            event=EventKind.STOCK_TRANSFERRED,
            reason="transfer",
            detail="in",
            reference=number,
            other_outlet=match.group(1),
        )

    # --- the one write path -------------------------------------------------------------------

    def _write(
        self,
        doc_kind: str,
        staff: SignedIn,
        approver: SignedIn | None,
        lines: list[tuple[StockLine, Decimal]],
        *,
        event: EventKind,
        reason: str,
        detail: str,
        reference: str | None = None,
        other_outlet: str | None = None,
        po_id: str | None = None,
    ) -> StockDone:
        """The document, its movements, their events and the audit record: one transaction."""
        now = self.clock()
        with self.uow() as uow:
            costs = _costs(uow, {ln.product.product_id: ln.product.unit_price for ln, _ in lines})
            doc = StockDocument(
                document_id=str(uuid.uuid4()),
                kind=doc_kind,
                number=self._number(uow, doc_kind),
                status="done",
                reference=reference,
                other_outlet=other_outlet,
                scope=None,
                staff_id=staff.staff_id,
                approved_by=approver.staff_id if approver else None,
                started_at=now,
                finished_at=now,
            )
            movements = []
            value = ZERO
            for line, signed in lines:
                pid = line.product.product_id
                # A transfer carries the sending outlet's cost, so the stock keeps its value.
                cost = line.unit_cost if doc_kind == "receipt" else None
                if doc_kind.startswith("transfer"):
                    cost = costs[pid]
                movement = _movement(pid, signed, reason, detail, doc, cost, now)
                movement.po_line_id = line.po_line_id
                movements.append(movement)
                value += signed * (cost if cost is not None else costs[pid])
            value = round_cents(value)
            uow.stock.add_document(doc, movements)
            self._events(uow, event, doc, movements, staff, approver, detail, po_id)
            uow.audit(
                f"stock.{doc_kind}",
                actor=staff.staff_id,
                at=now,
                subject=doc.number,
                after={
                    "reason": detail,
                    "reference": reference,
                    "other_outlet": other_outlet,
                    "lines": len(movements),
                    "value": str(value),
                    "approved_by": doc.approved_by,
                    "po_id": po_id,
                },
            )
            uow.commit()
        return StockDone(doc.document_id, doc.number, len(movements), value)

    def _lines_in_units(self, lines: Sequence[StockLine]) -> list[StockLine]:
        # The ledger would move a carton's units anyway (repos.in_units); converting first
        # values the line at its unit's cost (the latest delivery's, not the carton's list
        # price), which is what the adjustment limit and a transfer's booked cost are about.
        with self.uow(write=False) as uow:
            return [self._in_units(uow, line) for line in lines]

    def _in_units(self, uow: UnitOfWorkPort, line: StockLine) -> StockLine:
        pack = uow.stock.packs([line.product.product_id]).get(line.product.product_id)
        if pack is None:
            return line
        unit_id, units = pack
        unit = self.catalogue.by_id(unit_id)
        if unit is None:
            raise StockError(
                f"{line.product.name} is a pack of a product this till no longer sells: "
                "set it aside and ask head office"
            )
        cost = None if line.unit_cost is None else round_cents(line.unit_cost / units)
        return StockLine(unit, line.quantity * units, cost, line.po_line_id)

    def _number(self, uow: UnitOfWorkPort, kind: str) -> str:
        serial = uow.next_number(f"stock:{kind}")
        return f"{PREFIX[kind]}-{self.profile.outlet.code}-{self.profile.till_code}-{serial:06d}"

    def _variance(self, uow: UnitOfWorkPort, document_id: str, now: datetime) -> list[VarianceLine]:
        doc = uow.stock.document(document_id)
        if doc is None:
            raise StockError("no such stocktake")
        counts = {c.product_id: c for c in uow.stock.counts(document_id)}
        in_scope = uow.stock.products_in(_category_of(doc.scope)) if doc.scope != "scanned" else []
        unscanned = [pid for pid in in_scope if pid not in counts]
        expected: dict[str, Decimal] = {}
        for pid, c in counts.items():
            expected[pid] = uow.stock.on_hand([pid], as_of=c.first_scanned_at)[pid]
        expected.update(uow.stock.on_hand(unscanned, as_of=now))
        known = uow.stock.products(list(expected))
        names = {pid: name for pid, (name, _) in known.items()}
        costs = _costs(uow, {pid: price for pid, (_, price) in known.items()})
        out = []
        for pid, exp in expected.items():
            counted = counts[pid].counted if pid in counts else ZERO
            if pid not in counts and exp == 0:
                continue
            cost = costs.get(pid, ZERO)
            out.append(
                VarianceLine(
                    pid,
                    names.get(pid, "?"),
                    exp,
                    counted,
                    counted - exp,
                    cost,
                    round_cents((counted - exp) * cost),
                )
            )
        return sorted(out, key=lambda v: (v.value, v.name))

    def _events(
        self,
        uow: UnitOfWorkPort,
        kind: EventKind,
        doc: StockDocument,
        movements: list[StockMovement],
        staff: SignedIn,
        approver: SignedIn | None,
        detail: str,
        po_id: str | None = None,
    ) -> None:
        approved = uuid.UUID(approver.staff_id) if approver else None
        for m in movements:
            payload: StockMovedV1 | StockTransferredV1
            if kind is EventKind.STOCK_TRANSFERRED:
                payload = StockTransferredV1(
                    movement_id=uuid.UUID(m.movement_id),
                    transfer_no=doc.number if doc.kind == "transfer_out" else doc.reference or "",
                    direction="out" if doc.kind == "transfer_out" else "in",
                    other_outlet=doc.other_outlet or "",
                    product_id=uuid.UUID(m.product_id),
                    quantity=m.quantity,
                    unit_cost=m.unit_cost,
                    staff_id=uuid.UUID(staff.staff_id),
                    approved_by=approved,
                    moved_at=m.moved_at,
                )
            else:
                payload = StockMovedV1(
                    movement_id=uuid.UUID(m.movement_id),
                    product_id=uuid.UUID(m.product_id),
                    quantity=m.quantity,
                    reason=detail,
                    reference=doc.reference if doc.kind != "count" else doc.number,
                    staff_id=uuid.UUID(staff.staff_id),
                    moved_at=m.moved_at,
                    document_id=uuid.UUID(doc.document_id),
                    unit_cost=m.unit_cost,
                    approved_by=approved,
                    po_id=uuid.UUID(po_id) if po_id and m.po_line_id else None,
                    po_line_id=uuid.UUID(m.po_line_id) if po_id and m.po_line_id else None,
                )
            uow.emit(kind, payload, m.moved_at)
