"""Customers at the till: find a member, enrol a new one with their consent, and the business
details a full tax invoice needs.

PDPA, as the till applies it: buying never needs a customer; a member's mobile number and
e-mail are kept only with their consent to be contacted about their membership, recorded with
its purpose, moment and the staff member who took it; marketing is a separate opt-in, off
unless ticked; no NRIC or FIN number is ever taken (text shaped like one is refused). Every
enrolment is a ``customer.upserted`` event in the same transaction, so head office gets it
exactly once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from shared.customers import (
    CustomerDetailError,
    MemberNumber,
    check_no_nric,
    mobile_number,
    valid_uen,
)
from shared.protocol import CustomerUpsertedV1, EventKind
from shared.receipt import CustomerDetails
from shared.text import unseen_character
from till.services.context import CashierError, Clock, OutletProfile, utc_now
from till.services.loyalty import balance
from till.services.ports import UnitsOfWork
from till.services.staff import SignedIn
from till.store.models import Customer

MEMBER_COUNTER = "member"
# What the consent is for unless the cashier words it otherwise: membership, not marketing.
MEMBERSHIP_PURPOSE = "membership: identify the member at the till, keep their points and receipts"
FOUND_AT_MOST = 20


@dataclass(frozen=True)
class CustomerCard:
    """A customer as the till shows and attaches them; no more than the sale needs."""

    customer_id: str
    name: str
    phone: str | None
    member_no: str | None
    consent_marketing: bool
    company_name: str | None = None
    uen: str | None = None
    address_lines: tuple[str, ...] = ()
    gst_reg_no: str | None = None

    @property
    def is_business(self) -> bool:
        """Enough for a full tax invoice: the company's name and address (IRAS reg 11)."""
        return bool(self.company_name) and any(line.strip() for line in self.address_lines)

    def invoice_details(self) -> CustomerDetails | None:
        """The customer block of a full tax invoice, or None for a private member."""
        if not self.is_business:
            return None
        lines = list(self.address_lines)
        if self.uen:
            lines.append(f"UEN {self.uen}")
        return CustomerDetails(
            name=self.company_name or self.name,
            address_lines=tuple(lines),
            gst_reg_no=self.gst_reg_no,
        )

    def label(self) -> str:
        """One line for the sell screen: who is attached to the sale."""
        who = f"{self.company_name} ({self.name})" if self.company_name else self.name
        number = f" · {self.member_no}" if self.member_no else ""
        phone = f" · {_masked(self.phone)}" if self.phone else ""
        return f"{who}{number}{phone}"


@dataclass(frozen=True)
class NewMember:
    """What the cashier typed on the new-member form."""

    name: str
    mobile: str = ""
    email: str = ""
    consent_contact: bool = False  # agreed to be contacted about the membership
    consent_marketing: bool = False  # a separate opt-in: never implied by the above
    purpose: str = MEMBERSHIP_PURPOSE
    company_name: str = ""
    uen: str = ""
    address_lines: tuple[str, ...] = field(default_factory=tuple)
    gst_reg_no: str = ""


def card_of(row: Customer) -> CustomerCard:
    return CustomerCard(
        customer_id=row.customer_id,
        name=row.name or "(no name)",
        phone=row.phone,
        member_no=row.member_no,
        consent_marketing=row.consent_marketing,
        company_name=row.company_name,
        uen=row.uen,
        address_lines=tuple(row.address_lines or ()),
        gst_reg_no=row.gst_reg_no,
    )


class CustomerService:
    def __init__(self, uow: UnitsOfWork, profile: OutletProfile, clock: Clock = utc_now) -> None:
        self.uow = uow
        self.profile = profile
        self.clock = clock

    def find(self, text: str) -> list[CustomerCard]:
        """Members whose mobile number, member number or name (or company) matches ``text``."""
        typed = text.strip()
        if not typed:
            return []
        with self.uow(write=False) as uow:
            if typed.upper().startswith("M-"):
                try:
                    number = str(MemberNumber.parse(typed))
                except CustomerDetailError as exc:
                    raise CashierError(str(exc)) from None
                row = uow.customers.by_member_no(number)
                return [card_of(row)] if row else []
            if "".join(typed.split()).lstrip("+").replace("-", "").isdigit():
                try:
                    phone = mobile_number(typed)
                except CustomerDetailError as exc:
                    raise CashierError(str(exc)) from None
                return [card_of(row) for row in uow.customers.by_phone(phone)]
            if len(typed) < 2:
                raise CashierError("type at least 2 letters of the name, or the mobile number")
            return [card_of(row) for row in uow.customers.named(typed, FOUND_AT_MOST)]

    def get(self, customer_id: str) -> CustomerCard | None:
        with self.uow(write=False) as uow:
            row = uow.customers.get(customer_id)
            return card_of(row) if row else None

    def points(self, customer_id: str) -> int:
        """The member's points at this till: head office's last word on every entry this till
        did not make, plus this till's own ledger; never below 0 (``till.services.loyalty``)."""
        with self.uow(write=False) as uow:
            return balance(uow, customer_id).points

    def withdraw_consent(self, customer_id: str, by: SignedIn) -> CustomerCard:
        """The member withdraws their consent: their mobile number and e-mail are erased and
        marketing stops, here and (by the event) at head office; the membership, its number and
        points stay, found by name or member number from now on."""
        now = self.clock()
        with self.uow() as uow:
            row = uow.customers.get(customer_id)
            if row is None:
                raise CashierError("that customer is not on this till")
            if row.withdrawn_at is not None:
                raise CashierError(f"{row.name} already withdrew their consent")
            row.phone = None
            row.email = None
            row.consent_contact = False
            row.consent_marketing = False
            row.withdrawn_at = now
            uow.emit(EventKind.CUSTOMER_UPSERTED, _event(row), now)
            uow.audit(
                "customer.consent_withdrawn",
                actor=by.staff_id,
                at=now,
                subject=row.member_no,
                after={"consent_contact": False, "consent_marketing": False},
            )
            uow.commit()
        return card_of(row)

    def enrol(self, new: NewMember, by: SignedIn) -> CustomerCard:
        """Record a new member (and their consent) and queue them for head office."""
        try:
            values = _checked(new)
        except CustomerDetailError as exc:
            raise CashierError(str(exc)) from None
        now = self.clock()
        with self.uow() as uow:
            if values["phone"] and (same := uow.customers.by_phone(values["phone"])):
                known = same[0]
                raise CashierError(
                    f"{_masked(values['phone'])} is already member {known.member_no or ''} "
                    f"({known.name}): find them instead of enrolling again"
                )
            number = MemberNumber(
                self.profile.outlet.code,
                self.profile.till_code,
                uow.next_number(MEMBER_COUNTER),
            )
            consented = values["consent_contact"]
            row = Customer(
                customer_id=str(uuid.uuid4()),
                member_no=str(number),
                consent_at=now if consented else None,
                consent_by=by.staff_id if consented else None,
                withdrawn_at=None,
                **values,
            )
            uow.customers.add(row)
            uow.emit(EventKind.CUSTOMER_UPSERTED, _event(row), now)
            # The audit trail says who enrolled whom and what they agreed to, without copying
            # their contact details into a second place.
            uow.audit(
                "customer.enrolled",
                actor=by.staff_id,
                at=now,
                subject=str(number),
                after={
                    "consent_contact": consented,
                    "consent_marketing": row.consent_marketing,
                    "purpose": row.consent_purpose,
                    "business": bool(row.company_name),
                },
            )
            uow.commit()
        return card_of(row)


def _event(row: Customer) -> CustomerUpsertedV1:
    return CustomerUpsertedV1(
        customer_id=uuid.UUID(row.customer_id),
        name=row.name,
        phone=row.phone,
        email=row.email,
        consent_contact=row.consent_contact,
        consent_marketing=row.consent_marketing,
        consent_at=row.consent_at,
        withdrawn_at=row.withdrawn_at,
        member_no=row.member_no,
        consent_purpose=row.consent_purpose,
        consent_by=uuid.UUID(row.consent_by) if row.consent_by else None,
        company_name=row.company_name,
        uen=row.uen,
        address_lines=list(row.address_lines) if row.address_lines else None,
        gst_reg_no=row.gst_reg_no,
    )


def _text(value: str, what: str, limit: int) -> str:
    cleaned = " ".join(value.split())
    if len(cleaned) > limit:
        raise CustomerDetailError(f"the {what} is too long (at most {limit} characters)")
    if bad := unseen_character(cleaned):
        raise CustomerDetailError(f"the {what} contains an invisible character ({bad})")
    check_no_nric(cleaned, what)
    return cleaned


def _checked(new: NewMember) -> dict[str, Any]:
    name = _text(new.name, "name", 120)
    if not name:
        raise CustomerDetailError("type the member's name (or the contact person's)")
    phone = mobile_number(new.mobile) if new.mobile.strip() else None
    email = _text(new.email, "e-mail", 254) or None
    if email and ("@" not in email or " " in email or "." not in email.rsplit("@", 1)[-1]):
        raise CustomerDetailError(f"{email!r} is not an e-mail address")
    if (phone or email) and not new.consent_contact:
        raise CustomerDetailError(
            "a mobile number or e-mail is kept only with the member's consent: tick "
            "'agrees to be contacted' after asking, or leave them out"
        )
    if new.consent_marketing and not (phone or email):
        raise CustomerDetailError("marketing needs a mobile number or e-mail to send it to")
    purpose = _text(new.purpose, "purpose", 200) or MEMBERSHIP_PURPOSE
    company = _text(new.company_name, "company name", 120) or None
    address = tuple(line for line in (_text(a, "address", 120) for a in new.address_lines) if line)
    if len(address) > 4:
        raise CustomerDetailError("the address has at most 4 lines")
    if company and not address:
        raise CustomerDetailError(
            "a business customer needs the company's address for a tax invoice: type it"
        )
    if address and not company:
        raise CustomerDetailError("an address is kept for a business customer: type the company")
    uen = valid_uen(new.uen) if new.uen.strip() else None
    if uen and not company:
        raise CustomerDetailError("a UEN belongs to a company: type the company name too")
    gst_reg_no = "".join(new.gst_reg_no.split()).upper() or None
    if gst_reg_no and not (8 <= len(gst_reg_no) <= 20 and gst_reg_no.replace("-", "").isalnum()):
        raise CustomerDetailError(f"{gst_reg_no!r} is not a GST registration number")
    return {
        "name": name,
        "phone": phone,
        "email": email,
        "consent_contact": new.consent_contact,
        "consent_marketing": new.consent_marketing,
        "consent_purpose": purpose,
        "company_name": company,
        "uen": uen,
        "address_lines": list(address) or None,
        "gst_reg_no": gst_reg_no,
    }


def _masked(phone: str | None) -> str:
    """A phone number as a screen shows it to anyone at the counter: the last 4 digits."""
    if not phone:
        return ""
    return f"****{phone[-4:]}"
