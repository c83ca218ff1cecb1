"""Two real ``sgpos-central serve`` processes against one PostgreSQL (DESIGN.md §6, §7.2).

A load balancer may send the same batch to two instances at once (a till that timed out and
retried, say). Idempotency lives in the database, not in a server's memory, so every event must
still be stored exactly once and both servers must acknowledge every event.
"""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from shared.protocol import (
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    EnrolOk,
    Event,
    EventOutcome,
    PushOk,
)
from sync_service.central.db import central_engine
from sync_service.central.migrate import upgrade_central
from sync_service.central.seed import seed_demo
from tests.e2e.central_process import ROOT, CentralProcess, central_command, running_central
from tests.integration.test_server_api import push_body, shift_and_sales

pytestmark = pytest.mark.postgres

ROUNDS = 6
SALES_PER_BATCH = 15
HTTP_TIMEOUT_S = 120.0


@pytest.fixture(scope="module")
def engine(pg_url: str) -> Iterator[Engine]:
    upgrade_central(pg_url)
    eng = central_engine(pg_url, pool_size=2)
    seed_demo(eng, products=5)
    yield eng
    eng.dispose()


def call(
    server: CentralProcess, path: str, body: bytes, headers: dict[str, str]
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=HTTP_TIMEOUT_S)
    try:
        conn.request(
            "POST",
            path,
            body=body,
            headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION), "Content-Type": "application/json"}
            | headers,
        )
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


def enrolment_code(db_url: str, till_code: str) -> str:
    """Head office's way: the command line, as its own process."""
    done = subprocess.run(
        [*central_command(), "enrolment-code", "--outlet", "ORC", "--till", till_code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=HTTP_TIMEOUT_S,
        env=os.environ | {"SGPOS_CENTRAL_DB_URL": db_url},
    )
    assert done.returncode == 0, done.stderr
    found = re.search(r": ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})$", done.stdout, re.M)
    assert found, done.stdout
    return found[1]


def push(
    start: threading.Barrier,
    credential: dict[str, str],
    job: tuple[CentralProcess, list[Event]],
) -> tuple[str, int, bytes]:
    """One push, sent the moment every other push of its round is ready too."""
    server, events = job
    body = push_body(events)
    start.wait(HTTP_TIMEOUT_S)
    status, raw = call(server, "/v1/push", body, credential)
    return server.url, status, raw


def test_the_same_batches_pushed_to_two_servers_at_once_are_stored_exactly_once(
    pg_url: str, engine: Engine, tmp_path: Path
) -> None:
    till_code = "D" + uuid.uuid4().hex[:6].upper()
    code = enrolment_code(pg_url, till_code)
    with (
        running_central(pg_url, tmp_path) as one,
        running_central(pg_url, tmp_path) as two,
    ):
        enrolled = call(
            one,
            "/v1/enroll",
            f'{{"protocol": 1, "code": "{code}", "hostname": "e2e", "app_version": "t"}}'.encode(),
            {},
        )
        assert enrolled[0] == 200, enrolled[1]
        till = EnrolOk.model_validate_json(enrolled[1])
        credential = {"Authorization": f"Bearer {till.till_id}:{till.secret}"}

        batches: list[list[Event]] = []
        for n in range(ROUNDS):
            batches.append(
                shift_and_sales(
                    till.till_id,
                    f"ORC-{till_code}",
                    sales=SALES_PER_BATCH,
                    first_seq=1 + n * (SALES_PER_BATCH + 1),
                )
            )
        answers: list[tuple[str, int, bytes]] = []
        for n, batch in enumerate(batches):
            # This batch to both servers at once, and the one before again, as a till does
            # when an acknowledgement was lost.
            jobs = [(one, batch), (two, batch)]
            if n:
                jobs += [(two, batches[n - 1]), (one, batches[n - 1])]
            start = threading.Barrier(len(jobs))
            with ThreadPoolExecutor(len(jobs)) as pool:
                answers += list(pool.map(partial(push, start, credential), jobs))

        stopped = [one.stop(), two.stop()]
        logs = one.log_tail(200) + two.log_tail(200)

    refused = [(status, raw[:300]) for _, status, raw in answers if status != 200]
    assert not refused, (refused, logs)
    applied: Counter[uuid.UUID] = Counter()
    for _, _, raw in answers:
        ok = PushOk.model_validate_json(raw)
        odd = [r for r in ok.results if r.outcome is EventOutcome.QUARANTINED]
        assert not odd, odd[:3]  # a duplicate is never a conflict
        applied.update(r.event_id for r in ok.results if r.outcome is EventOutcome.APPLIED)
    every_event = {e.event_id for batch in batches for e in batch}
    assert set(applied) == every_event and set(applied.values()) == {1}  # applied once each
    assert {url for url, _, _ in answers} == {one.url, two.url}

    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT event_id, outcome FROM sgpos.inbox WHERE till_id = :t"),
            {"t": till.till_id},
        ).all()
        receipts = conn.execute(
            text("SELECT receipt_no FROM sgpos.sale WHERE till_id = :t"), {"t": till.till_id}
        ).scalars()
        sales = Counter(receipts)
        quarantined = conn.execute(
            text("SELECT count(*) FROM sgpos.quarantine WHERE till_id = :t"), {"t": till.till_id}
        ).scalar_one()
    assert Counter(event_id for event_id, _ in stored) == Counter(every_event)
    assert {outcome for _, outcome in stored} == {"applied"}
    assert len(sales) == ROUNDS * SALES_PER_BATCH and set(sales.values()) == {1}
    assert quarantined == 0
    assert stopped == [0, 0], logs  # SIGTERM is a clean shutdown
    assert till.secret not in logs
