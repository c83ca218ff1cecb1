"""Reading filters from a page's query string: bad input is a 400 page that says what to fix,
and an outlet the viewer may not see is a 404, exactly as if it did not exist."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from shared.text import unseen_character, whole_number
from sync_service.central.reports.common import Period, ReportError, Scope
from sync_service.server.dashboard.web import Viewer, bad_request, dashboard, not_found

MAX_TEXT = 100  # no filter needs more; longer input is a mistake or an attack
# A "next page" link holds the last row's sort key; a product name of 120 Chinese characters
# alone is 360 bytes of UTF-8, so cursors get room of their own (issue: "Next page" was 400).
MAX_CURSOR = 1024


def refuse_unseen_characters(request: web.Request) -> None:
    """Every parameter in the address, filters or not: no control character (a NUL made
    PostgreSQL fail) and nothing invisible; refused with 400 and the parameter named."""
    for name, value in request.query.items():
        unseen = unseen_character(name + value)
        if unseen is not None:
            shown = name if unseen_character(name) is None else "a"
            raise bad_request(
                f"The {shown.replace('_', ' ')} filter contains a control or invisible "
                f"character ({unseen}). Type it again without it."
            )


def cursor_param(request: web.Request) -> str | None:
    """The "next page" cursor a page made (``after``), opaque to everyone else."""
    value = request.query.get("after", "").strip()
    if not value:
        return None
    if len(value) > MAX_CURSOR:
        raise bad_request("The page link is damaged: start again from the first page.")
    return value


def text_param(request: web.Request, name: str) -> str | None:
    value = request.query.get(name, "").strip()
    if not value:
        return None
    if len(value) > MAX_TEXT:
        raise bad_request(f"The {name.replace('_', ' ')} filter is too long (at most {MAX_TEXT}).")
    return value


def uuid_param(request: web.Request, name: str) -> uuid.UUID | None:
    value = text_param(request, name)
    if value is None:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise bad_request(
            f"The {name.replace('_', ' ')} in the address is not one this dashboard made; "
            "choose it from the list instead."
        ) from None


def date_param(request: web.Request, name: str, default: date | None = None) -> date | None:
    value = text_param(request, name)
    if value is None:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise bad_request(f"{value!r} is not a date: write it as YYYY-MM-DD.") from None


def period_param(request: web.Request, *, default_days: int = 7) -> Period:
    """``from`` and ``to`` (inclusive); by default the last ``default_days`` days to today."""
    today = dashboard(request).today()
    end = date_param(request, "to", today) or today
    start = date_param(request, "from", end - timedelta(days=default_days - 1)) or end
    try:
        return Period(start, end)
    except ReportError as exc:
        raise bad_request(str(exc)) from None


def outlet_param(request: web.Request, viewer: Viewer, name: str = "outlet") -> uuid.UUID | None:
    """The outlet asked for; one outside the viewer's scope is refused as not found."""
    outlet_id = uuid_param(request, name)
    if outlet_id is not None and not viewer.may_see(outlet_id):
        raise not_found("outlet")
    return outlet_id


def narrowed(viewer: Viewer, outlet_id: uuid.UUID | None) -> Scope:
    """The viewer's scope, narrowed to one outlet when a filter names one (already checked)."""
    if outlet_id is None:
        return viewer.scope
    return Scope(outlet_ids=frozenset({outlet_id}))


def int_param(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    value = text_param(request, name)
    if value is None:
        return default
    number = whole_number(value)
    if number is None or not low <= number <= high:
        raise bad_request(f"The {name} must be a whole number from {low} to {high}.")
    return number


def page_links(
    request: web.Request, path: str, filters: Iterable[str], next_cursor: str | None
) -> dict[str, Any]:
    """``next_link`` and ``first_link`` for a list shown a page at a time, keeping the filters."""
    kept = {k: v for k in filters if (v := request.query.get(k, "").strip())}
    return {
        "next_link": f"{path}?{urlencode({**kept, 'after': next_cursor})}" if next_cursor else None,
        "first_link": f"{path}?{urlencode(kept)}" if "after" in request.query else None,
    }


def period_presets(today: date) -> list[tuple[str, Period]]:
    """The periods an owner asks for most, as (label, period), ending no later than today."""
    week = today - timedelta(days=today.weekday())  # weeks start on Monday
    month = today.replace(day=1)
    last_month_end = month - timedelta(days=1)
    quarter = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    last_quarter_end = quarter - timedelta(days=1)
    last_quarter = last_quarter_end.replace(month=(last_quarter_end.month - 1) // 3 * 3 + 1, day=1)
    return [
        ("Today", Period.day(today)),
        ("Yesterday", Period.day(today - timedelta(days=1))),
        ("This week", Period(week, today)),
        ("Last week", Period(week - timedelta(days=7), week - timedelta(days=1))),
        ("This month", Period(month, today)),
        ("Last month", Period(last_month_end.replace(day=1), last_month_end)),
        ("This quarter", Period(quarter, today)),
        ("Last quarter", Period(last_quarter, last_quarter_end)),
        ("This year", Period(today.replace(month=1, day=1), today)),
    ]


def preset_links(
    request: web.Request, path: str, keep: Iterable[str], chosen: Period
) -> list[tuple[str, str, bool]]:
    """(label, link, is the period shown) per preset, keeping the page's other filters."""
    kept = {k: v for k in keep if (v := request.query.get(k, "").strip())}
    return [
        (
            label,
            f"{path}?{urlencode({**kept, 'from': p.start.isoformat(), 'to': p.end.isoformat()})}",
            p == chosen,
        )
        for label, p in period_presets(dashboard(request).today())
    ]
