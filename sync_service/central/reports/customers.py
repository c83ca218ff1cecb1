"""Members and business customers as head office sees them: the list, one customer's consent,
purchases and points ledger, and everything kept about them for a PDPA access request.

An outlet manager sees the customers of their own outlet; admins and analysts every outlet's.
Mobile numbers are shown masked in lists (the last four digits); the detail page and the export
show what is kept, because answering an access request means showing it.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, or_, select

from sync_service.central.admin.catalogue_view import like_pattern
from sync_service.central.models import Customer, LoyaltyEntry, Outlet, Sale
from sync_service.central.reports.common import Scope

MAX_ROWS = 500
PURCHASES_SHOWN = 100


@dataclass(frozen=True)
class CustomerRow:
    customer_id: uuid.UUID
    member_no: str | None
    name: str | None
    company_name: str | None
    phone_masked: str
    outlet_code: str | None
    consent_contact: bool
    consent_marketing: bool
    points: int


@dataclass(frozen=True)
class Purchase:
    sale_id: uuid.UUID
    receipt_no: str
    sold_at: datetime
    total: Decimal


@dataclass(frozen=True)
class PointsEntry:
    occurred_at: datetime
    kind: str
    points: int
    receipt_no: str | None
    expires_on: date | None


@dataclass(frozen=True)
class CustomerDetail:
    row: CustomerRow
    phone: str | None
    email: str | None
    consent_purpose: str | None
    consent_at: datetime | None
    consent_by: uuid.UUID | None
    withdrawn_at: datetime | None
    anonymised_at: datetime | None
    uen: str | None
    address_lines: tuple[str, ...]
    gst_reg_no: str | None
    purchases: tuple[Purchase, ...]
    ledger: tuple[PointsEntry, ...]


def masked(phone: str | None) -> str:
    return f"****{phone[-4:]}" if phone else ""


def _points() -> Any:
    return (
        select(func.coalesce(func.sum(LoyaltyEntry.points), 0))
        .where(LoyaltyEntry.customer_id == Customer.customer_id)
        .scalar_subquery()
    )


def _rows(conn: Connection, query: Any) -> list[CustomerRow]:
    return [
        CustomerRow(
            customer_id=r.customer_id,
            member_no=r.member_no,
            name=r.name,
            company_name=r.company_name,
            phone_masked=masked(r.phone),
            outlet_code=r.code,
            consent_contact=r.consent_contact,
            consent_marketing=r.consent_marketing,
            points=int(r.points),
        )
        for r in conn.execute(query)
    ]


def _base(scope: Scope) -> Any:
    return (
        select(
            Customer.customer_id,
            Customer.member_no,
            Customer.name,
            Customer.company_name,
            Customer.phone,
            Customer.consent_contact,
            Customer.consent_marketing,
            Outlet.code,
            _points().label("points"),
        )
        .outerjoin(Outlet, Outlet.outlet_id == Customer.outlet_id)
        .where(scope.clause(Customer.outlet_id))
    )


def list_customers(conn: Connection, scope: Scope, text: str = "") -> list[CustomerRow]:
    """Customers in scope whose name, company, member number or mobile's digits match."""
    wanted = text.strip()[:120]
    query = _base(scope)
    if wanted:
        pattern = like_pattern(wanted)
        digits = "".join(ch for ch in wanted if ch.isdigit())
        query = query.where(
            or_(
                Customer.name.ilike(pattern, escape="\\"),
                Customer.company_name.ilike(pattern, escape="\\"),
                Customer.member_no.ilike(pattern, escape="\\"),
                *([Customer.phone.like(f"%{digits}")] if len(digits) >= 4 else []),
            )
        )
    query = query.order_by(Customer.name, Customer.member_no).limit(MAX_ROWS)
    return _rows(conn, query)


def customer_detail(
    conn: Connection, scope: Scope, customer_id: uuid.UUID
) -> CustomerDetail | None:
    """One customer in scope with their purchases and points ledger; None if not visible."""
    found = _rows(conn, _base(scope).where(Customer.customer_id == customer_id))
    if not found:
        return None
    table = Customer.__table__
    c = conn.execute(select(table).where(table.c.customer_id == customer_id)).one()
    purchases = conn.execute(
        select(Sale.sale_id, Sale.receipt_no, Sale.sold_at, Sale.total + Sale.rounding)
        .where(Sale.customer_id == customer_id)
        .order_by(Sale.sold_at.desc())
        .limit(PURCHASES_SHOWN)
    )
    ledger = conn.execute(
        select(
            LoyaltyEntry.occurred_at,
            LoyaltyEntry.kind,
            LoyaltyEntry.points,
            Sale.receipt_no,
            LoyaltyEntry.expires_on,
        )
        .outerjoin(Sale, Sale.sale_id == LoyaltyEntry.sale_id)
        .where(LoyaltyEntry.customer_id == customer_id)
        .order_by(LoyaltyEntry.occurred_at, LoyaltyEntry.entry_id)
    )
    return CustomerDetail(
        row=found[0],
        phone=c.phone,
        email=c.email,
        consent_purpose=c.consent_purpose,
        consent_at=c.consent_at,
        consent_by=c.consent_by,
        withdrawn_at=c.withdrawn_at,
        anonymised_at=c.anonymised_at,
        uen=c.uen,
        address_lines=tuple(c.address_lines or ()),
        gst_reg_no=c.gst_reg_no,
        purchases=tuple(Purchase(*p) for p in purchases),
        ledger=tuple(PointsEntry(*e) for e in ledger),
    )


def personal_data(detail: CustomerDetail) -> dict[str, Any]:
    """Everything kept about the customer, for a PDPA access request, as JSON-ready values."""

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if isinstance(value, uuid.UUID | Decimal):
            return str(value)
        if isinstance(value, datetime | date):
            return value.isoformat()
        return value

    data = asdict(detail)
    data.update(data.pop("row"))
    data.pop("phone_masked", None)
    return plain(data)  # type: ignore[no-any-return]
