"""What every till service needs: the store, a clock, and the outlet's settings."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from shared.cart import SaleError, SaleRules
from shared.gst import GstRounding
from shared.loyalty import LoyaltyScheme
from shared.loyalty_wire import scheme_of
from shared.money import CashRounding
from shared.protocol import OutletV1
from shared.receipt import Supplier
from till.store.db import StoreError
from till.store.models import Outlet, TillIdentity
from till.store.uow import NotSetUp

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class CashierError(ValueError):
    """Something the cashier asked for cannot be done; the message says what to do instead."""


# The store's own troubles (busy, full or read-only disk, not set up) reach the screens as the
# store words them: each message already says what to do.
StoreProblem = StoreError
# Everything a cashier's action may be refused with, each message saying what to do instead:
# a service's refusal, the cart's and tender's rules, the store's troubles. Screens show these
# in words; anything else is a bug and goes to the error hook.
REFUSALS: tuple[type[Exception], ...] = (CashierError, SaleError, StoreError)


@dataclass(frozen=True)
class OutletProfile:
    """The outlet's settings as head office last sent them, and this till's codes."""

    outlet: OutletV1
    till_code: str

    @property
    def rules(self) -> SaleRules:
        o = self.outlet
        return SaleRules(
            gst_registered=o.gst_reg_no is not None,
            gst_rounding=GstRounding(o.gst_rounding),
            cash_rounding=CashRounding(o.cash_rounding),
            discount_limit_percent=o.discount_limit_percent,
        )

    @property
    def supplier(self) -> Supplier:
        o = self.outlet
        return Supplier(name=o.name, address_lines=tuple(o.address_lines), gst_reg_no=o.gst_reg_no)

    @property
    def loyalty(self) -> LoyaltyScheme | None:
        """The outlet's points scheme as head office last sent it; None: no points."""
        return scheme_of(self.outlet.loyalty)

    @property
    def variance_limit(self) -> Decimal:
        return self.outlet.variance_limit


def load_profile(session: Session) -> OutletProfile:
    ident = session.get(TillIdentity, 1)
    if ident is None:
        raise NotSetUp("this till has no identity yet: enrol it (sgpos-install) or run the demo")
    row = session.get(Outlet, ident.outlet_id)
    if row is None:
        raise NotSetUp(
            "this till has not received its outlet's settings yet; connect it to head office "
            "once (sgpos-sync once) and try again"
        )
    data = {**row.settings, "outlet_id": row.outlet_id, "code": row.code, "name": row.name}
    return OutletProfile(OutletV1.model_validate_json(json.dumps(data)), ident.till_code)
