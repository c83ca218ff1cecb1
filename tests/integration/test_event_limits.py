"""No event can block a till's queue (DESIGN.md §7, invariant 5).

The protocol's limits are the database's (``shared.wire``); hypothesis generates events with a
field at its limit and beyond it, mixed with characters PostgreSQL is known to refuse, and each
push carries a genuine sale behind the generated event. Whatever the generated event holds, the
push answers (never an error), the event is applied or quarantined with a reason the protocol
gives (never because PostgreSQL refused it), and the sale behind it is applied.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, text

from shared.protocol import (
    PROTOCOL_VERSION,
    REFUSED_REASON,
    Event,
    EventKind,
    EventOutcome,
    PushOk,
    PushRequest,
    TillReport,
)
from shared.wire import (
    AUDIT_MOMENT_MAX,
    INT32_MAX,
    MAX_MONEY,
    NAME_MAX,
    RECEIPT_NO_MAX,
    SHORT_TEXT_MAX,
    STAFF_REF_MAX,
    payload_hash,
)
from sync_service.central import models as m
from sync_service.central.ingest import apply_push
from sync_service.central.migrate import upgrade_central
from sync_service.central.tills import TillAuth, create_enrolment_code, enrol
from tests.central import add_outlet

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
EPOCHS = itertools.count(1)
SERIALS = itertools.count(1)
# Characters PostgreSQL refuses in text or jsonb, and ones that take more than one byte.
AWKWARD = st.sampled_from(["\x00", "\u0000", "é", "测", "😀", "\u202e", "'", "\\", '"', "a"])


@pytest.fixture(scope="module")
def engine(pg_url: str) -> Iterator[Engine]:
    upgrade_central(pg_url)
    eng = create_engine(pg_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def till(engine: Engine) -> TillAuth:
    outlet = add_outlet(engine)
    now = datetime.now(UTC)
    code = create_enrolment_code(
        engine, outlet_code=outlet.code, till_code="T01", created_by="test", now=now
    )
    ok = enrol(engine, code=code, now=now)
    return TillAuth(ok.till_id, outlet.outlet_id, outlet.code, "T01")


# --- genuine payloads, one per kind -------------------------------------------------------


def receipt_no(till: TillAuth) -> str:
    return f"{till.outlet_code}-{till.till_code}-{next(SERIALS):06d}"


def sale(till: TillAuth) -> dict[str, Any]:
    return {
        "sale_id": str(uuid.uuid4()),
        "receipt_no": receipt_no(till),
        "shift_id": str(uuid.uuid4()),
        "cashier_id": str(uuid.uuid4()),
        "sold_at": NOW.isoformat(),
        "lines": [
            {
                "line_id": str(uuid.uuid4()),
                "product_id": str(uuid.uuid4()),
                "sku": "KOPI-01",
                "name": "Kopi O",
                "quantity": "1",
                "unit_price": "1.80",
                "list_price": "1.80",
                "line_discount": "0.00",
                "cart_discount": "0.00",
                "amount": "1.80",
                "tax_code": "SR",
                "gst_rate": "9",
                "gst": "0.15",
            }
        ],
        "tenders": [{"type": "cash", "amount": "2.00", "reference": "drawer 1"}],
        "subtotal": "1.80",
        "discount_total": "0.00",
        "total": "1.80",
        "gst_total": "0.15",
        "rounding": "0.00",
        "change": "0.20",
    }


def refund(till: TillAuth) -> dict[str, Any]:
    return {
        "refund_id": str(uuid.uuid4()),
        "receipt_no": receipt_no(till),
        "original_sale_id": None,
        "original_receipt_no": receipt_no(till),
        "is_void": False,
        "reason": "damaged",
        "shift_id": str(uuid.uuid4()),
        "cashier_id": str(uuid.uuid4()),
        "approved_by": None,
        "refunded_at": NOW.isoformat(),
        "lines": [
            {
                "line_id": None,
                "product_id": str(uuid.uuid4()),
                "name": "Kopi O",
                "quantity": "1",
                "amount": "1.80",
                "gst": "0.15",
                "gst_rate": "9",
                "tax_code": "SR",
            }
        ],
        "tenders": [{"type": "cash", "amount": "1.80"}],
        "total": "1.80",
        "gst_total": "0.15",
        "rounding": "0.00",
    }


def shift_closed(till: TillAuth) -> dict[str, Any]:
    return {
        "shift_id": str(uuid.uuid4()),
        "closed_by": str(uuid.uuid4()),
        "closed_at": NOW.isoformat(),
        "expected_cash": "100.00",
        "counted_cash": "100.00",
        "variance": "0.00",
        "counted": {"50.00": 2},
        "approved_by": None,
        "sales_count": 3,
        "sales_total": "10.00",
        "refunds_total": "0.00",
        "gst_total": "0.83",
        "tenders": {"cash": "10.00"},
    }


def cash_moved(till: TillAuth) -> dict[str, Any]:
    return {
        "movement_id": str(uuid.uuid4()),
        "shift_id": str(uuid.uuid4()),
        "staff_id": str(uuid.uuid4()),
        "direction": "out",
        "amount": "20.00",
        "reason": "float to bank",
        "moved_at": NOW.isoformat(),
    }


def stock_moved(till: TillAuth) -> dict[str, Any]:
    return {
        "movement_id": str(uuid.uuid4()),
        "product_id": str(uuid.uuid4()),
        "quantity": "12",
        "reason": "delivery",
        "reference": "DO-1",
        "staff_id": str(uuid.uuid4()),
        "moved_at": NOW.isoformat(),
    }


def audit(till: TillAuth) -> dict[str, Any]:
    return {
        "till_id": str(till.till_id),
        "epoch": next(EPOCHS) + 10_000,
        "seq": 1,
        "occurred_at": NOW.isoformat(),
        "actor": str(uuid.uuid4()),
        "action": "drawer.opened",
        "subject": "no sale",
        "before": None,
        "after": {"reason": "change"},
        "prev_hash": "0" * 64,
        "hash": "a" * 64,
    }


def customer(till: TillAuth) -> dict[str, Any]:
    return {
        "customer_id": str(uuid.uuid4()),
        "name": "Tan Ah Kow",
        "phone": "+6591234567",
        "email": "tan@example.com",
        "consent_contact": True,
        "consent_marketing": False,
        "consent_at": NOW.isoformat(),
    }


@dataclass(frozen=True)
class Limit:
    kind: EventKind
    build: Callable[[TillAuth], dict[str, Any]]
    path: tuple[str | int, ...]
    size: int  # characters for text, the largest value for numbers
    value: str = "text"  # "text", "int", "money"


LIMITS = [
    Limit(EventKind.SALE_COMPLETED, sale, ("receipt_no",), RECEIPT_NO_MAX),
    Limit(EventKind.SALE_COMPLETED, sale, ("lines", 0, "sku"), NAME_MAX),
    Limit(EventKind.SALE_COMPLETED, sale, ("lines", 0, "name"), NAME_MAX),
    Limit(EventKind.SALE_COMPLETED, sale, ("tenders", 0, "reference"), SHORT_TEXT_MAX),
    Limit(EventKind.SALE_COMPLETED, sale, ("total",), 0, "money"),
    Limit(EventKind.SALE_COMPLETED, sale, ("lines", 0, "amount"), 0, "money"),
    Limit(EventKind.REFUND_COMPLETED, refund, ("receipt_no",), RECEIPT_NO_MAX),
    Limit(EventKind.REFUND_COMPLETED, refund, ("original_receipt_no",), RECEIPT_NO_MAX),
    Limit(EventKind.REFUND_COMPLETED, refund, ("reason",), SHORT_TEXT_MAX),
    Limit(EventKind.REFUND_COMPLETED, refund, ("lines", 0, "name"), NAME_MAX),
    Limit(EventKind.SHIFT_CLOSED, shift_closed, ("sales_count",), INT32_MAX, "int"),
    Limit(EventKind.SHIFT_CLOSED, shift_closed, ("counted", "50.00"), INT32_MAX, "int"),
    Limit(EventKind.SHIFT_CLOSED, shift_closed, ("sales_total",), 0, "money"),
    Limit(EventKind.CASH_MOVED, cash_moved, ("reason",), NAME_MAX),
    Limit(EventKind.STOCK_RECEIVED, stock_moved, ("reason",), NAME_MAX),
    Limit(EventKind.STOCK_RECEIVED, stock_moved, ("reference",), SHORT_TEXT_MAX),
    Limit(EventKind.AUDIT_RECORDED, audit, ("occurred_at",), AUDIT_MOMENT_MAX),
    Limit(EventKind.AUDIT_RECORDED, audit, ("actor",), STAFF_REF_MAX),
    Limit(EventKind.AUDIT_RECORDED, audit, ("action",), NAME_MAX),
    Limit(EventKind.AUDIT_RECORDED, audit, ("subject",), SHORT_TEXT_MAX),
    Limit(EventKind.AUDIT_RECORDED, audit, ("seq",), 2**63 - 1, "int"),
    Limit(EventKind.CUSTOMER_UPSERTED, customer, ("name",), NAME_MAX),
    Limit(EventKind.CUSTOMER_UPSERTED, customer, ("consent_at",), 0, "null"),
]


def sealed(till: TillAuth, epoch: int, seq: int, kind: EventKind, payload: dict) -> Event:
    return Event(
        event_id=uuid.uuid4(),
        till_id=till.till_id,
        epoch=epoch,
        seq=seq,
        kind=kind.value,
        schema_version=1,
        occurred_at=NOW,
        payload=payload,
        payload_sha256=payload_hash(payload),
    )


def put(payload: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    node: Any = payload
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


def push(engine: Engine, till: TillAuth, events: list[Event]) -> PushOk:
    report = TillReport(
        app_version="test",
        store_revision="0002",
        backlog=0,
        oldest_pending_at=None,
        sent_at=NOW,
    )
    request = PushRequest(protocol=PROTOCOL_VERSION, till=report, events=events)
    answer = apply_push(engine, till, request, now=NOW)
    assert isinstance(answer, PushOk)
    return answer


@st.composite
def at_or_beyond(draw: st.DrawFn) -> tuple[Limit, Any, bool]:
    """A limit, a value at it or beyond it, and whether it is beyond."""
    limit = draw(st.sampled_from(LIMITS))
    beyond = draw(st.booleans())
    if limit.value == "text":
        size = limit.size + (draw(st.integers(1, 50)) if beyond else 0)
        chars = draw(st.lists(AWKWARD | st.characters(codec="utf-8"), min_size=size, max_size=size))
        return limit, "".join(chars), beyond
    if limit.value == "int":
        return limit, limit.size + (draw(st.integers(1, 2**70)) if beyond else 0), beyond
    if limit.value == "money":
        cents = Decimal("0.01") * draw(st.integers(1, 10**6)) if beyond else Decimal(0)
        return limit, f"{MAX_MONEY + cents:.2f}", beyond
    return limit, None, False


@settings(max_examples=120)
@given(case=at_or_beyond())
def test_no_generated_event_blocks_the_sale_behind_it(
    engine: Engine, till: TillAuth, case: tuple[Limit, Any, bool]
) -> None:
    limit, value, beyond = case
    payload = limit.build(till)
    put(payload, limit.path, value)
    epoch = next(EPOCHS)
    generated = sealed(till, epoch, 1, limit.kind, payload)
    genuine = sealed(till, epoch, 2, EventKind.SALE_COMPLETED, sale(till))

    answer = push(engine, till, [generated, genuine])

    first, second = answer.results
    assert second.outcome is EventOutcome.APPLIED
    assert "could not store" not in (first.reason or ""), first.reason
    if beyond or "\x00" in str(value):
        assert first.outcome is EventOutcome.QUARANTINED
        assert first.reason and first.reason.startswith(
            (f"invalid {limit.kind.value} payload", "payload holds a NUL character")
        )
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT outcome FROM sgpos.inbox WHERE till_id = :t AND epoch = :e ORDER BY seq"),
            {"t": till.till_id, "e": epoch},
        ).scalars()
        # An event refused as naming another till's facts (a receipt number not of this till)
        # is stored nowhere, by the trust boundary's rule; any other is in the inbox.
        refused = (first.reason or "").startswith(REFUSED_REASON)
        assert list(stored) == ([] if refused else [first.outcome.value]) + ["applied"]


def test_sums_of_the_largest_amounts_do_not_overflow_and_block_later_sales(
    engine: Engine, till: TillAuth
) -> None:
    """A till pushing the largest sale the protocol allows must not make every later sale of
    its outlet fail in the hour's summary (nor stock on hand)."""
    epoch = next(EPOCHS)
    events = []
    for seq in range(1, 4):
        big = sale(till)
        for field in ("subtotal", "total"):
            big[field] = f"{MAX_MONEY:.2f}"
        big["lines"][0].update(amount=f"{MAX_MONEY:.2f}", quantity="999999.999")
        events.append(sealed(till, epoch, seq, EventKind.SALE_COMPLETED, big))
    events.append(sealed(till, epoch, 4, EventKind.SALE_COMPLETED, sale(till)))

    answer = push(engine, till, events)

    assert [r.outcome for r in answer.results] == [EventOutcome.APPLIED] * 4
    with engine.connect() as conn:
        total = conn.scalar(
            text("SELECT sum(sales_total) FROM sgpos.sales_by_hour WHERE outlet_id = :o"),
            {"o": till.outlet_id},
        )
    assert total >= 3 * MAX_MONEY


def test_the_databases_columns_are_the_protocols_limits(engine: Engine) -> None:
    """The migrations are frozen copies: the live columns must still be the shared sizes."""
    expected = {
        ("sale", "receipt_no"): RECEIPT_NO_MAX,
        ("refund", "receipt_no"): RECEIPT_NO_MAX,
        ("refund", "original_receipt_no"): RECEIPT_NO_MAX,
        ("sale_line", "name"): NAME_MAX,
        ("sale_line", "sku"): NAME_MAX,
        ("tender", "reference"): SHORT_TEXT_MAX,
        ("refund", "reason"): SHORT_TEXT_MAX,
        ("cash_movement", "reason"): NAME_MAX,
        ("audit_record", "occurred_at"): AUDIT_MOMENT_MAX,
        ("audit_record", "actor"): STAFF_REF_MAX,
        ("audit_record", "action"): NAME_MAX,
        ("audit_record", "subject"): SHORT_TEXT_MAX,
        ("customer", "name"): NAME_MAX,
    }
    with engine.connect() as conn:
        found = {
            (r.table_name, r.column_name): r.character_maximum_length
            for r in conn.execute(
                text(
                    "SELECT table_name, column_name, character_maximum_length "
                    "FROM information_schema.columns WHERE table_schema = :s"
                ),
                {"s": m.SCHEMA},
            )
        }
    assert {k: found[k] for k in expected} == expected
