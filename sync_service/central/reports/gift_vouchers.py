"""Gift vouchers at head office: what each batch owes (sold and not yet redeemed), by batch
and by outlet, what has expired unused, and the vouchers reconciliation flags.

Liability is company-wide: a voucher sold at one outlet may be spent at any other. A voucher
is outstanding for what was sold less what was redeemed, never below nothing: an
over-redeemed voucher owes nothing more and is flagged instead.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Connection, text

from sync_service.central.reports.common import ZERO

MAX_FLAGS = 200  # a page of flags; the count says how many there are in all

# One row per voucher with what was sold and redeemed for it; each batch and outlet figure
# below is a sum over these.
_PER_VOUCHER = """
WITH sold AS (
    SELECT serial, count(*) AS times, min(amount) AS amount FROM sgpos.gift_voucher_sale
    GROUP BY serial
), taken AS (
    SELECT serial, sum(amount) AS amount, count(DISTINCT till_id) AS tills
    FROM sgpos.gift_voucher_redemption GROUP BY serial
)
SELECT v.serial, v.batch_id, v.status, b.prefix, b.face_value, b.expires_on,
       coalesce(sold.times, 0) AS times_sold, coalesce(sold.amount, 0) AS sold,
       coalesce(taken.amount, 0) AS redeemed, coalesce(taken.tills, 0) AS tills
FROM sgpos.gift_voucher v
JOIN sgpos.voucher_batch b ON b.batch_id = v.batch_id
LEFT JOIN sold ON sold.serial = v.serial
LEFT JOIN taken ON taken.serial = v.serial
"""


@dataclass(frozen=True)
class BatchLiability:
    batch_id: uuid.UUID
    prefix: str
    count: int
    face_value: Decimal
    expires_on: date | None
    note: str | None
    created_at: datetime
    voided: int
    sold: int  # vouchers sold
    sold_value: Decimal
    redeemed_value: Decimal
    outstanding: Decimal  # sold and not yet redeemed, not expired
    expired_unused: Decimal  # sold, not redeemed, past expiry: no longer owed


@dataclass(frozen=True)
class OutletVouchers:
    code: str
    name: str
    sold: int
    sold_value: Decimal
    redeemed_value: Decimal


@dataclass(frozen=True)
class VoucherFlag:
    """A voucher reconciliation cannot square: ``kind`` over-redeemed (redemptions worth more
    than it was sold for), sold twice, redeemed unsold (no sale of it has reached head office),
    or redeemed void."""

    serial: str
    kind: str
    face_value: Decimal
    sold: Decimal
    redeemed: Decimal
    tills: int  # tills that took it

    @property
    def over(self) -> Decimal:
        """Value taken beyond what it was worth: what the shop gave away."""
        worth = self.sold if self.sold > 0 else self.face_value
        return max(self.redeemed - worth, ZERO)


@dataclass(frozen=True)
class Liability:
    batches: tuple[BatchLiability, ...]
    outlets: tuple[OutletVouchers, ...]
    as_of: date

    @property
    def outstanding(self) -> Decimal:
        return sum((b.outstanding for b in self.batches), ZERO)

    @property
    def sold_value(self) -> Decimal:
        return sum((b.sold_value for b in self.batches), ZERO)

    @property
    def redeemed_value(self) -> Decimal:
        return sum((b.redeemed_value for b in self.batches), ZERO)

    @property
    def expired_unused(self) -> Decimal:
        return sum((b.expired_unused for b in self.batches), ZERO)


def liability(conn: Connection, today: date) -> Liability:
    rows = conn.execute(
        text(
            f"""
            WITH per AS ({_PER_VOUCHER})
            SELECT b.batch_id, b.prefix, b.count, b.face_value, b.expires_on, b.note,
                   b.created_at,
                   count(*) FILTER (WHERE per.status = 'void') AS voided,
                   count(*) FILTER (WHERE per.times_sold > 0) AS sold,
                   coalesce(sum(per.sold), 0) AS sold_value,
                   coalesce(sum(per.redeemed), 0) AS redeemed_value,
                   coalesce(sum(greatest(per.sold - per.redeemed, 0))
                       FILTER (WHERE b.expires_on IS NULL OR b.expires_on >= :today), 0)
                       AS outstanding,
                   coalesce(sum(greatest(per.sold - per.redeemed, 0))
                       FILTER (WHERE b.expires_on < :today), 0) AS expired_unused
            FROM sgpos.voucher_batch b LEFT JOIN per ON per.batch_id = b.batch_id
            GROUP BY b.batch_id ORDER BY b.created_at DESC, b.prefix
            """  # noqa: S608  (constant SQL)
        ),
        {"today": today},
    ).all()
    outlets = conn.execute(
        text(
            """
            SELECT o.code, o.name,
                   (SELECT count(*) FROM sgpos.gift_voucher_sale s
                    WHERE s.outlet_id = o.outlet_id) AS sold,
                   (SELECT coalesce(sum(amount), 0) FROM sgpos.gift_voucher_sale s
                    WHERE s.outlet_id = o.outlet_id) AS sold_value,
                   (SELECT coalesce(sum(amount), 0) FROM sgpos.gift_voucher_redemption r
                    WHERE r.outlet_id = o.outlet_id) AS redeemed_value
            FROM sgpos.outlet o ORDER BY o.code
            """
        )
    ).all()
    return Liability(
        batches=tuple(BatchLiability(*r) for r in rows),
        outlets=tuple(OutletVouchers(*r) for r in outlets if r.sold or r.redeemed_value),
        as_of=today,
    )


def flags(conn: Connection) -> tuple[tuple[VoucherFlag, ...], int]:
    """The vouchers reconciliation flags, worst first, at most ``MAX_FLAGS``; and how many."""
    query = f"""
        WITH per AS ({_PER_VOUCHER}), flagged AS (
            SELECT serial, face_value, sold, redeemed, tills,
                   CASE WHEN times_sold > 0 AND redeemed > sold THEN 'over-redeemed'
                        WHEN times_sold > 1 THEN 'sold twice'
                        WHEN status = 'void' AND redeemed > 0 THEN 'redeemed void'
                        WHEN times_sold = 0 AND redeemed > face_value THEN 'over-redeemed'
                        WHEN times_sold = 0 AND redeemed > 0 THEN 'redeemed unsold'
                   END AS kind
            FROM per
        )
        SELECT serial, kind, face_value, sold, redeemed, tills, count(*) OVER () AS total
        FROM flagged WHERE kind IS NOT NULL
        ORDER BY redeemed - greatest(sold, face_value) DESC, serial
        LIMIT :limit
    """  # noqa: S608  (constant SQL)
    rows = conn.execute(text(query), {"limit": MAX_FLAGS}).all()
    total = rows[0].total if rows else 0
    return tuple(VoucherFlag(*r[:6]) for r in rows), total


@dataclass(frozen=True)
class VoucherHistory:
    serial: str
    status: str
    face_value: Decimal
    sales: tuple[tuple[datetime, str, Decimal], ...]  # when, outlet code, amount
    redemptions: tuple[tuple[datetime, str, Decimal], ...]


def voucher_history(conn: Connection, serial: str) -> VoucherHistory | None:
    row = conn.execute(
        text(
            "SELECT v.serial, v.status, b.face_value FROM sgpos.gift_voucher v "
            "JOIN sgpos.voucher_batch b ON b.batch_id = v.batch_id WHERE v.serial = :s"
        ),
        {"s": serial},
    ).first()
    if row is None:
        return None

    def facts(table: str, moment: str) -> tuple[tuple[datetime, str, Decimal], ...]:
        found = conn.execute(
            text(
                f"SELECT f.{moment}, o.code, f.amount FROM sgpos.{table} f "  # noqa: S608
                "JOIN sgpos.outlet o ON o.outlet_id = f.outlet_id "
                f"WHERE f.serial = :s ORDER BY f.{moment}"
            ),
            {"s": serial},
        )
        return tuple((r[0], r[1], r[2]) for r in found)

    return VoucherHistory(
        row.serial,
        row.status,
        row.face_value,
        facts("gift_voucher_sale", "sold_at"),
        facts("gift_voucher_redemption", "redeemed_at"),
    )
