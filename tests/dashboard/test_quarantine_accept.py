"""An admin accepting a quarantined sale under a new receipt number, over real HTTP: a real
till's day is pushed, then a different sale under a receipt number already used (a till
restored from an old backup) is kept aside by the real ingest; accepting it stores it as
``<number>-R1``, counts it in the summaries exactly once, and audits who did it. A sale sent
twice under its own id is refused (discard it instead); an analyst cannot act."""

from __future__ import annotations

import html
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from shared.protocol import PROTOCOL_VERSION, Event, EventOutcome, PushOk, PushRequest, TillReport
from shared.wire import payload_hash
from sync_service.central.ingest import apply_push
from tests.central import SyncedTill, add_outlet, enrolled_till
from tests.dashboard.conftest import Shop
from tests.dashboard.support import Visitor
from tests.integration.test_sales_summaries import assert_summaries_equal_the_facts
from till.simulate import simulate

pytestmark = pytest.mark.postgres
SignIn = Callable[[str], Visitor]


@pytest.fixture
def restored_till(
    dashboard_engine: Engine, shop: Shop, tmp_path: Path
) -> Iterator[tuple[SyncedTill, Event]]:
    """A till of an outlet of its own that traded and synced; and one of its sales."""
    till = enrolled_till(dashboard_engine, tmp_path / "till", add_outlet(dashboard_engine), "T01")
    till.demo.till.shifts.open_shift(till.demo.cashier, Decimal("100.00"))
    simulate(till.demo.till, 6, seed=5, cashier=till.demo.cashier, manager=till.demo.manager)
    events = till.events()
    push(dashboard_engine, till, events)
    sale = next(e for e in events if e.kind == "sale.completed")
    yield till, sale
    till.demo.till.close()


def push(engine: Engine, till: SyncedTill, events: list[Event]) -> PushOk:
    report = TillReport(
        app_version="test",
        store_revision="test",
        backlog=len(events),
        oldest_pending_at=None,
        sent_at=datetime.now(UTC),
    )
    request = PushRequest(protocol=PROTOCOL_VERSION, till=report, events=events)
    result = apply_push(engine, till.auth, request, now=datetime.now(UTC))
    assert isinstance(result, PushOk)
    return result


def quarantine(engine: Engine, till: SyncedTill, event: Event) -> int:
    result = push(engine, till, [event])
    assert result.results[0].outcome is EventOutcome.QUARANTINED
    with engine.connect() as conn:
        found: int = conn.execute(
            text("SELECT quarantine_id FROM sgpos.quarantine WHERE event_id = :e"),
            {"e": event.event_id},
        ).scalar_one()
    return found


def renumbered(sale: Event, *, new_sale: bool, seq: int) -> Event:
    """The same receipt number again from epoch 2, as a different sale or as the same one."""
    payload = dict(sale.payload)
    if new_sale:
        payload["sale_id"] = str(uuid.uuid4())
        payload["lines"] = [{**line, "line_id": str(uuid.uuid4())} for line in payload["lines"]]
    return sale.model_copy(
        update={
            "epoch": 2,
            "seq": seq,
            "event_id": uuid.uuid4(),
            "payload": payload,
            "payload_sha256": payload_hash(payload),
        }
    )


def test_a_different_sale_under_a_used_number_is_accepted_renumbered_and_audited(
    signed_in: SignIn, dashboard_engine: Engine, shop: Shop, restored_till: tuple[SyncedTill, Event]
) -> None:
    till, sale = restored_till
    engine = dashboard_engine
    number = sale.payload["receipt_no"]
    other = renumbered(sale, new_sale=True, seq=1)
    held = quarantine(engine, till, other)
    till_id = till.auth.till_id
    path = f"/ho/fleet/tills/{till_id}/quarantine/{held}/accept"

    analyst = signed_in("analyst")
    page = analyst.get(f"/ho/fleet/tills/{till_id}")
    assert "Accept as a new receipt number" not in page.text  # an analyst reads only
    assert analyst.post(path, {}, token=analyst.csrf_token()).status == 403

    admin = signed_in("admin")
    assert "Accept as a new receipt number" in admin.get(f"/ho/fleet/tills/{till_id}").text
    done = admin.post(path, {}, token=admin.csrf_token())
    assert done.status == 303 and "done=quarantine-accepted" in done.location
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT receipt_no, total FROM sgpos.sale WHERE sale_id = :s"),
            {"s": other.payload["sale_id"]},
        ).one()
        resolved = conn.execute(
            text("SELECT resolved_at FROM sgpos.quarantine WHERE quarantine_id = :q"),
            {"q": held},
        ).scalar_one()
        audit = conn.execute(
            text(
                "SELECT changed_by, after FROM sgpos.ho_audit WHERE table_name = 'quarantine' "
                "AND key = :k"
            ),
            {"k": str(held)},
        ).one()
    assert stored.receipt_no == f"{number}-R1"
    assert stored.total == Decimal(other.payload["total"])
    assert resolved is not None
    assert audit.changed_by == shop.emails["admin"]
    assert audit.after["resolution"] == "accepted" and audit.after["receipt_no"] == f"{number}-R1"
    assert_summaries_equal_the_facts(engine, till.auth.outlet_id)  # counted, and once
    panel = admin.get(done.location).text
    assert f"Accepted by {shop.emails['admin']}" in panel and f"{number}-R1" in panel

    again = admin.post(path, {}, token=admin.csrf_token())
    assert again.status == 400 and "already resolved" in again.text

    # Yet another sale under the same number gets the next free one.
    third = renumbered(sale, new_sale=True, seq=2)
    held_third = quarantine(engine, till, third)
    admin.post(
        f"/ho/fleet/tills/{till_id}/quarantine/{held_third}/accept", {}, token=admin.csrf_token()
    )
    with engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT receipt_no FROM sgpos.sale WHERE sale_id = :s"),
                {"s": third.payload["sale_id"]},
            ).scalar_one()
            == f"{number}-R2"
        )
    assert_summaries_equal_the_facts(engine, till.auth.outlet_id)


def test_the_same_sale_sent_twice_is_refused_and_nothing_changes(
    signed_in: SignIn, dashboard_engine: Engine, restored_till: tuple[SyncedTill, Event]
) -> None:
    till, sale = restored_till
    twice = renumbered(sale, new_sale=False, seq=1)
    held = quarantine(dashboard_engine, till, twice)
    admin = signed_in("admin")
    path = f"/ho/fleet/tills/{till.auth.till_id}/quarantine/{held}/accept"
    refused = admin.post(path, {}, token=admin.csrf_token())
    assert refused.status == 400 and "sent twice" in refused.text
    with dashboard_engine.connect() as conn:
        count = conn.execute(
            text("SELECT count(*) FROM sgpos.sale WHERE receipt_no LIKE :n"),
            {"n": sale.payload["receipt_no"] + "%"},
        ).scalar_one()
        unresolved = conn.execute(
            text("SELECT resolved_at IS NULL FROM sgpos.quarantine WHERE quarantine_id = :q"),
            {"q": held},
        ).scalar_one()
    assert count == 1 and unresolved
    assert_summaries_equal_the_facts(dashboard_engine, till.auth.outlet_id)


def test_asking_the_till_to_resend_is_audited_and_logged_for_its_pull(
    signed_in: SignIn, dashboard_engine: Engine, shop: Shop, restored_till: tuple[SyncedTill, Event]
) -> None:
    till, sale = restored_till
    other = renumbered(sale, new_sale=True, seq=1)
    held = quarantine(dashboard_engine, till, other)
    till_id = till.auth.till_id
    path = f"/ho/fleet/tills/{till_id}/quarantine/{held}/resend"
    analyst = signed_in("analyst")
    assert analyst.post(path, {}, token=analyst.csrf_token()).status == 403
    admin = signed_in("admin")
    done = admin.post(path, {}, token=admin.csrf_token())
    assert done.status == 303 and "done=quarantine-resend" in done.location
    with dashboard_engine.connect() as conn:
        audit = conn.execute(
            text(
                "SELECT changed_by, after FROM sgpos.ho_audit WHERE table_name = 'quarantine' "
                "AND key = :k"
            ),
            {"k": str(held)},
        ).one()
        logged = conn.execute(
            text("SELECT count(*) FROM sgpos.change_log WHERE entity = 'quarantine' AND key = :e"),
            {"e": str(other.event_id)},
        ).scalar_one()
    assert audit.changed_by == shop.emails["admin"] and audit.after["resolution"] == "resend"
    assert logged == 1  # the till that sent it hears of it at its next pull
    panel = admin.get(done.location).text
    assert f"Resend asked by {shop.emails['admin']}" in panel
    again = admin.post(path, {}, token=admin.csrf_token())
    assert again.status == 400 and "already resolved" in again.text


def test_a_sale_naming_another_tills_receipt_numbers_is_never_accepted(
    signed_in: SignIn, dashboard_engine: Engine, shop: Shop, restored_till: tuple[SyncedTill, Event]
) -> None:
    """Held aside before the trust rules could look at it (say, by an older server): accepting
    applies them, so another till's receipt number is refused and nothing is stored."""
    till, sale = restored_till
    other_till = shop.tills["B"].till.auth
    payload = {
        **sale.payload,
        "sale_id": str(uuid.uuid4()),
        "receipt_no": f"{other_till.outlet_code}-{other_till.till_code}-999999",
        "lines": [{**x, "line_id": str(uuid.uuid4())} for x in sale.payload["lines"]],
    }
    with dashboard_engine.begin() as conn:
        held = conn.execute(
            text(
                "INSERT INTO sgpos.quarantine (till_id, epoch, seq, event_id, kind, reason, "
                "payload, payload_sha256) VALUES (:t, 3, 1, :e, 'sale.completed', 'test', "
                "CAST(:p AS jsonb), :h) RETURNING quarantine_id"
            ),
            {
                "t": till.auth.till_id,
                "e": uuid.uuid4(),
                "p": json.dumps(payload),
                "h": payload_hash(payload),
            },
        ).scalar_one()
    admin = signed_in("admin")
    path = f"/ho/fleet/tills/{till.auth.till_id}/quarantine/{held}/accept"
    refused = admin.post(path, {}, token=admin.csrf_token())
    assert refused.status == 400
    assert "not this till's" in html.unescape(refused.text)
    assert "is not a receipt number of this till" in html.unescape(refused.text)
    with dashboard_engine.connect() as conn:
        stored = conn.execute(
            text("SELECT count(*) FROM sgpos.sale WHERE sale_id = :s"), {"s": payload["sale_id"]}
        ).scalar_one()
        unresolved = conn.execute(
            text("SELECT resolved_at IS NULL FROM sgpos.quarantine WHERE quarantine_id = :q"),
            {"q": held},
        ).scalar_one()
    assert stored == 0 and unresolved
