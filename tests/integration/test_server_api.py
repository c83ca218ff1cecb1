"""The central sync server's HTTP API on a real loopback socket against a real PostgreSQL.

Every bad request must get the right status and a typed body, and must leave the database as
it was; the happy paths must do what a till needs (DESIGN.md §5).
"""

from __future__ import annotations

import asyncio
import gzip
import http.client
import json
import shutil
import ssl
import subprocess
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiohttp import web
from argon2 import PasswordHasher
from sqlalchemy import Engine, text
from structlog.testing import capture_logs

from shared.demo_catalogue import DEMO_STAFF, demo_catalogue, demo_outlet
from shared.protocol import (
    MAX_BODY_BYTES,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    Busy,
    EnrolOk,
    Event,
    EventKind,
    EventOutcome,
    Health,
    MasterEntity,
    MemberPoints,
    PullPage,
    PushOk,
    PushRequest,
    Rejected,
    SaleCompletedV1,
    SaleLineV1,
    ShiftOpenedV1,
    TenderV1,
    TillReport,
    Unauthorized,
    UpgradeRequired,
)
from shared.wire import WireModel, payload_hash
from sync_service.central.admin.enrolment import replacement_code
from sync_service.central.db import CentralSettings, central_engine
from sync_service.central.migrate import upgrade_central
from sync_service.central.seed import seed_demo
from sync_service.central.tills import (
    EnrolmentError,
    create_enrolment_code,
    enrol,
    retire_till,
    revoke_till,
)
from sync_service.central.users import verify_user
from sync_service.server.app import ServerConfigError, make_app, make_runner, ssl_context
from tests.gift_voucher_support import new_batch

pytestmark = pytest.mark.postgres

HTTP_TIMEOUT_S = 60.0  # generous: CI machines are shared and slow
PRODUCT = demo_catalogue(5).products[0]


# --- what a till sends ------------------------------------------------------------------------


def shift_and_sales(
    till_id: uuid.UUID, receipt_prefix: str, *, sales: int = 2, first_seq: int = 1
) -> list[Event]:
    """A shift opening and ``sales`` one-line cash sales, sealed as the till seals them."""
    at = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
    shift_id, cashier = uuid.uuid4(), uuid.uuid4()
    events = [
        Event.seal(
            event_id=uuid.uuid4(),
            till_id=till_id,
            epoch=1,
            seq=first_seq,
            kind=EventKind.SHIFT_OPENED,
            occurred_at=at,
            payload=ShiftOpenedV1(
                shift_id=shift_id, opened_by=cashier, opened_at=at, opening_float=Decimal("200.00")
            ),
        )
    ]
    for n in range(1, sales + 1):
        sold_at = at + timedelta(minutes=n)
        price = Decimal("2.50")
        sale = SaleCompletedV1(
            sale_id=uuid.uuid4(),
            receipt_no=f"{receipt_prefix}-{first_seq + n:06d}",
            shift_id=shift_id,
            cashier_id=cashier,
            sold_at=sold_at,
            lines=[
                SaleLineV1(
                    line_id=uuid.uuid4(),
                    product_id=PRODUCT.product_id,
                    sku=PRODUCT.sku,
                    name=PRODUCT.name,
                    quantity=Decimal("1"),
                    unit_price=price,
                    list_price=price,
                    line_discount=Decimal("0.00"),
                    cart_discount=Decimal("0.00"),
                    amount=price,
                    tax_code="SR",
                    gst_rate=Decimal("9"),
                    gst=Decimal("0.21"),
                )
            ],
            tenders=[TenderV1(type="cash", amount=price)],
            subtotal=price,
            discount_total=Decimal("0.00"),
            total=price,
            gst_total=Decimal("0.21"),
            rounding=Decimal("0.00"),
            change=Decimal("0.00"),
        )
        events.append(
            Event.seal(
                event_id=uuid.uuid4(),
                till_id=till_id,
                epoch=1,
                seq=first_seq + n,
                kind=EventKind.SALE_COMPLETED,
                occurred_at=sold_at,
                payload=sale,
            )
        )
    return events


def push_body(events: list[Event], *, protocol: int = PROTOCOL_VERSION) -> bytes:
    report = TillReport(
        app_version="test",
        store_revision="0001",
        backlog=len(events),
        oldest_pending_at=None,
        sent_at=datetime.now(UTC),
    )
    return PushRequest(protocol=protocol, till=report, events=events).model_dump_json().encode()


# --- a real server on a loopback socket -------------------------------------------------------


Typed = TypeVar("Typed", bound=WireModel)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    raw: bytes

    @property
    def body(self) -> Any:
        return json.loads(self.raw) if self.raw else None

    def typed(self, model: type[Typed]) -> Typed:
        """The body as the protocol model, validated as strictly as a till validates it."""
        return model.model_validate_json(self.raw)


class LiveServer:
    """The app served by its own event loop in a thread, on a free loopback port."""

    def __init__(self, app: web.Application, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.runner = make_runner(app)
        self.port: int = self._call(self._start())

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(HTTP_TIMEOUT_S)

    async def _start(self) -> int:
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0, ssl_context=self.tls).start()
        return int(self.runner.addresses[0][1])

    def close(self) -> None:
        try:
            self._call(self.runner.cleanup())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(HTTP_TIMEOUT_S)
            self.loop.close()

    def call(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT_S)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            raw = response.read()
            answer_headers = {k.lower(): v for k, v in response.getheaders()}
        finally:
            conn.close()
        if answer_headers.get("content-encoding") == "gzip":
            raw = gzip.decompress(raw)
        return Answer(response.status, answer_headers, raw)


@dataclass
class Till:
    till_id: uuid.UUID
    secret: str
    code: str

    def headers(self, **extra: str) -> dict[str, str]:
        return {
            PROTOCOL_HEADER: str(PROTOCOL_VERSION),
            "Authorization": f"Bearer {self.till_id}:{self.secret}",
            "Content-Type": "application/json",
            **extra,
        }

    def receipts(self) -> str:
        return f"ORC-{self.code}"


@pytest.fixture(scope="module")
def engine(pg_url: str) -> Iterator[Engine]:
    upgrade_central(pg_url)
    eng = central_engine(pg_url, pool_size=4)
    seed_demo(eng, products=5)
    yield eng
    eng.dispose()


def settings_for(pg_url: str, **overrides: Any) -> CentralSettings:
    return CentralSettings.load(central_db_url=pg_url, db_pool_size=4, **overrides)


@contextmanager
def serving(
    pg_url: str, engine: Engine, *, enrol_failures_per_minute: int = 10, **overrides: Any
) -> Iterator[LiveServer]:
    app = make_app(
        settings_for(pg_url, **overrides),
        engine,
        enrol_failures_per_minute=enrol_failures_per_minute,
    )
    server = LiveServer(app)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def server(pg_url: str, engine: Engine) -> Iterator[LiveServer]:
    with serving(pg_url, engine) as live:
        yield live


def new_till(engine: Engine) -> Till:
    code = "T" + uuid.uuid4().hex[:6].upper()
    now = datetime.now(UTC)
    ok = enrol(
        engine,
        code=create_enrolment_code(
            engine, outlet_code="ORC", till_code=code, created_by="test", now=now
        ),
        now=now,
    )
    return Till(ok.till_id, ok.secret, code)


@pytest.fixture
def till(engine: Engine) -> Till:
    return new_till(engine)


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table: conn.execute(text(f"SELECT count(*) FROM sgpos.{table}")).scalar_one()
            for table in ("inbox", "sale", "till", "quarantine", "enrolment_code")
        }


def last_seen(engine: Engine, till_id: uuid.UUID) -> datetime | None:
    with engine.connect() as conn:
        seen: datetime | None = conn.execute(
            text("SELECT last_seen_at FROM sgpos.till WHERE till_id = :t"), {"t": till_id}
        ).scalar_one()
        return seen


def protocol_only(**extra: str) -> dict[str, str]:
    return {PROTOCOL_HEADER: str(PROTOCOL_VERSION), "Content-Type": "application/json", **extra}


def enrol_body(code: str, **changes: Any) -> bytes:
    body = {"protocol": PROTOCOL_VERSION, "code": code, "hostname": "till-1", "app_version": "t"}
    return json.dumps({**body, **changes}).encode()


def fresh_code(engine: Engine, *, now: datetime | None = None) -> str:
    till_code = "E" + uuid.uuid4().hex[:6].upper()
    return create_enrolment_code(
        engine,
        outlet_code="ORC",
        till_code=till_code,
        created_by="test",
        now=now or datetime.now(UTC),
    )


def rejected(answer: Answer, status: int) -> Rejected:
    assert answer.status == status, answer.body
    return answer.typed(Rejected)


# --- enrolment --------------------------------------------------------------------------------


def test_enrolment_returns_the_tills_identity_and_a_secret_that_works_once(
    server: LiveServer, engine: Engine
) -> None:
    code = fresh_code(engine)
    before = counts(engine)

    first = server.call("POST", "/v1/enroll", enrol_body(code), protocol_only())
    assert first.status == 200
    ok = first.typed(EnrolOk)
    assert ok.outlet_code == "ORC" and ok.till_code.startswith("E") and len(ok.secret) >= 32
    assert counts(engine)["till"] == before["till"] + 1

    again = server.call("POST", "/v1/enroll", enrol_body(code), protocol_only())
    assert "already used" in rejected(again, 400).message
    assert counts(engine)["till"] == before["till"] + 1

    # The secret is the till's credential from now on.
    enrolled = Till(ok.till_id, ok.secret, ok.till_code)
    pulled = server.call("GET", "/v1/pull?cursor=0&limit=10", headers=enrolled.headers())
    assert pulled.status == 200
    assert pulled.typed(PullPage).changes


def test_an_expired_enrolment_code_is_refused_and_creates_no_till(
    server: LiveServer, engine: Engine
) -> None:
    code = fresh_code(engine, now=datetime.now(UTC) - timedelta(days=3))
    before = counts(engine)
    answer = server.call("POST", "/v1/enroll", enrol_body(code), protocol_only())
    assert "expired" in rejected(answer, 400).message
    assert counts(engine) == before


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b"{not json", 400, "Invalid JSON"),
        (enrol_body("ABCD-EFGH-JKLM", hostname=7), 400, "hostname"),
        (enrol_body("ABCD-EFGH-JKLM", nric="S1234567A"), 400, "nric"),
        (enrol_body("abc"), 400, "code"),
        (enrol_body("ABCD-EFGH-JKLM", protocol=99), 426, ""),
    ],
    ids=["malformed-json", "wrong-type", "unknown-field", "bad-code-shape", "body-protocol"],
)
def test_bad_enrolment_bodies_are_refused_with_the_reason(
    server: LiveServer, engine: Engine, body: bytes, status: int, says: str
) -> None:
    before = counts(engine)
    answer = server.call("POST", "/v1/enroll", body, protocol_only())
    assert answer.status == status
    if status == 426:
        assert answer.typed(UpgradeRequired).accepted_versions == [PROTOCOL_VERSION]
    else:
        assert says in rejected(answer, status).message
    assert counts(engine) == before


def test_repeated_failed_enrolments_from_one_address_are_throttled(
    pg_url: str, engine: Engine
) -> None:
    good = fresh_code(engine)
    with serving(pg_url, engine, enrol_failures_per_minute=3) as live:
        for _ in range(3):
            wrong = live.call("POST", "/v1/enroll", enrol_body("WRNG-CODE-0000"), protocol_only())
            assert "not valid" in rejected(wrong, 400).message
        before = counts(engine)
        throttled = live.call("POST", "/v1/enroll", enrol_body(good), protocol_only())
    assert throttled.status == 429
    busy = throttled.typed(Busy)
    assert 1 <= busy.retry_after <= 61
    assert throttled.headers["retry-after"] == str(busy.retry_after)
    assert counts(engine) == before  # even a good code waits: nothing was tried


# --- the protocol header ----------------------------------------------------------------------

ENDPOINTS = [
    ("POST", "/v1/enroll"),
    ("POST", "/v1/push"),
    ("GET", "/v1/pull?cursor=0"),
    ("POST", "/v1/points"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize(
    ("header", "status"),
    [(None, 400), ("one", 400), ("", 400), ("99", 426), ("0", 426)],
    ids=["missing", "words", "empty", "future", "zero"],
)
def test_every_call_must_name_a_protocol_version_the_server_speaks(
    server: LiveServer, engine: Engine, till: Till, method: str, path: str, header: str | None,
    status: int,
) -> None:  # fmt: skip
    headers = till.headers()
    if header is None:
        del headers[PROTOCOL_HEADER]
    else:
        headers[PROTOCOL_HEADER] = header
    body = push_body(shift_and_sales(till.till_id, till.receipts())) if method == "POST" else None
    before = counts(engine)
    answer = server.call(method, path, body, headers)
    assert answer.status == status
    if status == 426:
        upgrade = answer.typed(UpgradeRequired)
        assert upgrade.accepted_versions == [PROTOCOL_VERSION] and header in upgrade.message
    else:
        assert PROTOCOL_HEADER in rejected(answer, 400).message
    assert counts(engine) == before


# --- credentials ------------------------------------------------------------------------------


def bad_credentials(engine: Engine) -> dict[str, str | None]:
    revoked = new_till(engine)
    revoke_till(engine, outlet_code="ORC", till_code=revoked.code, now=datetime.now(UTC))
    real = new_till(engine)
    return {
        "missing": None,
        "not-bearer": f"Basic {real.till_id}:{real.secret}",
        "garbage": "Bearer ::::",
        "no-secret": f"Bearer {real.till_id}",
        "not-a-uuid": f"Bearer T01:{real.secret}",
        "unknown-till": f"Bearer {uuid.uuid4()}:{real.secret}",
        "wrong-secret": f"Bearer {real.till_id}:{real.secret[:-2]}xx",
        "revoked": f"Bearer {revoked.till_id}:{revoked.secret}",
    }


def test_revoking_a_till_stops_the_codes_still_waiting_to_enrol_it(engine: Engine) -> None:
    now = datetime.now(UTC)
    for retire in (False, True):
        till = new_till(engine)
        waiting = replacement_code(engine, "test", till.till_id, now=now).code
        if retire:  # the technician's decommission
            retire_till(engine, till.till_id, now=now)
        else:  # head office's command line
            revoke_till(engine, outlet_code="ORC", till_code=till.code, now=now)
        with pytest.raises(EnrolmentError):
            enrol(engine, code=waiting, now=now)


@pytest.mark.parametrize(("method", "path"), ENDPOINTS[1:])
def test_every_bad_credential_gets_the_same_401_and_nothing_is_written(
    server: LiveServer, engine: Engine, till: Till, method: str, path: str
) -> None:
    body = push_body(shift_and_sales(till.till_id, till.receipts())) if method == "POST" else None
    answers = {}
    for name, authorization in bad_credentials(engine).items():
        headers = till.headers()
        if authorization is None:
            del headers["Authorization"]
        else:
            headers["Authorization"] = authorization
        before = counts(engine)
        answers[name] = server.call(method, path, body, headers)
        assert counts(engine) == before, name
    assert {name: a.status for name, a in answers.items()} == dict.fromkeys(answers, 401)
    bodies = {json.dumps(a.body, sort_keys=True) for a in answers.values()}
    assert len(bodies) == 1  # never a hint of which part was wrong
    assert answers["revoked"].typed(Unauthorized).message
    assert all(a.headers["www-authenticate"].startswith("Bearer") for a in answers.values())


def test_points_answers_each_member_asked_for_and_refuses_a_malformed_body(
    server: LiveServer, till: Till
) -> None:
    member = uuid.uuid4()  # not heard of yet: nothing held elsewhere
    body = json.dumps({"customer_ids": [str(member)]}).encode()
    answer = server.call("POST", "/v1/points", body, till.headers())
    assert answer.status == 200, answer.body
    points = answer.typed(MemberPoints)
    assert [(m.customer_id, m.elsewhere, m.tier) for m in points.members] == [(member, 0, None)]
    bad = server.call("POST", "/v1/points", b'{"customer_ids": ["x"]}', till.headers())
    assert rejected(bad, 400).message


# --- push bodies ------------------------------------------------------------------------------


def test_a_valid_push_is_applied_and_the_same_push_again_is_acknowledged_as_duplicates(
    server: LiveServer, engine: Engine, till: Till
) -> None:
    events = shift_and_sales(till.till_id, till.receipts(), sales=2)
    before = counts(engine)
    first = server.call("POST", "/v1/push", push_body(events), till.headers())
    assert first.status == 200
    assert [r.outcome for r in first.typed(PushOk).results] == [EventOutcome.APPLIED] * 3
    again = server.call("POST", "/v1/push", push_body(events), till.headers())
    assert [r.outcome for r in again.typed(PushOk).results] == [EventOutcome.DUPLICATE] * 3
    after = counts(engine)
    assert (after["inbox"], after["sale"]) == (before["inbox"] + 3, before["sale"] + 2)
    assert last_seen(engine, till.till_id) is not None


def test_a_gzipped_push_is_applied_and_the_answer_comes_back_gzipped(
    server: LiveServer, engine: Engine, till: Till
) -> None:
    events = shift_and_sales(till.till_id, till.receipts(), sales=3)
    answer = server.call(
        "POST",
        "/v1/push",
        gzip.compress(push_body(events)),
        till.headers(**{"Content-Encoding": "gzip", "Accept-Encoding": "gzip"}),
    )
    assert answer.status == 200 and answer.headers["content-encoding"] == "gzip"
    ok = answer.typed(PushOk)
    assert {r.event_id for r in ok.results} == {e.event_id for e in events}
    assert {r.outcome for r in ok.results} == {EventOutcome.APPLIED}


def _mutated(till: Till, change: Any) -> bytes:
    body = json.loads(push_body(shift_and_sales(till.till_id, till.receipts())))
    change(body)
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("make_body", "says"),
    [
        (lambda t: b'{"protocol": 1, "till": ', "Invalid JSON"),
        (lambda t: b"", "Invalid JSON"),
        (lambda t: _mutated(t, lambda b: b["events"][1].update(seq="2")), "events.1.seq"),
        (lambda t: _mutated(t, lambda b: b["events"][0].update(payload=[])), "events.0.payload"),
        (lambda t: _mutated(t, lambda b: b.update(debug=True)), "debug"),
        (lambda t: _mutated(t, lambda b: b["events"][0].update(nric="S1234567A")), "nric"),
        (lambda t: _mutated(t, lambda b: b.update(events=[])), "events"),
        (lambda t: _mutated(t, lambda b: b.update(protocol="1")), "protocol"),
        (lambda t: _mutated(t, lambda b: b["till"].update(backlog=-1)), "till.backlog"),
    ],
    ids=[
        "truncated-json",
        "empty",
        "seq-as-text",
        "payload-as-list",
        "unknown-top-field",
        "unknown-event-field",
        "no-events",
        "protocol-as-text",
        "negative-backlog",
    ],
)
def test_a_malformed_push_is_refused_naming_the_first_problem(
    server: LiveServer, engine: Engine, till: Till, make_body: Any, says: str
) -> None:
    before = counts(engine)
    answer = server.call("POST", "/v1/push", make_body(till), till.headers())
    assert says in rejected(answer, 400).message
    assert counts(engine) == before and last_seen(engine, till.till_id) is None


def test_a_body_saying_another_protocol_than_its_header_is_refused(
    server: LiveServer, engine: Engine, till: Till
) -> None:
    before = counts(engine)
    body = push_body(shift_and_sales(till.till_id, till.receipts()), protocol=99)
    upgrade = server.call("POST", "/v1/push", body, till.headers())
    assert upgrade.status == 426
    assert upgrade.typed(UpgradeRequired).accepted_versions == [PROTOCOL_VERSION]
    assert counts(engine) == before


def test_an_oversized_push_is_refused_before_it_is_read(
    server: LiveServer, engine: Engine, till: Till
) -> None:
    body = push_body(shift_and_sales(till.till_id, till.receipts()))
    padded = body[:-1] + b', "padding": "' + b"x" * MAX_BODY_BYTES + b'"}'
    before = counts(engine)
    answer = server.call("POST", "/v1/push", padded, till.headers())
    assert str(MAX_BODY_BYTES) in rejected(answer, 413).message
    assert counts(engine) == before


def gzip_bomb(inflated_bytes: int) -> bytes:
    """A few hundred kB of gzip that inflates to ``inflated_bytes`` of JSON-ish spaces."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b" " * (1 << 20)
    parts = [packer.compress(b'{"protocol": 1')]
    parts += [packer.compress(block) for _ in range(inflated_bytes >> 20)]
    parts.append(packer.compress(b"}") + packer.flush())
    return b"".join(parts)


def test_a_gzip_bomb_is_refused_once_it_inflates_past_the_limit(
    server: LiveServer, engine: Engine, till: Till
) -> None:
    bomb = gzip_bomb(MAX_BODY_BYTES * 4)
    assert len(bomb) < MAX_BODY_BYTES // 8
    before = counts(engine)
    answer = server.call("POST", "/v1/push", bomb, till.headers(**{"Content-Encoding": "gzip"}))
    assert "after gzip" in rejected(answer, 413).message
    assert counts(engine) == before
    # The server is still well and serving.
    assert server.call("GET", "/v1/health").status == 200


@pytest.mark.parametrize(
    ("encoding", "body", "status", "says"),
    [
        ("gzip", b"this is not gzip", 400, "not valid gzip"),
        ("gzip", gzip.compress(b'{"protocol": 1}')[:-6], 400, "truncated"),
        ("br", b"{}", 415, "Content-Encoding"),
    ],
    ids=["not-gzip", "truncated-gzip", "brotli"],
)
def test_a_body_in_an_encoding_the_server_cannot_read_is_refused(
    server: LiveServer, engine: Engine, till: Till, encoding: str, body: bytes, status: int,
    says: str,
) -> None:  # fmt: skip
    before = counts(engine)
    answer = server.call("POST", "/v1/push", body, till.headers(**{"Content-Encoding": encoding}))
    assert says in rejected(answer, status).message
    assert counts(engine) == before


def test_events_of_another_till_are_refused_listing_them_and_nothing_is_written(
    server: LiveServer, engine: Engine, till: Till
) -> None:
    other = new_till(engine)
    mine = shift_and_sales(till.till_id, till.receipts(), sales=1)
    theirs = shift_and_sales(other.till_id, other.receipts(), sales=1, first_seq=3)
    before = counts(engine)
    answer = server.call("POST", "/v1/push", push_body(mine + theirs), till.headers())
    refusal = rejected(answer, 403)
    assert {r.event_id for r in refusal.events} == {e.event_id for e in theirs}
    assert counts(engine) == before
    assert last_seen(engine, till.till_id) is None


def test_an_unknown_event_kind_is_quarantined_and_the_rest_applied(
    server: LiveServer, engine: Engine, till: Till
) -> None:
    events = shift_and_sales(till.till_id, till.receipts(), sales=1)
    payload = {"voucher_id": str(uuid.uuid4())}
    odd = events[0].model_copy(
        update={
            "event_id": uuid.uuid4(),
            "seq": 3,
            "kind": "voucher.issued",
            "payload": payload,
            "payload_sha256": payload_hash(payload),
        }
    )
    before = counts(engine)
    with capture_logs() as logs:
        answer = server.call("POST", "/v1/push", push_body([*events, odd]), till.headers())
    assert answer.status == 200
    outcomes = {r.event_id: r for r in answer.typed(PushOk).results}
    assert outcomes[odd.event_id].outcome is EventOutcome.QUARANTINED
    assert "voucher.issued" in (outcomes[odd.event_id].reason or "")
    assert {outcomes[e.event_id].outcome for e in events} == {EventOutcome.APPLIED}
    after = counts(engine)
    assert after["quarantine"] == before["quarantine"] + 1
    assert after["inbox"] == before["inbox"] + 3  # acknowledged, so it never blocks the queue
    alarms = [e for e in logs if e["event"] == "push.alarm"]
    assert alarms and alarms[0]["log_level"] == "warning" and alarms[0]["quarantined"] == 1


def test_the_request_log_names_the_till_and_never_its_secret(
    server: LiveServer, till: Till
) -> None:
    events = shift_and_sales(till.till_id, till.receipts(), sales=1)
    with capture_logs() as logs:
        server.call("POST", "/v1/push", push_body(events), till.headers())
    lines = [e for e in logs if e["event"] == "request" and e["route"] == "/v1/push"]
    assert len(lines) == 1
    line = lines[0]
    assert line["status"] == 200 and line["till_id"] == str(till.till_id) and line["events"] == 2
    assert line["duration_ms"] >= 0
    assert till.secret not in repr(logs) and "Bearer" not in repr(logs)


# --- pull -------------------------------------------------------------------------------------


def test_pull_pages_master_data_from_cursor_zero(
    server: LiveServer, engine: Engine, till: Till
) -> None:
    assert last_seen(engine, till.till_id) is None
    first = server.call("GET", "/v1/pull?cursor=0&limit=3", headers=till.headers())
    assert first.status == 200
    # An idle till only pulls; head office's fleet page still sees it alive.
    assert last_seen(engine, till.till_id) is not None
    page = first.typed(PullPage)
    assert page.cursor == "0" and page.has_more and len(page.changes) <= 3
    second = server.call("GET", f"/v1/pull?cursor={page.next_cursor}", headers=till.headers())
    assert second.typed(PullPage).cursor == page.next_cursor


def test_gift_voucher_batches_come_down_only_to_a_till_that_asks(
    server: LiveServer, engine: Engine, till: Till
) -> None:
    prefix = new_batch(engine, count=3, face_value="10.00")

    def batches(query: str) -> list[dict[str, Any]]:
        found, cursor = [], "0"
        while True:
            answer = server.call(
                "GET", f"/v1/pull?cursor={cursor}&limit=5000{query}", headers=till.headers()
            )
            page = answer.typed(PullPage)
            found += [c.data for c in page.changes if c.entity == MasterEntity.VOUCHER_BATCH]
            if not page.has_more:
                return [d for d in found if d and d["prefix"] == prefix]
            cursor = page.next_cursor

    assert batches("") == []
    [batch] = batches("&with=promotion,voucher_batch")
    assert (batch["count"], batch["face_value"], batch["voided"]) == (3, "10.00", [])


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("cursor=garbage", "not a cursor"),
        ("cursor=v1.1", "not a cursor"),
        ("", "cursor is required"),
        ("cursor=" + "9" * 101, "cursor is required"),
        ("cursor=0&limit=0", "limit"),
        ("cursor=0&limit=-5", "limit"),
        ("cursor=0&limit=ten", "limit"),
        ("cursor=0&limit=5001", "limit"),
        ("cursor=0&limit=%C2%B2", "limit"),  # "²": a digit to str.isdigit(), not to int()
        ("cursor=0&limit=" + "9" * 5000, "limit"),  # past what int() reads
        ("cursor=0&since=yesterday", "since"),
    ],
)
def test_a_bad_pull_cursor_or_limit_is_refused(
    server: LiveServer, till: Till, query: str, says: str
) -> None:
    answer = server.call("GET", f"/v1/pull?{query}", headers=till.headers())
    assert says in rejected(answer, 400).message


# --- health, routing, load shedding -----------------------------------------------------------


def test_health_reports_the_database_and_the_protocol_without_credentials(
    server: LiveServer,
) -> None:
    answer = server.call("GET", "/v1/health")
    assert answer.status == 200
    health = answer.typed(Health)
    assert (health.status, health.database) == ("ok", "ok")
    assert health.protocol == PROTOCOL_VERSION and health.accepted_versions == [PROTOCOL_VERSION]
    assert abs(health.server_time - datetime.now(UTC)) < timedelta(minutes=1)


def test_without_its_database_the_server_says_degraded_and_busy(pg_url: str, till: Till) -> None:
    nowhere = central_engine("postgresql://postgres@127.0.0.1:9/none", pool_size=1)
    try:
        with serving(pg_url, nowhere) as live:
            answer = live.call("GET", "/v1/health")
            events = shift_and_sales(till.till_id, till.receipts())
            push = live.call("POST", "/v1/push", push_body(events), till.headers())
    finally:
        nowhere.dispose()
    assert answer.status == 503
    health = answer.typed(Health)
    assert (health.status, health.database) == ("degraded", "unreachable")
    # A till keeps its events and comes back later, as for any busy answer.
    assert push.status == 503 and push.headers["retry-after"].isdigit()
    assert "database" in push.typed(Busy).message


def test_unknown_routes_and_methods_get_typed_answers(server: LiveServer) -> None:
    assert "Not Found" in rejected(server.call("GET", "/v1/sales"), 404).message
    wrong_method = server.call("GET", "/v1/push", headers=protocol_only())
    assert rejected(wrong_method, 405).status == "rejected"
    assert "POST" in wrong_method.headers["allow"]


def waiting_on_a_lock(engine: Engine) -> bool:
    with engine.connect() as conn:
        waiting: int = conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'sgpos-central' "
                "AND wait_event_type = 'Lock' AND datname = current_database()"
            )
        ).scalar_one()
    return waiting > 0


def test_a_push_beyond_capacity_gets_a_typed_busy_with_retry_after(
    pg_url: str, engine: Engine
) -> None:
    first, second = new_till(engine), new_till(engine)
    held = shift_and_sales(first.till_id, first.receipts(), sales=1)
    refused = shift_and_sales(second.till_id, second.receipts(), sales=1)
    outcome: dict[str, Answer] = {}
    before = counts(engine)
    with serving(pg_url, engine, max_concurrent_pushes=1, busy_wait_s=0.5) as live:
        blocker = engine.connect()
        try:
            # Hold the inbox so the first push sits inside its slot, waiting on the lock.
            transaction = blocker.begin()
            blocker.execute(text("LOCK TABLE sgpos.inbox IN ACCESS EXCLUSIVE MODE"))
            pusher = threading.Thread(
                target=lambda: outcome.update(
                    first=live.call("POST", "/v1/push", push_body(held), first.headers())
                )
            )
            pusher.start()
            deadline = time.monotonic() + HTTP_TIMEOUT_S
            while not waiting_on_a_lock(engine):
                assert time.monotonic() < deadline, "the first push never reached the database"
                time.sleep(0.05)
            outcome["second"] = live.call("POST", "/v1/push", push_body(refused), second.headers())
            transaction.commit()
        finally:
            blocker.close()
        pusher.join(HTTP_TIMEOUT_S)
    busy = outcome["second"]
    assert busy.status == 503
    body = busy.typed(Busy)
    assert 1 <= body.retry_after <= 5 and busy.headers["retry-after"] == str(body.retry_after)
    assert outcome["first"].status == 200
    assert {r.outcome for r in outcome["first"].typed(PushOk).results} == {EventOutcome.APPLIED}
    after = counts(engine)
    assert after["inbox"] == before["inbox"] + len(held)  # the refused push wrote nothing
    assert last_seen(engine, second.till_id) is None


# --- TLS --------------------------------------------------------------------------------------


def self_signed(directory: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: no certificate to serve TLS with")
    cert, key = directory / "central.crt", directory / "central.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=HTTP_TIMEOUT_S,
    )  # fmt: skip
    return cert, key


def test_with_a_certificate_and_key_the_server_speaks_only_tls(
    pg_url: str, engine: Engine, tmp_path: Path
) -> None:
    cert, key = self_signed(tmp_path)
    settings = settings_for(pg_url, tls_cert=cert, tls_key=key)
    server = LiveServer(make_app(settings, engine), ssl_context(settings))
    try:
        client_tls = ssl.create_default_context(cafile=str(cert))
        secure = http.client.HTTPSConnection(
            "127.0.0.1", server.port, timeout=HTTP_TIMEOUT_S, context=client_tls
        )
        secure.request("GET", "/v1/health")
        answer = secure.getresponse()
        assert answer.status == 200
        assert Health.model_validate_json(answer.read()).database == "ok"
        secure.close()
        with pytest.raises((http.client.HTTPException, ConnectionError)):
            server.call("GET", "/v1/health")  # plain HTTP gets no answer
    finally:
        server.close()


def test_tls_settings_that_cannot_work_are_refused_with_what_to_fix(
    pg_url: str, tmp_path: Path
) -> None:
    with pytest.raises(ServerConfigError, match="both tls_cert and tls_key"):
        ssl_context(settings_for(pg_url, tls_cert=tmp_path / "central.crt"))
    with pytest.raises(ServerConfigError, match="cannot load the TLS certificate"):
        ssl_context(
            settings_for(pg_url, tls_cert=tmp_path / "missing.crt", tls_key=tmp_path / "k.key")
        )


# --- head office's command line ---------------------------------------------------------------


@pytest.fixture
def cli(central_cli: Any) -> Any:
    return central_cli


def test_seed_demo_matches_the_till_demo_and_adds_nothing_the_second_time(
    cli: Any, engine: Engine
) -> None:
    code, out, _ = cli("seed-demo", "--products", "5")
    assert code == 0 and "0 outlets" in out and "0 products" in out
    with engine.connect() as conn:
        orc = conn.execute(text("SELECT outlet_id FROM sgpos.outlet WHERE code = 'ORC'")).scalar()
        links = conn.execute(
            text(
                "SELECT s.code, s.pin_hash, count(*) FROM sgpos.staff s JOIN sgpos.staff_outlet o"
                " USING (staff_id) GROUP BY s.code, s.pin_hash"
            )
        ).all()
        actors = set(
            conn.execute(
                # Other tests in this run edit products as the plain database role.
                text(
                    "SELECT DISTINCT changed_by FROM sgpos.ho_audit"
                    " WHERE table_name = 'product' AND changed_by <> current_user"
                )
            ).scalars()
        )
    assert orc == demo_outlet().outlet_id  # a demo till and head office agree on the shop
    pins = {m.code: m.pin for m in DEMO_STAFF}
    links = [link for link in links if link[0] in pins]  # other tests add staff of their own
    assert {c for c, _, n in links if n == 2} == set(pins)  # everyone works at ORC and TPY
    assert all(PasswordHasher().verify(h, pins[c]) for c, h, _ in links)
    assert actors == {"seed-demo"}


def test_head_office_users_are_created_once_and_sign_in_with_their_password(
    cli: Any, engine: Engine
) -> None:
    email, password = f"ops-{uuid.uuid4().hex[:8]}@example.sg", "correct horse battery"
    code, out, _ = cli("create-user", "--email", email.upper(), "--role", "analyst",
                       "--password-stdin", stdin=password + "\n")  # fmt: skip
    assert code == 0 and email in out
    account = verify_user(engine, email, password)
    assert account is not None and (account.email, account.role) == (email, "analyst")
    assert verify_user(engine, email, password + "!") is None
    assert verify_user(engine, "nobody@example.sg", password) is None

    again = cli("create-user", "--email", email, "--role", "admin", "--password-stdin",
                stdin=password)  # fmt: skip
    assert again[0] == 1 and "already exists" in again[2]
    short = cli("create-user", "--email", "x" + email, "--role", "admin", "--password-stdin",
                stdin="short")  # fmt: skip
    assert short[0] == 1 and "at least 12" in short[2]
    no_shop = cli("create-user", "--email", "y" + email, "--role", "outlet_manager",
                  "--password-stdin", stdin=password)  # fmt: skip
    assert no_shop[0] == 1 and "--outlet" in no_shop[2]


def test_an_enrolment_code_from_the_command_line_enrols_a_till_once(
    cli: Any, engine: Engine
) -> None:
    till_code = "C" + uuid.uuid4().hex[:5].upper()
    code, out, _ = cli("enrolment-code", "--outlet", "orc", "--till", till_code)
    assert code == 0 and "48 hours" in out
    enrolment = out.split(": ", 1)[1].split()[0]
    ok = enrol(engine, code=enrolment, now=datetime.now(UTC))
    assert (ok.outlet_code, ok.till_code) == ("ORC", till_code)

    revoked = cli("revoke-till", "--outlet", "ORC", "--till", till_code)
    assert revoked[0] == 0 and str(ok.till_id) in revoked[1]
    unknown = cli("enrolment-code", "--outlet", "ZZZ", "--till", "T01")
    assert unknown[0] == 1 and "no outlet" in unknown[2]
