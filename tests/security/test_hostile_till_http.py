"""The issue's repros, against a real ``sgpos-central serve`` over HTTP, with two outlets.

A genuine till at Toa Payoh (TPY) trades and syncs with real ``sgpos-sync`` processes. A hostile
till enrolled at Orchard (ORC) speaks the protocol by hand: it squats on the receipt number
TPY's till will print next and closes TPY's open shift. Both events are refused and stored
nowhere; TPY's next sale, carrying that very receipt number, is applied as usual; TPY's shift is
untouched; the fleet counts two security events against the hostile till and none against TPY.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from shared.protocol import (
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    EnrolOk,
    Event,
    EventKind,
    PushOk,
    PushRequest,
    TillReport,
)
from shared.wire import payload_hash
from sync_service.central.admin.fleet import fleet
from sync_service.central.db import central_engine
from sync_service.central.migrate import upgrade_central
from sync_service.central.reports.common import Scope
from sync_service.central.seed import seed_demo
from sync_service.central.tills import create_enrolment_code
from tests.e2e.central_process import CentralProcess, running_central
from tests.e2e.support_tills import CHILD_ENV, AgentTill, enrolled_agent_till, sgpos_sync
from till.store.models import OutboxEvent, Sale

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


def http(central: CentralProcess, method: str, path: str, body: Any, secret: str | None) -> Any:
    headers = {"Content-Type": "application/json", PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
    if secret is not None:
        headers["Authorization"] = f"Bearer {secret}"
    request = urllib.request.Request(  # noqa: S310 - our own server on loopback
        central.url + path, data=body.encode(), headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
            return json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        raise AssertionError(f"{method} {path}: HTTP {exc.code} {exc.read()[:300]!r}") from None


class HostileTill:
    """A till enrolled with a genuine code, whose software was replaced by an attacker's."""

    def __init__(self, engine: Engine, central: CentralProcess) -> None:
        code = create_enrolment_code(
            engine,
            outlet_code="ORC",
            till_code="H" + uuid.uuid4().hex[:5].upper(),
            created_by="test",
            now=datetime.now(UTC),
        )
        asked = {"protocol": PROTOCOL_VERSION, "code": code, "hostname": "x", "app_version": "x"}
        self.ok = EnrolOk.model_validate_json(
            json.dumps(http(central, "POST", "/v1/enroll", json.dumps(asked), None))
        )
        self.central, self.seq = central, 0

    def push(self, *payloads: tuple[EventKind, dict[str, Any]]) -> PushOk:
        events = []
        for kind, payload in payloads:
            self.seq += 1
            events.append(
                Event(
                    event_id=uuid.uuid4(),
                    till_id=self.ok.till_id,
                    epoch=1,
                    seq=self.seq,
                    kind=kind.value,
                    schema_version=1,
                    occurred_at=datetime.now(UTC),
                    payload=payload,
                    payload_sha256=payload_hash(payload),
                )
            )
        report = TillReport(
            app_version="0.1.0",
            store_revision="x",
            backlog=0,
            oldest_pending_at=None,
            sent_at=datetime.now(UTC),
        )
        body = PushRequest(protocol=PROTOCOL_VERSION, till=report, events=events)
        answer = http(
            self.central,
            "POST",
            "/v1/push",
            body.model_dump_json(),
            f"{self.ok.till_id}:{self.ok.secret}",
        )
        return PushOk.model_validate_json(json.dumps(answer))


def latest_sale(till: AgentTill) -> dict[str, Any]:
    with till.store() as store, store.read() as s:
        row = s.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.kind == EventKind.SALE_COMPLETED.value)
            .order_by(OutboxEvent.seq.desc())
            .limit(1)
        ).one()
        payload: dict[str, Any] = json.loads(row.payload)
        return payload


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
    genuine = latest_sale(tpy)
    serial = int(genuine["receipt_no"].rsplit("-", 1)[1])
    next_receipt = f"TPY-{tpy.till_code}-{serial + 1:06d}"  # what TPY's till prints next
    tpy_shift = genuine["shift_id"]
    shift_before = shift_row(engine, tpy_shift)
    assert shift_before.closed_at is None

    hostile = HostileTill(engine, central)
    squat = {
        **genuine,
        "sale_id": str(uuid.uuid4()),
        "receipt_no": next_receipt,
        "shift_id": str(uuid.uuid4()),
        "lines": [{**line, "line_id": str(uuid.uuid4())} for line in genuine["lines"]],
    }
    closing = {
        "shift_id": tpy_shift,
        "closed_by": genuine["cashier_id"],
        "closed_at": datetime.now(UTC).isoformat(),
        "expected_cash": "1.00",
        "counted_cash": "0.00",
        "variance": "-1.00",
        "counted": {},
        "approved_by": None,
        "sales_count": 0,
        "sales_total": "0.00",
        "refunds_total": "0.00",
        "gst_total": "0.00",
        "tenders": {},
    }
    own_shift = {
        "shift_id": str(uuid.uuid4()),
        "opened_by": genuine["cashier_id"],
        "opened_at": datetime.now(UTC).isoformat(),
        "opening_float": "100.00",
    }
    answer = hostile.push(
        (EventKind.SALE_COMPLETED, squat),
        (EventKind.SHIFT_CLOSED, closing),
        (EventKind.SHIFT_OPENED, own_shift),
    )

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
