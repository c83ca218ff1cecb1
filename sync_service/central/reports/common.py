"""What every report shares: who may see which outlets, the period asked for, money, paging.

A viewer's ``Scope`` is applied inside each SQL statement (``outlet_id IN (...)`` as bound
parameters), never by filtering rows in Python afterwards, so a page can never show more than
its viewer may see even when a query is wrong elsewhere.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Table, false, true

from shared.gst import SINGAPORE
from sync_service.central import models as m

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_PAGE = 500
# Three years (an owner compares this year with the two before); longer is a typing accident.
# Pages over long periods read the summaries (or facts through their indexes) to stay quick.
MAX_PERIOD_DAYS = 3 * 365 + 1  # three years, a leap day included


class ReportError(ValueError):
    """A request a report cannot answer; the message says what to change."""


class NotInScope(LookupError):
    """The outlet, till or sale is not one this viewer may see (or does not exist)."""


def table(model: type[m.Base]) -> Table:
    t = model.__table__
    assert isinstance(t, Table)
    return t


@dataclass(frozen=True)
class Scope:
    """The outlets a viewer may see: ``None`` is every outlet (admin, analyst)."""

    outlet_ids: frozenset[uuid.UUID] | None

    @classmethod
    def everything(cls) -> Scope:
        return cls(None)

    @classmethod
    def outlet(cls, outlet_id: uuid.UUID) -> Scope:
        return cls(frozenset({outlet_id}))

    def allows(self, outlet_id: uuid.UUID) -> bool:
        return self.outlet_ids is None or outlet_id in self.outlet_ids

    def clause(self, column: Any) -> ColumnElement[bool]:
        """``column IN (:ids)`` for a limited scope; true for every outlet; false for none."""
        if self.outlet_ids is None:
            return true()
        if not self.outlet_ids:
            return false()
        result: ColumnElement[bool] = column.in_(sorted(self.outlet_ids))
        return result


@dataclass(frozen=True)
class Period:
    """Inclusive Singapore business dates (the date of supply in Singapore time)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if not isinstance(self.start, date) or not isinstance(self.end, date):
            raise ReportError("a period needs a start date and an end date")
        if isinstance(self.start, datetime) or isinstance(self.end, datetime):
            raise ReportError("a period is made of dates, not date-times")
        if self.end < self.start:
            raise ReportError(
                f"the period ends ({self.end.isoformat()}) before it starts "
                f"({self.start.isoformat()}): swap the two dates"
            )
        if (self.end - self.start).days >= MAX_PERIOD_DAYS:
            raise ReportError(
                f"a period may span at most {MAX_PERIOD_DAYS} days; "
                f"{self.start.isoformat()} to {self.end.isoformat()} is longer: "
                "choose a shorter one"
            )

    @classmethod
    def day(cls, d: date) -> Period:
        return cls(d, d)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def moments(self) -> tuple[datetime, datetime]:
        """[from, to) as aware datetimes: midnight Singapore time at both ends."""
        return sgt_midnight(self.start), sgt_midnight(self.end + timedelta(days=1))


def sgt_midnight(d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=SINGAPORE)


def today_in_singapore(now: datetime) -> date:
    return now.astimezone(SINGAPORE).date()


def dollars(value: Any) -> Decimal:
    """A money figure from the database (NULL for an empty sum) as Decimal to the cent."""
    if value is None:
        return ZERO
    if not isinstance(value, Decimal):
        value = Decimal(value)
    amount: Decimal = value.quantize(CENT)
    return amount


def page_limit(limit: int) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE:
        raise ReportError(f"a page holds 1 to {MAX_PAGE} rows; {limit!r} was asked for")
    return limit


def encode_cursor(*key: Any) -> str:
    """An opaque "next page" cursor holding the last row's sort key."""
    raw = json.dumps([k.isoformat() if isinstance(k, datetime | date) else str(k) for k in key])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[str]:
    """The key parts of a cursor made by ``encode_cursor``; ReportError for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ReportError("the page link is damaged: start again from the first page") from None
    if (
        not isinstance(parts, list)
        or len(parts) != size
        or not all(isinstance(p, str) for p in parts)
    ):
        raise ReportError("the page link is damaged: start again from the first page")
    return parts


def cursor_uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise ReportError("the page link is damaged: start again from the first page") from None


def cursor_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ReportError("the page link is damaged: start again from the first page") from None
    if moment.tzinfo is None:
        raise ReportError("the page link is damaged: start again from the first page")
    return moment
