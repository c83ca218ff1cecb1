"""The doctor's quarantine check: amber while head office has events to decide on, green once
each one is decided (discarded, accepted under a new number, or sent again)."""

from __future__ import annotations

from installer.checks import AMBER, GREEN, quarantined


def status(count: int, undecided: int) -> dict[str, object]:
    listed = [{"reason": "conflict: receipt reused", "decision": None}] if count else []
    return {"quarantined_count": count, "undecided_count": undecided, "quarantined": listed}


def test_none_is_green() -> None:
    assert quarantined(status(0, 0)).colour == GREEN


def test_undecided_events_are_amber_with_the_reason() -> None:
    check = quarantined(status(2, 1))
    assert check.colour == AMBER and "conflict: receipt reused" in check.found


def test_events_head_office_decided_on_are_green() -> None:
    check = quarantined(status(2, 0))
    assert check.colour == GREEN and "each decided at head office" in check.found


def test_a_status_from_before_decisions_counts_every_event_undecided() -> None:
    old = {"quarantined_count": 1, "quarantined": [{"reason": "bad"}]}
    assert quarantined(old).colour == AMBER
