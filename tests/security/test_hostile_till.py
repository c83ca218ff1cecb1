"""A hostile till, generated: hundreds of pushes from one enrolled till naming another till's
receipt numbers, sales, lines, shifts, cash and stock movements, customers and audit chain,
replaying the other till's events as its own (as they were, or changed), and replaying its own
events with changed content. After every push the other till's rows and its outlet's report
figures are exactly as before, every forged event was answered and none was applied, and the
attacker's genuine events in the same pushes were applied.
"""

from __future__ import annotations

import copy
import random
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from shared.protocol import Event, EventKind, EventOutcome
from shared.wire import payload_hash
from tests.security.forge import FORGEABLE, VICTIM_FIELDS, fresh, put
from tests.security.world import World, push, security_events, victim_books

pytestmark = pytest.mark.postgres

# Pushes per run; each carries one to four attacks, so well over 200 attacks.
PUSHES = 200
AT_LEAST = 200

MONEY = st.decimals(min_value=0, max_value=99_999, places=2).map(lambda d: f"{d:.2f}")
# Fields whose content a replay may change, per kind, and what they may become.
CHANGES: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    EventKind.SALE_COMPLETED: {"total": MONEY, "change": MONEY, "gst_total": MONEY},
    EventKind.REFUND_COMPLETED: {"total": MONEY, "reason": st.sampled_from(["x", "forged"])},
    EventKind.SHIFT_OPENED: {"opening_float": MONEY},
    EventKind.SHIFT_CLOSED: {"counted_cash": MONEY, "variance": MONEY},
    EventKind.CASH_MOVED: {"amount": MONEY, "direction": st.sampled_from(["in", "out"])},
    EventKind.STOCK_RECEIVED: {"quantity": st.sampled_from(["1", "-500", "0.125"])},
    EventKind.STOCK_ADJUSTED: {"quantity": st.sampled_from(["7", "-1000"])},
    EventKind.CUSTOMER_UPSERTED: {"consent_marketing": st.booleans(), "name": st.just("Eve")},
    EventKind.AUDIT_RECORDED: {"action": st.sampled_from(["sale.voided", "shift.closed"])},
}


@dataclass(repr=False)
class Attack:
    event: Event
    expect: str  # how the answer's reason starts

    def __repr__(self) -> str:  # shown with a failing example: the payload, not the model
        e = self.event
        return f"Attack({e.kind} seq {e.seq} id {e.event_id}, expect {self.expect!r}: {e.payload})"


def changed(draw: st.DrawFn, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    options = CHANGES[kind]
    name = draw(st.sampled_from(sorted(options)))
    result = put(payload, name, draw(options[name]))
    assume(result != payload)  # a change that changes nothing is a plain duplicate
    return result


def attacks(world: World) -> st.SearchStrategy[Attack]:
    """One forged event; the world is closed over, not an argument, so hypothesis never
    pretty-prints it with every example."""
    return _attack(lambda: world)


@st.composite
def _attack(draw: st.DrawFn, the_world: Any) -> Attack:
    world: World = the_world()
    style = draw(
        st.sampled_from(
            ["name", "name several", "replay", "replay changed", "own key", "their event id"]
        )
    )
    if style in ("name", "name several"):
        kind = draw(st.sampled_from(sorted({k for k, _ in VICTIM_FIELDS})))
        paths = sorted(p for k, p in VICTIM_FIELDS if k == kind)
        chosen = (
            [draw(st.sampled_from(paths))]
            if style == "name"
            else draw(st.lists(st.sampled_from(paths), min_size=1, max_size=3, unique=True))
        )
        payload = fresh(world, kind) if kind in FORGEABLE else _audit_template(world)
        for path in chosen:
            payload = put(payload, path, draw(st.sampled_from(VICTIM_FIELDS[(kind, path)](world))))
        if draw(st.booleans()):
            payload = changed(draw, kind, payload)
        return Attack(world.seal(kind, payload), "rejected: ")
    if style in ("replay", "replay changed"):
        # One of the victim's own events, as the attacker's: its facts, the attacker's key.
        theirs = world.known.events[draw(st.integers(0, len(world.known.events) - 1))]
        payload = copy.deepcopy(theirs.payload)
        if style == "replay changed":
            payload = changed(draw, theirs.kind, payload)
        return Attack(world.seal(theirs.kind, payload), "rejected: ")
    if style == "own key":
        # One of the attacker's applied events again under its key, with changed content
        # (perhaps naming the victim's facts): a conflict, kept in the attacker's quarantine.
        mine = world.attacker_events[draw(st.integers(0, len(world.attacker_events) - 1))]
        payload = changed(draw, mine.kind, mine.payload)
        key = (mine.kind, draw(st.sampled_from(["shift_id", "customer_id", "till_id", ""])))
        if key in VICTIM_FIELDS:
            payload = put(payload, key[1], VICTIM_FIELDS[key](world)[0])
        sealed = {"payload": payload, "payload_sha256": payload_hash(payload)}
        event = mine.model_copy(update=sealed)
        return Attack(event, "conflict: ")
    # The victim's event id on a new event of the attacker's own.
    kind = draw(st.sampled_from(FORGEABLE))
    theirs_id = world.known.events[draw(st.integers(0, len(world.known.events) - 1))].event_id
    return Attack(world.seal(kind, fresh(world, kind), event_id=theirs_id), "conflict: ")


def _audit_template(world: World) -> dict[str, Any]:
    return next(e for e in world.attacker_events if e.kind == EventKind.AUDIT_RECORDED).payload


def test_a_hostile_till_changes_nothing_of_another_tills(world: World) -> None:
    baseline = victim_books(world)
    tried = {"attacks": 0, "genuine": 0}

    @settings(
        max_examples=PUSHES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def hostile_push(data: st.DataObject) -> None:
        forged = data.draw(st.lists(attacks(world), min_size=1, max_size=4), label="attacks")
        genuine: list[Event] = []
        if data.draw(st.booleans(), label="with a genuine event"):
            kind = data.draw(st.sampled_from(FORGEABLE), label="genuine kind")
            genuine.append(world.seal(kind, fresh(world, kind)))
        # Keys in increasing order, as a till sends them; forged and genuine interleaved.
        events = sorted(
            [a.event for a in forged] + genuine,
            key=lambda e: (e.seq, random.Random(str(e.event_id)).random()),
        )
        answers = {r.event_id: r for r in push(world.engine, world.attacker.auth, events).results}

        for attack in forged:
            answer = answers[attack.event.event_id]
            assert answer.outcome is EventOutcome.QUARANTINED, (attack, answer)
            assert (answer.reason or "").startswith(attack.expect), (attack, answer)
        for event in genuine:
            assert answers[event.event_id].outcome is EventOutcome.APPLIED, answers[event.event_id]
        assert victim_books(world) == baseline
        tried["attacks"] += len(forged)
        tried["genuine"] += len(genuine)

    hostile_push()
    assert tried["attacks"] >= AT_LEAST, tried
    assert tried["genuine"] > 0, tried
    refused = security_events(world.engine, world.attacker.auth.till_id)
    assert refused and all(e.field for e in refused)
    assert all(isinstance(e.event_id, uuid.UUID) for e in refused)
