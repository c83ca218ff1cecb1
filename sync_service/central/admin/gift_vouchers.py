"""Gift voucher batches at head office: issue a series, void a voucher.

A batch is created with all its serials in one audited transaction; the batch row is master
data tills pull (``VoucherBatchV1``), with the serials voided so far. Voiding a voucher marks
it and touches its batch, so the void reaches every till at its next pull.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import Engine, func, insert, select, update

from shared.gift_vouchers import MAX_BATCH, VoucherError, check_prefix, parse_serial, serial_of
from shared.logs import get_logger
from shared.text import whole_number
from sync_service.central.admin.edits import AdminError, FieldError, head_office_edit, record_edit
from sync_service.central.models import GiftVoucher, VoucherBatch

log = get_logger("sgpos.admin.gift_vouchers")
MAX_FACE_VALUE = Decimal("10000.00")


@dataclass(frozen=True)
class NewBatch:
    prefix: str
    count: int
    face_value: Decimal
    expires_on: date | None
    note: str | None = None


def read_batch_form(
    prefix: str, count: str, face_value: str, expires_on: str, note: str, today: date
) -> NewBatch:
    """The form's text as a batch, or a FieldError naming the field and what to type."""
    prefix = prefix.strip().upper()
    try:
        check_prefix(prefix)
    except VoucherError as exc:
        raise FieldError("prefix", str(exc)) from None
    vouchers = whole_number(count.strip())
    if vouchers is None or not 1 <= vouchers <= MAX_BATCH:
        raise FieldError("count", f"type a whole number of vouchers from 1 to {MAX_BATCH}")
    try:
        value = Decimal(face_value.strip().lstrip("$"))
    except InvalidOperation:
        raise FieldError("face value", "type the amount in dollars, like 50 or 50.00") from None
    if not value.is_finite() or value <= 0 or value > MAX_FACE_VALUE or value != round(value, 2):
        raise FieldError("face value", f"a value from $0.01 to ${MAX_FACE_VALUE:,.2f}, in cents")
    expiry = None
    if expires_on.strip():
        try:
            expiry = date.fromisoformat(expires_on.strip())
        except ValueError:
            raise FieldError("expires on", "a date like 2027-12-31, or leave it empty") from None
        if expiry < today:
            raise FieldError("expires on", "that date has passed: a batch must expire later")
    return NewBatch(prefix, vouchers, value, expiry, note.strip()[:120] or None)


def issue_batch(engine: Engine, actor: str, batch: NewBatch) -> uuid.UUID:
    """Create the batch and its serials ``<prefix>-000001``... in one transaction."""
    batch_id = uuid.uuid4()
    with head_office_edit(engine, actor) as conn:
        taken = conn.scalar(
            select(VoucherBatch.batch_id).where(VoucherBatch.prefix == batch.prefix)
        )
        if taken is not None:
            raise FieldError("prefix", f"{batch.prefix} is already a batch: choose another prefix")
        conn.execute(
            insert(VoucherBatch).values(
                batch_id=batch_id,
                prefix=batch.prefix,
                count=batch.count,
                face_value=batch.face_value,
                expires_on=batch.expires_on,
                note=batch.note,
            )
        )
        conn.execute(
            insert(GiftVoucher),
            [
                {"serial": serial_of(batch.prefix, n), "batch_id": batch_id}
                for n in range(1, batch.count + 1)
            ],
        )
    log.info("gift_vouchers.batch_issued", prefix=batch.prefix, count=batch.count)
    return batch_id


def void_voucher(engine: Engine, actor: str, serial_text: str) -> str:
    """Void one voucher (lost, stolen, printed wrong): tills refuse it after their next pull."""
    try:
        prefix, number = parse_serial(serial_text)
    except VoucherError as exc:
        raise FieldError("serial", str(exc)) from None
    serial = serial_of(prefix, number)
    with head_office_edit(engine, actor) as conn:
        row = conn.execute(
            select(GiftVoucher.batch_id, GiftVoucher.status).where(GiftVoucher.serial == serial)
        ).first()
        if row is None:
            raise FieldError("serial", f"no gift voucher {serial} was issued")
        if row.status == "void":
            raise AdminError(f"gift voucher {serial} is already void")
        conn.execute(
            update(GiftVoucher)
            .where(GiftVoucher.serial == serial)
            .values(status="void", voided_at=func.now())
        )
        conn.execute(
            update(VoucherBatch)
            .where(VoucherBatch.batch_id == row.batch_id)
            .values(updated_at=func.now())
        )
        record_edit(
            conn,
            table="gift_voucher",
            key=serial,
            op="UPDATE",
            before={"status": "issued"},
            after={"status": "void"},
        )
    log.info("gift_vouchers.voided", serial=serial)
    return serial
