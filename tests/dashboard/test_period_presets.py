"""The period presets, computed for awkward days: a January (last month and last quarter are
in the year before), a Monday (this week is one day), a leap day."""

from __future__ import annotations

from datetime import date

from sync_service.central.reports.common import Period
from sync_service.server.dashboard.params import period_presets


def presets(today: date) -> dict[str, Period]:
    return dict(period_presets(today))


def test_in_january_last_month_and_last_quarter_are_last_year() -> None:
    got = presets(date(2026, 1, 15))  # a Thursday
    assert got["Today"] == Period.day(date(2026, 1, 15))
    assert got["Yesterday"] == Period.day(date(2026, 1, 14))
    assert got["This week"] == Period(date(2026, 1, 12), date(2026, 1, 15))
    assert got["Last week"] == Period(date(2026, 1, 5), date(2026, 1, 11))
    assert got["This month"] == Period(date(2026, 1, 1), date(2026, 1, 15))
    assert got["Last month"] == Period(date(2025, 12, 1), date(2025, 12, 31))
    assert got["This quarter"] == Period(date(2026, 1, 1), date(2026, 1, 15))
    assert got["Last quarter"] == Period(date(2025, 10, 1), date(2025, 12, 31))
    assert got["This year"] == Period(date(2026, 1, 1), date(2026, 1, 15))


def test_on_a_monday_this_week_is_today_and_a_leap_february_ends_on_the_29th() -> None:
    got = presets(date(2024, 3, 4))  # a Monday
    assert got["This week"] == Period.day(date(2024, 3, 4))
    assert got["Last month"] == Period(date(2024, 2, 1), date(2024, 2, 29))
    assert got["Last quarter"] == Period(date(2023, 10, 1), date(2023, 12, 31))
    assert all(p.end <= date(2024, 3, 4) for p in got.values())  # nothing in the future
