"""The shop's gift vouchers at the till: sold as a line of a sale (activating the voucher),
taken as a tender by serial. Both are written in the sale's own transaction with their events
(``voucher.sold``, ``voucher.redeemed``), so head office counts each once.

What the till knows of a voucher: its batch from head office (serials, face value, expiry,
voided serials) and what this till itself sold and took. Another till's redemptions reach only
head office, which flags a voucher taken for more than it held (docs/customers.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from shared.cart import ProductSnapshot
from shared.gift_vouchers import (
    VoucherBatch,
    check_redeemable,
    check_sellable,
    parse_serial,
    serial_of,
)
from shared.gst import TaxCode, supply_date
from shared.money import ZERO
from shared.protocol import EventKind, VoucherRedeemedV1, VoucherSoldV1
from shared.tender import Tender, TenderType
from till.services.ports import UnitOfWorkPort
from till.store.models import GiftVoucherUse, Sale, SaleLine
from till.store.models import VoucherBatch as BatchRow


def _batch(uow: UnitOfWorkPort, prefix: str) -> VoucherBatch | None:
    row: BatchRow | None = uow.vouchers.batch(prefix)
    if row is None:
        return None
    return VoucherBatch(
        batch_id=row.batch_id,
        prefix=row.prefix,
        count=row.count,
        face_value=row.face_value,
        expires_on=date.fromisoformat(row.expires_on) if row.expires_on else None,
        voided=frozenset(row.voided),
    )


def voucher_for_sale(uow: UnitOfWorkPort, text: str, today: date) -> ProductSnapshot:
    """The cart line's product for selling the voucher ``text`` names, or VoucherError."""
    prefix, number = parse_serial(text)
    serial = serial_of(prefix, number)
    batch = _batch(uow, prefix)
    sold_here = any(u.kind == "sold" for u in uow.vouchers.uses(serial))
    check_sellable(batch, serial, today, sold_here=sold_here)
    assert batch is not None
    return ProductSnapshot(
        product_id=batch.batch_id,
        sku=serial,
        name=f"Gift voucher {serial}",
        unit_price=batch.face_value,
        tax_code=TaxCode.OUT_OF_SCOPE,
        voucher_serial=serial,
    )


def remaining_here(uow: UnitOfWorkPort, serial: str, face_value: Decimal) -> Decimal:
    taken = sum((u.amount for u in uow.vouchers.uses(serial) if u.kind == "redeemed"), ZERO)
    return face_value - taken


def voucher_left(
    uow: UnitOfWorkPort,
    text: str,
    today: date,
    amount: Decimal | None,
    in_this_sale: Sequence[Tender] = (),
) -> tuple[str, Decimal]:
    """``(serial, amount to take)`` for paying with the voucher ``text`` names: ``amount`` if
    the voucher holds it as far as this till knows, or (``amount`` None) all it holds.
    Raises VoucherError with what to do when it cannot be taken."""
    prefix, number = parse_serial(text)
    serial = serial_of(prefix, number)
    batch = _batch(uow, prefix)
    face = batch.face_value if batch is not None else ZERO
    pending = sum((t.amount for t in in_this_sale if t.reference == serial), ZERO)
    left = remaining_here(uow, serial, face) - pending
    wanted = left if amount is None else amount
    check_redeemable(batch, serial, today, wanted, left)
    return serial, wanted


def record_vouchers(
    uow: UnitOfWorkPort, sale: Sale, lines: Sequence[SaleLine], tenders: Sequence[Tender]
) -> None:
    """The vouchers ``sale`` sells and takes, with their events, in its transaction. The
    checks were made when each was rung up or tendered; they are made again here, under the
    write lock, so two sales on one till can never both take a voucher's last dollars."""
    sold_lines = [line for line in lines if line.voucher_serial is not None]
    gift = [t for t in tenders if t.type is TenderType.GIFT]
    if not sold_lines and not gift:
        return  # most sales: nothing to do on the cashier's hottest path
    today = supply_date(sale.sold_at)
    for line in sold_lines:
        assert line.voucher_serial is not None
        voucher_for_sale(uow, line.voucher_serial, today)  # still sellable
        uow.vouchers.add(
            GiftVoucherUse(
                use_id=str(uuid.uuid4()),
                serial=line.voucher_serial,
                kind="sold",
                amount=line.amount,
                sale_id=sale.sale_id,
                at=sale.sold_at,
            )
        )
        uow.emit(
            EventKind.VOUCHER_SOLD,
            VoucherSoldV1(
                serial=line.voucher_serial,
                sale_id=uuid.UUID(sale.sale_id),
                line_id=uuid.UUID(line.line_id),
                amount=line.amount,
                sold_at=sale.sold_at,
            ),
            sale.sold_at,
        )
    for tender in gift:
        assert tender.reference is not None
        # The ones before it in this sale are already in the session's view of the uses.
        voucher_left(uow, tender.reference, today, tender.amount)
        use_id = str(uuid.uuid4())
        uow.vouchers.add(
            GiftVoucherUse(
                use_id=use_id,
                serial=tender.reference,
                kind="redeemed",
                amount=tender.amount,
                sale_id=sale.sale_id,
                at=sale.sold_at,
            )
        )
        uow.emit(
            EventKind.VOUCHER_REDEEMED,
            VoucherRedeemedV1(
                redemption_id=uuid.UUID(use_id),
                serial=tender.reference,
                sale_id=uuid.UUID(sale.sale_id),
                amount=tender.amount,
                redeemed_at=sale.sold_at,
            ),
            sale.sold_at,
        )
