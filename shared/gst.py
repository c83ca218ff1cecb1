"""Singapore GST: the date-effective standard rate, tax codes and tax in inclusive prices.

Retail prices are GST-inclusive, so the tax is extracted: price × r / (100 + r), rounded to the
nearest cent. Rates change by *date of supply* in Singapore local time, never earlier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum

from shared.money import round_cents

# Singapore has kept UTC+8 without daylight saving since 1982, so a fixed offset is exact
# and spares every till a tz database that may be missing or stale.
SINGAPORE = timezone(timedelta(hours=8), "Asia/Singapore")


@dataclass(frozen=True)
class RateChange:
    effective: date
    percent: Decimal


# IRAS: introduced 1 Apr 1994 at 3%; 4% 2003; 5% 2004; 7% from 1 Jul 2007; 8% 2023; 9% 2024.
# A future change is one more row; nothing else changes.
STANDARD_RATES: tuple[RateChange, ...] = (
    RateChange(date(1994, 4, 1), Decimal("3")),
    RateChange(date(2003, 1, 1), Decimal("4")),
    RateChange(date(2004, 1, 1), Decimal("5")),
    RateChange(date(2007, 7, 1), Decimal("7")),
    RateChange(date(2023, 1, 1), Decimal("8")),
    RateChange(date(2024, 1, 1), Decimal("9")),
)


class GstError(ValueError):
    pass


def supply_date(at: datetime) -> date:
    """The Singapore calendar date of a moment; a naive datetime is ambiguous and refused."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise GstError("a time of supply must carry its time zone")
    return at.astimezone(SINGAPORE).date()


def standard_rate_on(d: date) -> Decimal:
    """Standard GST rate in percent for a supply on ``d`` (a datetime is taken in SGT)."""
    day = supply_date(d) if isinstance(d, datetime) else d
    rate: Decimal | None = None
    for change in STANDARD_RATES:
        if change.effective <= day:
            rate = change.percent
    if rate is None:
        raise GstError(f"GST did not exist in Singapore on {day.isoformat()}")
    return rate


def tax_in_inclusive(amount: Decimal, rate_percent: Decimal) -> Decimal:
    """GST contained in a GST-inclusive ``amount`` at ``rate_percent``, to the nearest cent."""
    if not isinstance(amount, Decimal) or not isinstance(rate_percent, Decimal):
        raise TypeError("amount and rate must be Decimal")
    if rate_percent < 0:
        raise GstError(f"a GST rate cannot be negative ({rate_percent})")
    return round_cents(amount * rate_percent / (100 + rate_percent))


class TaxCode(StrEnum):
    """Per-product tax treatment."""

    STANDARD = "SR"  # standard-rated: GST at the rate of the day
    ZERO = "ZR"  # zero-rated (exports): a taxable supply at 0%
    EXEMPT = "ES"  # exempt: financial services, digital payment tokens, precious metals…
    OUT_OF_SCOPE = "OS"  # out of scope: no supply for GST purposes

    def rate_on(self, d: date) -> Decimal:
        return standard_rate_on(d) if self is TaxCode.STANDARD else Decimal("0")


class GstRounding(StrEnum):
    """Where GST is rounded to the cent: an outlet setting; IRAS accepts either if consistent."""

    PER_LINE = "line"
    ON_TOTAL = "total"
