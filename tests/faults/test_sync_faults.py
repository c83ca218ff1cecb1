"""Sync under faults: real tills, real ``sgpos-sync`` and ``sgpos-central serve`` processes, a
real PostgreSQL, and a fault proxy on the loopback between the agent and the server.

Every test rings a few sales on an enrolled till, makes one thing go wrong, lets the agent
finish normally (``sgpos-sync once`` exits 0) and then checks DESIGN §7 for the till with
``tests.invariants.check_invariants``: nothing lost, nothing doubled, the mark only forward,
poison and conflicts in quarantine, the till's takings equal head office's.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from shared.gst import SINGAPORE
from sync_service.central.db import central_engine
from sync_service.central.migrate import upgrade_central
from sync_service.central.seed import seed_demo
from sync_service.central.tills import create_enrolment_code, retire_till
from tests.e2e.central_process import (
    CentralProcess,
    free_port,
    running_central,
    start_central,
)
from tests.e2e.support_tills import (
    AGENT_ENV,
    CHILD_ENV,
    ROOT,
    AgentTill,
    enrolled_agent_till,
    finished,
    inbox_count,
    sgpos_sync,
    start_sgpos_sync,
    stop_process,
    sync_status,
    wait_for,
)
from tests.faults.proxy import Fault, FaultProxy
from tests.faults.support_faults import (
    add_poison,
    audit_like,
    central_sales,
    drain,
    end_sleeping_pushes,
    kill,
    not_finished,
    outbox_keys,
    outcomes,
    push_stalled_before_commit,
    quarantined,
    receipts,
    restore_from_old_backup,
    sale_like,
    sleeping_pushes,
)
from tests.invariants import (
    InvariantBroken,
    check_invariants,
    high_water_mark,
    verify_central_chain,
)
from tests.tills import FakeClock
from till.store.models import OutboxEvent
from till.sync.enrol import EnrolmentFailed, enrol_till, start_new_epoch

pytestmark = pytest.mark.postgres

PRODUCTS = 40
DAY_S = 86_400


@dataclass
class HeadOffice:
    db_url: str
    engine: Engine
    server: CentralProcess


@pytest.fixture(scope="module")
def head_office(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeadOffice]:
    """The central database with the demo outlets, staff and catalogue, and one server."""
    upgrade_central(pg_url)
    engine = central_engine(pg_url, pool_size=2)
    seed_demo(engine, products=PRODUCTS, variants=True)
    try:
        with running_central(pg_url, tmp_path_factory.mktemp("central"), env=CHILD_ENV) as server:
            yield HeadOffice(pg_url, engine, server)
    finally:
        engine.dispose()


@pytest.fixture
def proxy(head_office: HeadOffice) -> Iterator[FaultProxy]:
    with FaultProxy(head_office.server.port) as p:
        yield p


@pytest.fixture
def till(head_office: HeadOffice, proxy: FaultProxy, tmp_path: Path) -> AgentTill:
    """A till enrolled through the proxy, so every sync of it meets the proxy's fault."""
    return enrolled_agent_till(head_office.engine, proxy.url, tmp_path / "till")


# --- the answer is lost ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [Fault.swallow(), Fault.reset_response(after_response_bytes=40)],
    ids=["connection-closed", "reset-mid-answer"],
)
def test_a_lost_answer_to_a_committed_push_is_resent_and_acknowledged_as_duplicates(
    head_office: HeadOffice, proxy: FaultProxy, till: AgentTill, fault: Fault
) -> None:
    till.ring(6, seed=1)
    events = till.pending()

    proxy.set_fault(fault)
    lost = sgpos_sync(till.data_dir, "once")
    not_finished(lost, events)
    assert proxy.tripped >= 1
    # Head office committed the whole batch; the till never heard so and still has it all.
    assert inbox_count(head_office.engine, till.till_id) == events
    assert till.pending() == events

    proxy.set_fault(Fault())
    drain(head_office.engine, till)
    assert outcomes(till) == {"duplicate": events}


def test_every_batch_delivered_twice_is_stored_once(
    head_office: HeadOffice, proxy: FaultProxy, till: AgentTill
) -> None:
    till.ring(8, seed=2)
    events = till.pending()
    batches = -(-events // 5)
    assert batches >= 3

    proxy.set_fault(Fault.duplicate())
    drain(
        head_office.engine, till, env={"SGPOS_PUSH_BATCH": "5"}
    )  # duplicates do not stop the agent
    # Each batch's second delivery (the one the till hears about) found the first one's work.
    assert outcomes(till) == {"duplicate": events}
    assert proxy.tripped >= 1
    assert inbox_count(head_office.engine, till.till_id) == events


# --- the server dies -------------------------------------------------------------------------


def test_a_server_killed_between_apply_and_commit_stored_nothing_and_the_next_takes_it_all(
    head_office: HeadOffice, tmp_path: Path
) -> None:
    engine = head_office.engine
    servers = [start_central(head_office.db_url, tmp_path, env=CHILD_ENV)]
    try:
        with FaultProxy(servers[0].port) as proxy:
            till = enrolled_agent_till(engine, proxy.url, tmp_path / "till")
            till.ring(5, seed=3)
            events = till.pending()

            with push_stalled_before_commit(engine, till.till_id):
                output = tmp_path / "once.out"
                agent = start_sgpos_sync(till.data_dir, "once", output=output)
                try:
                    wait_for(
                        "the push to stall before its commit",
                        lambda: bool(sleeping_pushes(engine)),
                    )
                    kill(servers[0])
                    run = finished(agent, output)
                finally:
                    stop_process(agent)
                not_finished(run, events)
                end_sleeping_pushes(engine)
                assert inbox_count(engine, till.till_id) == 0  # rolled back: nothing applied
                assert central_sales(engine, till.till_id) == {}
            assert till.pending() == events

            servers.append(start_central(head_office.db_url, tmp_path, env=CHILD_ENV))
            proxy.set_upstream(servers[1].port)
            drain(head_office.engine, till)
        assert outcomes(till) == {"applied": events}
    finally:
        for server in servers:
            server.stop()


def test_a_server_killed_between_commit_and_answer_is_resent_to_the_next_as_duplicates(
    head_office: HeadOffice, tmp_path: Path
) -> None:
    engine = head_office.engine
    servers = [start_central(head_office.db_url, tmp_path, env=CHILD_ENV)]
    try:
        with FaultProxy(servers[0].port) as proxy:
            till = enrolled_agent_till(engine, proxy.url, tmp_path / "till")
            till.ring(5, seed=4)
            events = till.pending()

            proxy.set_fault(Fault.hold())
            output = tmp_path / "once.out"
            agent = start_sgpos_sync(till.data_dir, "once", output=output)
            try:
                proxy.wait_tripped()  # the server has answered: the batch is committed
                assert inbox_count(engine, till.till_id) == events
                kill(servers[0])
                proxy.set_fault(Fault())
                assert proxy.close_held() == 1
                run = finished(agent, output)
            finally:
                stop_process(agent)
            not_finished(run, events)
            assert till.pending() == events

            servers.append(start_central(head_office.db_url, tmp_path, env=CHILD_ENV))
            proxy.set_upstream(servers[1].port)
            drain(head_office.engine, till)
        assert outcomes(till) == {"duplicate": events}
    finally:
        for server in servers:
            server.stop()


# --- the agent dies --------------------------------------------------------------------------


def test_an_agent_killed_between_send_and_acknowledgement_resends_and_nothing_doubles(
    head_office: HeadOffice, proxy: FaultProxy, till: AgentTill, tmp_path: Path
) -> None:
    till.ring(6, seed=5)
    events = till.pending()

    proxy.set_fault(Fault.hold())
    output = tmp_path / "run.out"
    agent = start_sgpos_sync(till.data_dir, "run", output=output)
    try:
        wait_for(
            "head office to commit the batch",
            lambda: inbox_count(head_office.engine, till.till_id) == events,
        )
    finally:
        stop_process(agent)  # SIGKILL: no clean shutdown, no acknowledgement
    assert agent.returncode == -signal.SIGKILL, output.read_text()
    proxy.close_held()
    assert till.pending() == events

    proxy.set_fault(Fault())
    drain(head_office.engine, till)
    assert outcomes(till) == {"duplicate": events}
    assert len(central_sales(head_office.engine, till.till_id)) == len(receipts(till))


# --- the network misbehaves ------------------------------------------------------------------

TIMEOUT_S = 1


@pytest.mark.parametrize(
    ("fault", "says"),
    [
        (Fault.drop(after_request_bytes=600), "the connection was closed before an answer came"),
        # Held far longer than the agent waits; the request is never delivered late.
        (Fault.stall(seconds=60), f"did not answer within {TIMEOUT_S} s"),
        (Fault.reset_request(after_request_bytes=600), "reset"),
    ],
    ids=["dropped-mid-request", "stalled-past-the-timeout", "reset-mid-request"],
)
def test_a_request_the_network_loses_is_stored_nowhere_and_sent_again(
    head_office: HeadOffice, proxy: FaultProxy, till: AgentTill, fault: Fault, says: str
) -> None:
    till.ring(6, seed=6)
    events = till.pending()

    proxy.set_fault(fault)
    lost = sgpos_sync(till.data_dir, "once", env={"SGPOS_REQUEST_TIMEOUT_S": str(TIMEOUT_S)})
    assert says in not_finished(lost, events).lower()
    assert proxy.tripped >= 1  # the push really was cut, held or reset
    assert inbox_count(head_office.engine, till.till_id) == 0
    assert till.status_field("last_error") is not None

    proxy.set_fault(Fault())
    drain(head_office.engine, till)
    assert outcomes(till) == {"applied": events}


# --- poison ----------------------------------------------------------------------------------


def test_poison_events_are_quarantined_and_the_queue_keeps_draining(
    head_office: HeadOffice, till: AgentTill
) -> None:
    engine = head_office.engine
    till.ring(3, seed=7)
    bad_sale = add_poison(till, "sale.completed", {"sale_id": "not-a-uuid", "lines": []})
    till.ring(3, seed=8)
    unknown = add_poison(till, "loyalty.points_awarded", {"points": "12"})
    till.ring(2, seed=9)
    events = till.pending()

    drain(head_office.engine, till, env={"SGPOS_PUSH_BATCH": "4"})

    kept = {(q.epoch, q.seq): q for q in quarantined(engine, till.till_id)}
    assert set(kept) == {bad_sale, unknown}
    assert kept[bad_sale].reason.startswith("invalid sale.completed payload")
    assert "unknown event kind 'loyalty.points_awarded'" in kept[unknown].reason
    assert outcomes(till) == {"applied": events - 2, "quarantined": 2}
    status = sync_status(till.data_dir)
    assert status["pending"] == 0 and status["quarantined_count"] == 2
    listed = {(q["epoch"], q["seq"]): q for q in status["quarantined"]}
    assert set(listed) == {bad_sale, unknown}
    assert listed[unknown]["kind"] == "loyalty.points_awarded"
    assert "unknown event kind" in listed[unknown]["reason"]


def test_events_the_database_once_choked_on_are_quarantined_and_the_sales_behind_arrive(
    head_office: HeadOffice, till: AgentTill
) -> None:
    """Each of these passed validation and then failed in PostgreSQL, answered 500 as 'busy',
    and blocked the till's queue for good."""
    engine = head_office.engine
    till.ring(2, seed=21)
    long_receipt = add_poison(till, "sale.completed", sale_like(till, receipt_no="R" * 80))
    nul_name = add_poison(till, "sale.completed", sale_like(till, name="Kopi\x00O"))
    long_moment = add_poison(till, "audit.recorded", audit_like(till, occurred_at="9" * 60))
    till.ring(2, seed=22)
    customer = {
        "customer_id": str(uuid.uuid4()),
        "name": "Siti",
        "consent_contact": False,
        "consent_marketing": False,
        "consent_at": None,
    }
    add_poison(till, "customer.upserted", customer)  # not poison any more: it applies
    till.ring(2, seed=23)
    events = till.pending()

    drain(engine, till)

    kept = {(q.epoch, q.seq): q.reason for q in quarantined(engine, till.till_id)}
    assert set(kept) == {long_receipt, nul_name, long_moment}
    assert "receipt_no: String should have at most 40 characters" in kept[long_receipt]
    assert "NUL character" in kept[nul_name]
    assert "occurred_at: String should have at most 40 characters" in kept[long_moment]
    assert outcomes(till) == {"applied": events - 3, "quarantined": 3}
    with engine.connect() as conn:
        assert conn.scalar(
            text("SELECT count(*) FROM sgpos.customer WHERE customer_id = :c"),
            {"c": customer["customer_id"]},
        )


def test_a_poison_event_whose_answer_was_lost_still_shows_as_quarantined_on_the_till(
    head_office: HeadOffice, proxy: FaultProxy, till: AgentTill
) -> None:
    """DESIGN §5: a quarantined event is seen by head office *and the till's diagnostics*."""
    till.ring(2, seed=10)
    poison = add_poison(till, "loyalty.points_awarded", {"points": "12"})
    events = till.pending()

    proxy.set_fault(Fault.swallow())
    not_finished(sgpos_sync(till.data_dir, "once"), events)
    assert [(q.epoch, q.seq) for q in quarantined(head_office.engine, till.till_id)] == [poison]

    proxy.set_fault(Fault())
    drain(head_office.engine, till)
    status = sync_status(till.data_dir)
    assert [(q["epoch"], q["seq"]) for q in status["quarantined"]] == [poison]


# --- a replaced machine ----------------------------------------------------------------------


def test_a_replaced_machine_starts_past_every_number_its_till_code_used(
    head_office: HeadOffice, proxy: FaultProxy, till: AgentTill, tmp_path: Path
) -> None:
    """The till's PC dies; a technician installs a new one for the same till code. Before, the
    new store started at epoch 1 and receipt 1: every event clashed and was quarantined, and
    it printed receipt numbers head office already had."""
    engine = head_office.engine
    till.ring(4, seed=30)
    drain(engine, till)
    old = central_sales(engine, till.till_id)
    retire_till(engine, uuid.UUID(till.till_id), now=datetime.now(UTC))  # the dead machine

    new = enrolled_agent_till(
        engine,
        proxy.url,
        tmp_path / "replacement",
        outlet_code=till.outlet_code,
        till_code=till.till_code,
    )
    assert new.till_id == till.till_id
    new.ring(3, seed=31)
    drain(engine, new, totals=False)  # head office also holds the old machine's sales

    assert quarantined(engine, till.till_id) == []
    now = central_sales(engine, till.till_id)
    fresh = sorted(set(now) - set(old))
    assert len(now) == len(old) + len(fresh) and fresh
    assert min(int(r.rsplit("-", 1)[1]) for r in fresh) > max(int(r.rsplit("-", 1)[1]) for r in old)
    with new.store() as store, store.read() as s:
        epoch = s.scalar(select(OutboxEvent.epoch).order_by(OutboxEvent.epoch).limit(1))
        jump = s.scalars(
            text("SELECT action FROM audit_record WHERE action = 'till.enrolled'")
        ).all()
    assert epoch is not None and epoch > 1 and jump == ["till.enrolled"]


# --- a till restored from an old backup ------------------------------------------------------


def test_a_till_restored_without_a_new_epoch_has_its_clashes_quarantined_never_dropped(
    head_office: HeadOffice, till: AgentTill, tmp_path: Path
) -> None:
    engine = head_office.engine
    old = restore_from_old_backup(head_office.engine, till, tmp_path)

    # The wrong way: carry on in the same epoch. The event sequence, the receipt counter and
    # the audit chain all rewind, so new events reuse keys head office already holds.
    till.ring(5, seed=13)
    till.ring(1, seed=17)
    with till.store() as store:
        before = high_water_mark(store)
    rung = {k: h for k, h in outbox_keys(till).items() if k not in old.backed_up_events}
    clashes = {k for k, h in rung.items() if k in old.lost_events and old.lost_events[k] != h}
    assert clashes, "the restored till reused no sequence number: the test proves nothing"
    done = sgpos_sync(till.data_dir, "once")
    # Conflicts are acknowledged: the queue drains, and the till says it is not in sync.
    assert done.returncode == 3, done.stderr
    assert "not in sync: every event was sent, but head office set" in done.stderr

    kept = {(q.epoch, q.seq): q for q in quarantined(engine, till.till_id)}
    for key in sorted(clashes):  # counted one by one: none silently dropped
        assert key in kept, f"epoch {key[0]} seq {key[1]} clashed and was not quarantined"
        assert kept[key].reason.startswith(f"conflict: epoch {key[0]} seq {key[1]} is already")
        assert kept[key].payload_sha256 == rung[key]
    assert till.status_field("quarantined_count") == len(kept) >= len(clashes)
    new_sales = {r: i for r, i in receipts(till).items() if r not in old.backed_up_receipts}
    for receipt, sale_id in new_sales.items():
        if receipt in old.at_head_office:  # head office keeps the sale it had under that number
            assert old.at_head_office[receipt] != sale_id
    assert central_sales(engine, till.till_id).items() >= old.at_head_office.items()

    # Past the clashing keys, the till's later audit records reuse audit (epoch, seq) numbers
    # of the lost ones: each must be quarantined too, not acknowledged and thrown away.
    with till.store() as store, store.read() as s:
        audits = [
            json.loads(e.payload)
            for e in s.scalars(select(OutboxEvent).where(OutboxEvent.kind == "audit.recorded"))
            if (e.epoch, e.seq) in rung and (e.epoch, e.seq) not in old.lost_events
        ]
    assert any(
        old.lost_audit.get((a["epoch"], a["seq"]), a["hash"]) != a["hash"] for a in audits
    ), "no later audit record reused a lost one's number: the test proves nothing"
    with till.store() as store:
        check_invariants(engine, store, till.till_id, previous_mark=before, totals=False)


def test_a_till_restored_into_a_new_epoch_only_clashes_on_receipt_numbers(
    head_office: HeadOffice, till: AgentTill, tmp_path: Path
) -> None:
    engine = head_office.engine
    old = restore_from_old_backup(head_office.engine, till, tmp_path)

    # The right way: a new epoch first, then sell. Events and audit records start afresh under
    # it; only receipt numbers, which must stay one gap-free series, can clash.
    assert start_new_epoch(till.data_dir) == 2
    till.ring(4, seed=14)
    drain(head_office.engine, till, totals=False)  # head office has sales this till no longer has

    after = central_sales(engine, till.till_id)
    kept = quarantined(engine, till.till_id)
    assert kept, "no receipt number clashed: the test proves nothing"
    assert all(q.epoch == 2 and q.kind == "sale.completed" for q in kept), kept
    assert all(q.reason.startswith("conflict: receipt") for q in kept), kept
    new_sales = {r: i for r, i in receipts(till).items() if r not in old.backed_up_receipts}
    for receipt, sale_id in new_sales.items():
        if receipt in old.at_head_office:
            assert after[receipt] == old.at_head_office[receipt], receipt  # the stored one stands
            assert any(receipt in q.reason for q in kept), (
                f"sale {receipt} reused a receipt number and is not in quarantine naming it"
            )
        else:
            assert after[receipt] == sale_id  # applied
    assert len(kept) == len(new_sales.keys() & old.at_head_office.keys())
    assert till.status_field("quarantined_count") == len(kept)
    assert verify_central_chain(engine, till.till_id) > 0


# --- a till's clock is a day out -------------------------------------------------------------


def test_a_till_a_day_ahead_has_its_sales_applied_as_data_and_its_skew_flagged(
    head_office: HeadOffice, proxy: FaultProxy, tmp_path: Path
) -> None:
    engine = head_office.engine
    tomorrow = datetime.now(SINGAPORE) + timedelta(days=1)
    till = enrolled_agent_till(engine, proxy.url, tmp_path / "till", clock=FakeClock(now=tomorrow))
    till.ring(3, seed=15)

    pushed = subprocess.run(
        [sys.executable, "-m", "tests.faults.support_skewed_agent", str(till.data_dir), str(DAY_S)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
        env=os.environ | AGENT_ENV,
    )
    assert pushed.returncode == 0, pushed.stderr
    with engine.connect() as conn:
        skew = conn.execute(
            text("SELECT clock_skew_s FROM sgpos.till WHERE till_id = :t"), {"t": till.till_id}
        ).scalar_one()
        sold = conn.execute(
            text(
                "SELECT min(business_date) AS business_date, min(sold_at) AS sold_at, "
                "(SELECT max(received_at) FROM sgpos.inbox WHERE till_id = :t) AS received_at "
                "FROM sgpos.sale WHERE till_id = :t"
            ),
            {"t": till.till_id},
        ).one()
    assert abs(skew - DAY_S) < 300, f"clock skew {skew} s, expected about a day"
    # The till's own date of supply and time of sale are kept as data: head office received
    # the sales a day "before" they were made, and orders nothing by the till's clock.
    assert sold.business_date > datetime.now(SINGAPORE).date()
    assert sold.sold_at > sold.received_at + timedelta(hours=23)

    drain(head_office.engine, till)


# --- the checks themselves -------------------------------------------------------------------


@contextmanager
def committed(engine: Engine, do: str, undo: str, params: dict[str, Any]) -> Iterator[None]:
    """A change head office's database really holds (the checks read it with their own
    connection), undone afterwards so later tests see a clean database."""
    with engine.begin() as conn:
        conn.execute(text(do), params)
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(text(undo), params)


def test_the_invariant_checks_notice_each_thing_they_guard(
    head_office: HeadOffice, till: AgentTill
) -> None:
    engine = head_office.engine
    till.ring(3, seed=18)
    drain(engine, till)
    sale_id = next(iter(central_sales(engine, till.till_id).values()))
    with till.store() as store:
        mark = high_water_mark(store)

        def broken(match: str, *, previous_mark: tuple[int, int] = (0, 0)) -> None:
            with pytest.raises(InvariantBroken, match=match):
                check_invariants(engine, store, till.till_id, previous_mark=previous_mark)

        with committed(
            engine,
            "UPDATE sgpos.sale SET gst_total = gst_total + 0.01 WHERE sale_id = :s",
            "UPDATE sgpos.sale SET gst_total = gst_total - 0.01 WHERE sale_id = :s",
            {"s": sale_id},
        ):
            broken(r"§7\.1: sale .* differs at head office: gst_total")
        with committed(
            engine,
            "UPDATE sgpos.stock_on_hand SET quantity = quantity + 1 WHERE product_id = "
            "(SELECT product_id FROM sgpos.sale_line WHERE sale_id = :s LIMIT 1)",
            "UPDATE sgpos.stock_on_hand SET quantity = quantity - 1 WHERE product_id = "
            "(SELECT product_id FROM sgpos.sale_line WHERE sale_id = :s LIMIT 1)",
            {"s": sale_id},
        ):
            broken(r"§7\.2: .*stock-on-hand rows differ from the movement ledger")
        with committed(
            engine,
            "UPDATE sgpos.inbox SET payload_sha256 = reverse(payload_sha256) "
            "WHERE till_id = :t AND (epoch, seq) = (:e, :q)",
            "UPDATE sgpos.inbox SET payload_sha256 = reverse(payload_sha256) "
            "WHERE till_id = :t AND (epoch, seq) = (:e, :q)",
            {"t": till.till_id, "e": mark[0], "q": mark[1]},
        ):
            broken(rf"§7\.2: event epoch {mark[0]} seq {mark[1]} .* holds another event")
        broken(r"§7\.4: the high-water mark moved back", previous_mark=(mark[0], mark[1] + 1))
        check_invariants(engine, store, till.till_id, previous_mark=mark)  # all undone


# --- enrolment whose answer is lost ----------------------------------------------------------


def test_an_enrolment_whose_answer_is_lost_never_claims_the_code_was_not_used(
    head_office: HeadOffice, proxy: FaultProxy, tmp_path: Path
) -> None:
    """Head office uses the code and the answer is lost: the till used to say "the code was
    not used", and the technician's retry was then refused as "already used"."""
    code = create_enrolment_code(
        head_office.engine,
        outlet_code="ORC",
        till_code="L" + uuid.uuid4().hex[:5].upper(),
        created_by="head office",
        now=datetime.now(UTC),
    )
    proxy.set_fault(Fault.swallow())
    with pytest.raises(EnrolmentFailed) as lost:
        enrol_till(tmp_path / "till", proxy.url, code, hostname="shop-pc", app_version="test")
    assert proxy.tripped == 1
    assert "not used" not in str(lost.value)
    assert "ask head office for a new code" in str(lost.value)

    proxy.set_fault(Fault())
    with pytest.raises(EnrolmentFailed, match="already used; ask head office for a new one"):
        enrol_till(tmp_path / "till", proxy.url, code, hostname="shop-pc", app_version="test")

    # No connection at all: then the code certainly was not used.
    nowhere = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(EnrolmentFailed, match=r"connection refused.*\(the code was not used\)"):
        enrol_till(tmp_path / "other", nowhere, code, hostname="shop-pc", app_version="test")
