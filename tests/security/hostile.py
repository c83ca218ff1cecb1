"""A hostile till for tests and the documentation's screenshots: enrolled with a genuine code,
speaking the protocol by hand over HTTP to a real ``sgpos-central serve``."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

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
from sync_service.central.tills import create_enrolment_code
from tests.e2e.central_process import CentralProcess
from tests.e2e.support_tills import AgentTill
from till.store.models import OutboxEvent, Refund, Sale


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

    def __init__(
        self, engine: Engine, central: CentralProcess, *, outlet: str = "ORC", till: str = ""
    ) -> None:
        code = create_enrolment_code(
            engine,
            outlet_code=outlet,
            till_code=till or "H" + uuid.uuid4().hex[:5].upper(),
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


@dataclass
class Attack:
    """The issue's two forgeries against a genuine till: a sale squatting on the receipt number
    it prints next, and the closing of its open shift (counted 0.00, variance -1.00)."""

    genuine: dict[str, Any]  # the victim's latest sale, as its till sealed it
    next_receipt: str
    their_shift: str

    @classmethod
    def on(cls, victim: AgentTill) -> Attack:
        with victim.store() as store, store.read() as s:
            row = s.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.kind == EventKind.SALE_COMPLETED.value)
                .order_by(OutboxEvent.seq.desc())
                .limit(1)
            ).one()
            # Sales and refunds take their numbers from one series: the next is past both.
            printed = [*s.scalars(select(Sale.receipt_no)), *s.scalars(select(Refund.receipt_no))]
        genuine: dict[str, Any] = json.loads(row.payload)
        prefix = genuine["receipt_no"].rsplit("-", 1)[0]
        serial = max(int(number.rsplit("-", 1)[1]) for number in printed)
        return cls(genuine, f"{prefix}-{serial + 1:06d}", genuine["shift_id"])

    def events(self) -> list[tuple[EventKind, dict[str, Any]]]:
        squat = {
            **self.genuine,
            "sale_id": str(uuid.uuid4()),
            "receipt_no": self.next_receipt,
            "shift_id": str(uuid.uuid4()),
            "lines": [{**line, "line_id": str(uuid.uuid4())} for line in self.genuine["lines"]],
        }
        closing = {
            "shift_id": self.their_shift,
            "closed_by": self.genuine["cashier_id"],
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
        return [(EventKind.SALE_COMPLETED, squat), (EventKind.SHIFT_CLOSED, closing)]
