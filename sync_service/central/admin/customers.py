"""PDPA erasure at head office: a customer's personal data cleared on their request, their
purchases and points kept (the sales are the shop's records, kept 5 years for IRAS; the points
ledger names the customer only by a random id).

Anonymised means every detail that could identify the person is gone: name, mobile, e-mail,
company, UEN, address, GST registration number, member number, the consent's purpose and who
recorded it. The row stays (marked ``anonymised_at``) so the sales and ledger that point at
it still add up, and a till that later sends its own copy of the customer changes nothing.
The tills' copies go too: the change is logged and the outlet's tills get the customer as
deleted at their next pull (docs/customers.md).
"""

from __future__ import annotations

import uuid

from sqlalchemy import Engine, func, select, update

from sync_service.central.admin.edits import AdminError, head_office_edit, record_edit
from sync_service.central.models import Customer
from sync_service.central.reports.common import Scope

CLEARED = {
    "name": None,
    "phone": None,
    "email": None,
    "company_name": None,
    "uen": None,
    "address_lines": None,
    "gst_reg_no": None,
    "member_no": None,
    "consent_purpose": None,
    "consent_by": None,
    "consent_contact": False,
    "consent_marketing": False,
}


def anonymise_customer(engine: Engine, actor: str, scope: Scope, customer_id: uuid.UUID) -> None:
    with head_office_edit(engine, actor) as conn:
        found = conn.execute(
            select(Customer.anonymised_at)
            .where(Customer.customer_id == customer_id, scope.clause(Customer.outlet_id))
            .with_for_update()
        ).one_or_none()
        if found is None:
            raise AdminError("no such customer at the outlets you may see")
        if found.anonymised_at is not None:
            raise AdminError("this customer's data was already erased")
        conn.execute(
            update(Customer)
            .where(Customer.customer_id == customer_id)
            .values(
                **CLEARED,
                withdrawn_at=func.coalesce(Customer.withdrawn_at, func.now()),
                anonymised_at=func.now(),
                updated_at=func.now(),
            )
        )
        # The audit says who erased whom, by the random id only: nothing personal is copied.
        record_edit(
            conn,
            table="customer",
            key=str(customer_id),
            op="update",
            before=None,
            after={"anonymised": True},
        )
