"""The dashboard's summaries, moved by exactly what one push adds.

Projections call ``add_sale`` / ``add_refund`` only for facts whose insert succeeded in this
transaction (a duplicate or a conflicting fact is never added), and ``flush`` writes every
touched summary row once, in key order, in the same transaction. Key order matters: two
pushes of the same outlet lock the same rows, and locking them in one order means they queue
instead of deadlocking.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, Table

from shared.gst import SINGAPORE
from shared.protocol import RefundCompletedV1, SaleCompletedV1
from sync_service.central import models as m
from sync_service.central.bulk import bulk_insert


def _t(model: type[m.Base]) -> Table:
    t = model.__table__
    assert isinstance(t, Table)
    return t


BY_HOUR, BY_TAX, BY_TENDER = _t(m.SalesByHour), _t(m.SalesByTax), _t(m.SalesByTender)
_HOUR_SUMS = (
    "sales_count",
    "sales_total",
    "sales_gst",
    "sales_rounding",
    "refund_count",
    "refund_total",
    "refund_gst",
    "refund_rounding",
)
_TAX_SUMS = ("sales_amount", "sales_gst", "refund_amount", "refund_gst")
_TENDER_SUMS = ("sales_amount", "refund_amount")

HourKey = tuple[uuid.UUID, date, int]
TaxKey = tuple[uuid.UUID, date, str, Decimal]
TenderKey = tuple[uuid.UUID, date, str]


def _zeros(n: int) -> list[Decimal]:
    return [Decimal(0)] * n


@dataclass
class SummaryDeltas:
    """What this push adds to each summary row."""

    by_hour: dict[HourKey, list[Decimal]] = field(default_factory=lambda: defaultdict(_hours))
    by_tax: dict[TaxKey, list[Decimal]] = field(default_factory=lambda: defaultdict(_taxes))
    by_tender: dict[TenderKey, list[Decimal]] = field(default_factory=lambda: defaultdict(_tenders))

    def add_sale(self, outlet_id: uuid.UUID, sale: SaleCompletedV1) -> None:
        local = sale.sold_at.astimezone(SINGAPORE)
        day = local.date()
        hour = self.by_hour[(outlet_id, day, local.hour)]
        hour[0] += 1
        hour[1] += sale.total
        hour[2] += sale.gst_total
        hour[3] += sale.rounding
        for line in sale.lines:
            tax = self.by_tax[(outlet_id, day, line.tax_code, line.gst_rate)]
            tax[0] += line.amount
            tax[1] += line.gst
        for tender in sale.tenders:
            self.by_tender[(outlet_id, day, tender.type)][0] += tender.amount
        if sale.change:
            # Change is given in cash: cash taken is what was handed over less change.
            self.by_tender[(outlet_id, day, "cash")][0] -= sale.change

    def add_refund(self, outlet_id: uuid.UUID, refund: RefundCompletedV1) -> None:
        local = refund.refunded_at.astimezone(SINGAPORE)
        day = local.date()
        hour = self.by_hour[(outlet_id, day, local.hour)]
        hour[4] += 1
        hour[5] += refund.total
        hour[6] += refund.gst_total
        hour[7] += refund.rounding
        for line in refund.lines:
            # At the rate originally charged: the line carries it from the sale.
            tax = self.by_tax[(outlet_id, day, line.tax_code, line.gst_rate)]
            tax[2] += line.amount
            tax[3] += line.gst
        for tender in refund.tenders:
            self.by_tender[(outlet_id, day, tender.type)][1] += tender.amount

    def flush(self, conn: Connection) -> None:
        _upsert(conn, BY_HOUR, ("outlet_id", "business_date", "hour"), _HOUR_SUMS, self.by_hour)
        _upsert(
            conn,
            BY_TAX,
            ("outlet_id", "business_date", "tax_code", "gst_rate"),
            _TAX_SUMS,
            self.by_tax,
        )
        _upsert(
            conn,
            BY_TENDER,
            ("outlet_id", "business_date", "tender_type"),
            _TENDER_SUMS,
            self.by_tender,
        )
        self.by_hour.clear()
        self.by_tax.clear()
        self.by_tender.clear()


def _hours() -> list[Decimal]:
    return _zeros(len(_HOUR_SUMS))


def _taxes() -> list[Decimal]:
    return _zeros(len(_TAX_SUMS))


def _tenders() -> list[Decimal]:
    return _zeros(len(_TENDER_SUMS))


def _upsert(
    conn: Connection,
    table: Table,
    keys: tuple[str, ...],
    sums: tuple[str, ...],
    deltas: dict[tuple[object, ...], list[Decimal]]
    | dict[HourKey, list[Decimal]]
    | dict[TaxKey, list[Decimal]]
    | dict[TenderKey, list[Decimal]],
) -> None:
    if not deltas:
        return
    rows = [
        {**dict(zip(keys, key, strict=True)), **dict(zip(sums, values, strict=True))}
        for key, values in sorted(deltas.items(), key=lambda kv: tuple(map(str, kv[0])))
    ]
    adds = ", ".join(f"{c} = {table.name}.{c} + EXCLUDED.{c}" for c in sums)
    bulk_insert(conn, table, rows, on_conflict=f"({', '.join(keys)}) DO UPDATE SET {adds}")
