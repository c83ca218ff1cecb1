"""How figures look on a page: dollars with two decimals, Singapore time, quantities."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import jinja2
from markupsafe import Markup

from shared.gst import SINGAPORE
from shared.receipt_build import tender_label
from sync_service.central.reports.names import Named, key_of


def money(value: Decimal | int | None) -> str:
    """``1,234.50``; a negative amount keeps its minus sign; nothing shows as an empty cell."""
    if value is None:
        return ""
    return f"{Decimal(value):,.2f}"


def quantity(value: Decimal | int | None) -> str:
    """Whole units without decimals, weighed goods to the gram: ``3``, ``0.375``."""
    if value is None:
        return ""
    amount = Decimal(value)
    if amount == amount.to_integral_value():
        return f"{amount:,.0f}"
    return f"{amount.normalize():f}"


def local_time(value: datetime | str | None) -> str:
    """A moment as Singapore wall-clock time, to the second."""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if value.tzinfo is None:
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value.astimezone(SINGAPORE).strftime("%Y-%m-%d %H:%M:%S")


def day(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def percent(part: Decimal | int, whole: Decimal | int) -> str:
    if not whole:
        return "0%"
    return f"{Decimal(part) * 100 / Decimal(whole):.0f}%"


def tender(kind: str) -> str:
    return tender_label(kind)  # as the receipts print it


def named(value: object, names: dict[str, Named]) -> Markup | str:
    """An id shown as what it is (a name or receipt number, linked to its page); anything
    else, or an id of nothing known, as the text it is."""
    key = key_of(value) or (value if isinstance(value, str) else None)
    found = names.get(key) if key else None
    if value is None:
        return ""
    if found is None:
        return str(value)
    if found.link is None:
        return Markup('<span title="{id}">{label}</span>').format(id=value, label=found.label)
    return Markup('<a href="{link}" title="{id}">{label}</a>').format(
        link=found.link, id=value, label=found.label
    )


def install(env: jinja2.Environment) -> None:
    env.filters.update(
        money=money,
        quantity=quantity,
        local_time=local_time,
        day=day,
        percent=percent,
        tender=tender,
        named=named,
    )
