"""Membership points: how many a sale earns and how many a refund takes back.

Points are a ledger, never a stored balance: each sale to a member adds one ``earned`` entry,
each refund of it one ``reversed`` entry (negative). A member's balance is the sum of their
entries. The rules (the outlet's scheme, set by head office):

- a sale earns ``points_per_dollar`` for each dollar paid on its eligible lines (after every
  discount, GST included), times the line's category multiplier (1 unless the scheme names
  the category), rounded down to whole points once for the whole sale;
- lines of an excluded category (tobacco, top-ups, vouchers...) earn nothing;
- a refund takes back the share of the sale's points that its eligible amount is of the sale's
  eligible amount, *cumulatively and rounded up*: refunding everything takes back exactly what
  was earned, and no sequence of partial refunds leaves the member points for goods returned.

Spending points (a tender, ``points``, worth ``point_value`` dollars each):

- a sale may be paid with at most the scheme's cap: ``redeem_max_percent`` of its total and
  ``redeem_max_points`` points, whichever is less, and never more than the member's balance or
  the sale's total;
- a refund of a sale paid partly with points gives points back in the share of the sale's
  total it refunds, *cumulatively and rounded down*, and pays the rest in money: refunding
  everything gives back exactly the points spent, and no order of partial refunds gives back
  more points than were spent.

Tiers: a member whose spend over the last 12 months reaches a tier's ``min_spend`` earns at
that tier's ``multiplier`` (the highest tier reached); head office works the tier out and
sends it with the member's balance.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

__all__ = [
    "EligibleLine",
    "LoyaltyScheme",
    "Tier",
    "expires_on",
    "points_earned",
    "points_redeemable",
    "points_to_return",
    "points_to_reverse",
    "points_value",
    "tier_for_spend",
]

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Tier:
    name: str
    min_spend: Decimal  # over the last 12 months, GST included, net of refunds
    multiplier: Decimal  # applied to everything the member earns


@dataclass(frozen=True)
class LoyaltyScheme:
    points_per_dollar: Decimal
    category_multipliers: Mapping[str, Decimal] = field(default_factory=dict)
    excluded_categories: frozenset[str] = frozenset()
    expiry_days: int | None = None  # earned points lapse this many days after the sale
    expiry_months: int | None = None  # or this many calendar months after (wins if both)
    point_value: Decimal = CENT  # dollars a point is worth when spent
    redeem_max_percent: Decimal = Decimal(100)  # of a sale's total payable with points
    redeem_max_points: int | None = None  # per sale; None: no limit but the percentage
    tiers: tuple[Tier, ...] = ()

    def __post_init__(self) -> None:
        if self.points_per_dollar < 0:
            raise ValueError("points_per_dollar must be 0 or more")
        if any(m < 0 for m in self.category_multipliers.values()):
            raise ValueError("a category multiplier must be 0 or more")
        if self.point_value <= 0:
            raise ValueError("a point must be worth more than $0")
        if not 0 <= self.redeem_max_percent <= 100:
            raise ValueError("the redemption cap must be between 0% and 100% of a sale")
        if self.redeem_max_points is not None and self.redeem_max_points < 0:
            raise ValueError("the per-sale points cap must be 0 or more")

    def tier(self, name: str | None) -> Tier | None:
        return next((t for t in self.tiers if t.name == name), None)


@dataclass(frozen=True)
class EligibleLine:
    amount: Decimal  # what was paid for the line, GST included, after every discount
    category_id: str | None


def _weighted(scheme: LoyaltyScheme, lines: Iterable[EligibleLine]) -> Decimal:
    total = Decimal(0)
    for line in lines:
        if line.category_id in scheme.excluded_categories:
            continue
        multiplier = scheme.category_multipliers.get(line.category_id or "", Decimal(1))
        total += line.amount * multiplier
    return total


def points_earned(
    scheme: LoyaltyScheme, lines: Iterable[EligibleLine], tier: str | None = None
) -> int:
    weighted = _weighted(scheme, lines) * scheme.points_per_dollar
    reached = scheme.tier(tier)
    if reached is not None:
        weighted *= reached.multiplier
    return max(0, int(weighted.to_integral_value(rounding=ROUND_FLOOR)))


def points_to_reverse(
    scheme: LoyaltyScheme,
    *,
    earned: int,
    already_reversed: int,
    sold: Iterable[EligibleLine],
    refunded_so_far: Iterable[EligibleLine],
) -> int:
    """Points this refund takes back; ``refunded_so_far`` includes this refund's lines."""
    base = _weighted(scheme, sold)
    if earned <= 0 or base <= 0:
        return 0
    share = min(Decimal(1), _weighted(scheme, refunded_so_far) / base)
    owed = int((earned * share).to_integral_value(rounding=ROUND_CEILING))
    return max(0, min(earned, owed) - already_reversed)


def expires_on(scheme: LoyaltyScheme, sold_at: datetime) -> datetime | None:
    """When points earned at ``sold_at`` lapse: months on the same day (the month's last day
    when it has no such day), or days; None: never."""
    if scheme.expiry_months:
        months = sold_at.month - 1 + scheme.expiry_months
        year, month = sold_at.year + months // 12, months % 12 + 1
        day = min(sold_at.day, calendar.monthrange(year, month)[1])
        return sold_at.replace(year=year, month=month, day=day)
    if scheme.expiry_days:
        return sold_at + timedelta(days=scheme.expiry_days)
    return None


def tier_for_spend(scheme: LoyaltyScheme, spend: Decimal) -> Tier | None:
    """The highest tier ``spend`` reaches; None below the lowest."""
    reached = [t for t in scheme.tiers if spend >= t.min_spend]
    return max(reached, key=lambda t: t.min_spend) if reached else None


def points_value(scheme: LoyaltyScheme, points: int) -> Decimal:
    """What ``points`` pay, in dollars, rounded down to the cent."""
    return (points * scheme.point_value).quantize(CENT, rounding=ROUND_FLOOR)


def points_redeemable(scheme: LoyaltyScheme, *, balance: int, total: Decimal) -> int:
    """The most points a member with ``balance`` may spend on a sale of ``total``."""
    if balance <= 0 or total <= 0:
        return 0
    capped = total * scheme.redeem_max_percent / 100
    most = int((capped / scheme.point_value).to_integral_value(rounding=ROUND_FLOOR))
    if scheme.redeem_max_points is not None:
        most = min(most, scheme.redeem_max_points)
    return max(0, min(most, balance))


def points_to_return(
    *, redeemed: int, already_returned: int, sale_total: Decimal, refunded_so_far: Decimal
) -> int:
    """Points a refund gives back for a sale paid partly with ``redeemed`` points;
    ``refunded_so_far`` is the money value of every refund of the sale, this one included."""
    if redeemed <= 0 or sale_total <= 0:
        return 0
    share = min(Decimal(1), refunded_so_far / sale_total)
    owed = int((redeemed * share).to_integral_value(rounding=ROUND_FLOOR))
    return max(0, min(redeemed, owed) - already_returned)
