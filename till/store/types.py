"""Column types that keep the till's SQLite store exact.

Money is stored as integer cents, quantities as integer thousandths, GST rates as basis points
and moments as UTC ISO-8601 text; Python code only ever sees ``Decimal`` and aware
``datetime``. SQLite has no decimal type, and its REAL would silently turn money into floats.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from shared.money import from_cents, to_cents

_MILLI = Decimal(1000)


class Cents(TypeDecorator[Decimal]):
    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        return None if value is None else to_cents(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else from_cents(int(value))


class Milli(TypeDecorator[Decimal]):
    """Quantities to three decimals (weighed goods in kg), stored as integer thousandths."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        milli = value * _MILLI
        if milli != milli.to_integral_value():
            raise ValueError(f"quantity {value} has more than 3 decimals")
        return int(milli)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else (Decimal(int(value)) / _MILLI).normalize()


class BasisPoints(TypeDecorator[Decimal]):
    """A percentage such as a GST rate (9% → 900)."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        return None if value is None else int(value * 100)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else (Decimal(int(value)) / 100).normalize()


def utc_text(value: datetime) -> str:
    """A moment as the store writes it: sortable UTC text; a naive datetime is refused."""
    if value.tzinfo is None:
        raise ValueError("the till stores only timezone-aware times")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes as sortable UTC text; a naive datetime is refused, never guessed."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        return None if value is None else utc_text(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value)
