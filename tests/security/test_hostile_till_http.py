"""The issue's repros, against a real ``sgpos-central serve`` over HTTP, with two outlets
(and, last, the stale enrolment code, with real ``sgpos-sync enroll`` processes).

A genuine till at Toa Payoh (TPY) trades and syncs with real ``sgpos-sync`` processes. A hostile
till enrolled at Orchard (ORC) speaks the protocol by hand: it squats on the receipt number
TPY's till will print next and closes TPY's open shift. Both events are refused and stored
nowhere; TPY's next sale, carrying that very receipt number, is applied as usual; TPY's shift is
untouched; the fleet counts two security events against the hostile till and none against TPY.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from shared.protocol import (
    EventKind,
)
from sync_service.central.admin.fleet import fleet
from sync_service.central.db import central_engine
from sync_service.central.migrate import upgrade_central
from sync_service.central.reports.common import Scope
from sync_service.central.seed import seed_demo
from sync_service.central.tills import create_enrolment_code
from tests.e2e.central_process import CentralProcess, running_central
from tests.e2e.support_tills import CHILD_ENV, enrolled_agent_till, sgpos_sync
from tests.security.hostile import Attack, HostileTill
from till.store.models import Sale

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def head_office(
    pg_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, CentralProcess]]:
    upgrade_central(pg_url)
    engine = central_engine(pg_url, pool_size=2)
    seed_demo(engine, products=20)
    with running_central(pg_url, tmp_path_factory.mktemp("central"), env=CHILD_ENV) as central:
        yield engine, central
    engine.dispose()


def shift_row(engine: Engine, shift_id: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT * FROM sgpos.shift WHERE shift_id = :s"), {"s": shift_id}
        ).one()


def test_a_hostile_till_can_neither_squat_on_a_receipt_number_nor_close_another_tills_shift(
    head_office: tuple[Engine, CentralProcess], tmp_path: Path
) -> None:
    engine, central = head_office
    tpy = enrolled_agent_till(engine, central.url, tmp_path / "tpy", outlet_code="TPY")
    tpy.ring(3, seed=5)
    assert sgpos_sync(tpy.data_dir, "once").returncode == 0
    attack = Attack.on(tpy)
    next_receipt, tpy_shift = attack.next_receipt, attack.their_shift  # what TPY prints next
    shift_before = shift_row(engine, tpy_shift)
    assert shift_before.closed_at is None

    hostile = HostileTill(engine, central)
    own_shift = {
        "shift_id": str(uuid.uuid4()),
        "opened_by": attack.genuine["cashier_id"],
        "opened_at": datetime.now(UTC).isoformat(),
        "opening_float": "100.00",
    }
    answer = hostile.push(*attack.events(), (EventKind.SHIFT_OPENED, own_shift))

    squatted, closed, own = answer.results
    assert squatted.outcome == "quarantined" and (squatted.reason or "").startswith(
        "rejected: receipt_no: "
    )
    assert closed.outcome == "quarantined" and (closed.reason or "").startswith(
        "rejected: shift_id: "
    )
    assert own.outcome == "applied"  # the hostile till's own shift is its business
    with engine.connect() as conn:
        assert not conn.execute(
            text("SELECT count(*) FROM sgpos.sale WHERE receipt_no = :r"), {"r": next_receipt}
        ).scalar_one()
    assert shift_row(engine, tpy_shift) == shift_before

    # TPY's till prints that number next; its sale reaches head office as if nothing happened.
    tpy.ring(1, seed=6)
    with tpy.store() as store, store.read() as s:
        rung = s.scalars(select(Sale).where(Sale.receipt_no == next_receipt)).one()
    done = sgpos_sync(tpy.data_dir, "once")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("in sync: nothing left to send")
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT sale_id, till_id FROM sgpos.sale WHERE receipt_no = :r"),
            {"r": next_receipt},
        ).one()
    assert (str(stored.sale_id), str(stored.till_id)) == (rung.sale_id, tpy.till_id)
    assert shift_row(engine, tpy_shift).closed_at is None

    with engine.connect() as conn:
        tills = {str(t.till_id): t for t in fleet(conn, Scope.everything(), datetime.now(UTC))}
    attacker, victim = tills[str(hostile.ok.till_id)], tills[tpy.till_id]
    assert attacker.security_events == 2 and attacker.health == "red"
    assert any("refused for naming another till's data" in p for p in attacker.problems)
    assert victim.security_events == 0 and victim.quarantined == 0
    assert victim.health != "red", victim.problems


def test_a_spare_enrolment_code_cannot_take_over_a_till_enrolled_with_another(
    head_office: tuple[Engine, CentralProcess], tmp_path: Path
) -> None:
    """Codes A then B for one till; machine 1 enrols with B. Machine 2 with A is refused and
    machine 1 carries on syncing (before: machine 2 took the till over)."""
    engine, central = head_office
    till_code = "S" + uuid.uuid4().hex[:5].upper()
    spare, used = (
        create_enrolment_code(
            engine, outlet_code="ORC", till_code=till_code, created_by="test", now=datetime.now(UTC)
        )
        for _ in range(2)
    )
    enroll = ("enroll", "--central", central.url, "--code")
    first = sgpos_sync(tmp_path / "machine-1", *enroll, used)
    assert first.returncode == 0, first.stderr

    second = sgpos_sync(tmp_path / "machine-2", *enroll, spare)
    assert second.returncode == 1 and "not valid" in second.stderr, second.stderr
    done = sgpos_sync(tmp_path / "machine-1", "once")
    assert done.returncode == 0 and done.stdout.startswith("in sync"), done.stderr
