"""Head office's decisions on quarantined events reach the till that sent them, with a real
till (``sgpos-sync once`` as its own process) and the real central server process.

Three sales reuse receipt numbers the till had already used (as after a restore from an old
backup): head office keeps them aside. An admin discards one with a reason, accepts one under
a new receipt number and asks the till to send the third again. At its next pull the till
shows each decision (``sgpos-sync status``); the one asked for goes up again as a new event,
exactly once, and only this till is told about its own events.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from shared.demo_catalogue import DEMO_STAFF
from shared.protocol import EventKind
from sync_service.central.admin.quarantine import discard, request_resend
from sync_service.central.admin.quarantine_accept import accept_as_new_receipt
from sync_service.central.db import central_engine
from sync_service.central.migrate import upgrade_central
from sync_service.central.seed import seed_demo
from tests.e2e.central_process import central_server
from tests.e2e.test_agent_against_server import enrol, sgpos_sync
from till.app import open_till
from till.simulate import simulate
from till.store.models import OutboxEvent, QuarantineOutcome, TillIdentity
from till.store.uow import UnitOfWork

pytestmark = pytest.mark.postgres

PRODUCTS = 300
ADMIN = "admin@example.com"


@pytest.fixture(scope="module")
def head_office(pg_url: str) -> Iterator[tuple[Engine, str]]:
    upgrade_central(pg_url)
    engine = central_engine(pg_url, pool_size=2)
    seed_demo(engine, products=PRODUCTS)
    try:
        with central_server(pg_url) as url:
            yield engine, url
    finally:
        engine.dispose()


def once(data_dir: Path, *, undecided: bool = False) -> None:
    done = sgpos_sync(data_dir, "once")
    # 3: everything sent, but head office has quarantined events still to decide on.
    assert done.returncode == (3 if undecided else 0), done.stderr


def status(data_dir: Path) -> dict[str, Any]:
    answer = sgpos_sync(data_dir, "status")
    parsed: dict[str, Any] = json.loads(answer.stdout)
    return parsed


def trade_and_reuse_numbers(data_dir: Path, count: int) -> tuple[str, list[str]]:
    """Ring sales, then queue ``count`` other sales under numbers already used; the till's id
    and the reused-number events' ids."""
    till = open_till(data_dir)
    try:
        cashier_pin = next(m for m in DEMO_STAFF if m.role == "cashier")
        manager_pin = next(m for m in DEMO_STAFF if m.role == "manager")
        cashier = till.staff.sign_in(cashier_pin.code, cashier_pin.pin)
        manager = till.staff.sign_in(manager_pin.code, manager_pin.pin)
        simulate(till, 8, seed=21, cashier=cashier, manager=manager)
        with till.store.read() as s:
            ident = s.get(TillIdentity, 1)
            assert ident is not None
            till_id = ident.till_id
            sold = s.scalars(
                select(OutboxEvent.payload)
                .where(OutboxEvent.kind == EventKind.SALE_COMPLETED.value)
                .order_by(OutboxEvent.seq)
                .limit(count)
            ).all()
        assert len(sold) == count
        reused = []
        with UnitOfWork(till.store) as uow:
            for payload in sold:
                body = json.loads(payload)
                body["sale_id"] = str(uuid.uuid4())
                body["lines"] = [{**x, "line_id": str(uuid.uuid4())} for x in body["lines"]]
                at = datetime.now(UTC)
                reused.append(uow.emit(EventKind.SALE_COMPLETED, functools.partial(dict, body), at))
            uow.commit()
    finally:
        till.close()
    return till_id, reused


def held(engine: Engine, event_id: str) -> int:
    with engine.connect() as conn:
        found: int = conn.execute(
            text("SELECT quarantine_id FROM sgpos.quarantine WHERE event_id = :e"),
            {"e": event_id},
        ).scalar_one()
    return found


def test_each_decision_reaches_the_till_and_a_resend_goes_up_once(
    tmp_path: Path, head_office: tuple[Engine, str]
) -> None:
    engine, url = head_office
    data_dir = tmp_path / "till"
    enrol(engine, url, data_dir, "Q" + uuid.uuid4().hex[:5].upper())
    once(data_dir)  # the initial load
    till_id, (to_discard, to_accept, to_resend) = trade_and_reuse_numbers(data_dir, 3)
    once(data_dir, undecided=True)
    before = status(data_dir)
    assert before["pending"] == 0 and before["undecided_count"] == 3

    # A second till of the same head office: it must never hear of the first one's events.
    other_dir = tmp_path / "other"
    enrol(engine, url, other_dir, "R" + uuid.uuid4().hex[:5].upper())
    once(other_dir)

    now = datetime.now(UTC)
    tid = uuid.UUID(till_id)
    discard(engine, ADMIN, tid, held(engine, to_discard), "a test sale after a restore", now=now)
    number = accept_as_new_receipt(engine, ADMIN, tid, held(engine, to_accept), now=now)
    request_resend(engine, ADMIN, tid, held(engine, to_resend), now=now)

    once(data_dir)  # pulls the decisions; the resend is queued with the page
    once(data_dir, undecided=True)  # and goes up: kept aside again, its number still taken
    once(data_dir, undecided=True)  # a pull of the same decisions again sends nothing more
    after = status(data_dir)
    decisions = {q["event_id"]: q["decision"] for q in after["quarantined"]}
    assert decisions[to_discard] == "discarded by head office: a test sale after a restore"
    assert decisions[to_accept] == f"accepted by head office as receipt {number}"
    assert decisions[to_resend].startswith("head office asked for it again: sent again as event ")
    resent_as = decisions[to_resend].rsplit(" ", 1)[-1]

    till = open_till(data_dir)
    try:
        with till.store.read() as s:
            copies = s.scalars(
                select(OutboxEvent.event_id).where(OutboxEvent.event_id == resent_as)
            ).all()
            outcomes = s.scalars(select(QuarantineOutcome.event_id)).all()
    finally:
        till.close()
    assert copies == [resent_as]  # queued once
    assert set(outcomes) == {to_discard, to_accept, to_resend}
    with engine.connect() as conn:
        arrived = conn.execute(
            text("SELECT count(*) FROM sgpos.inbox WHERE event_id = :e"), {"e": resent_as}
        ).scalar_one()
    # The copy reached head office (kept aside again: its receipt number is still taken).
    assert arrived == 1

    other = open_till(other_dir)
    try:
        with other.store.read() as s:
            assert s.scalars(select(QuarantineOutcome.event_id)).all() == []
    finally:
        other.close()
