"""Head office's server as its operator runs it: ``serve --workers 2`` sharing one port, scraped
by Prometheus, stopped with SIGTERM in the middle of a push, asked whether it is ready.

Every server here is a real ``sgpos-central serve`` process over real HTTP and PostgreSQL.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, text

from shared.protocol import EnrolOk, Event, EventOutcome, PushOk
from sync_service.central.db import central_engine
from sync_service.central.migrate import upgrade_central
from sync_service.central.seed import seed_demo
from tests.e2e.central_process import CentralProcess, running_central
from tests.e2e.test_two_servers import call, enrolment_code
from tests.integration.test_server_api import push_body, shift_and_sales

pytestmark = pytest.mark.postgres

HTTP_TIMEOUT_S = 60.0
RESTART_WITHIN_S = 30.0


@pytest.fixture(scope="module")
def engine(pg_url: str) -> Iterator[Engine]:
    upgrade_central(pg_url)
    eng = central_engine(pg_url, pool_size=2)
    seed_demo(eng, products=5)
    yield eng
    eng.dispose()


def get(
    server: CentralProcess, path: str, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=HTTP_TIMEOUT_S)
    try:
        conn.request("GET", path, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


def enrol(server: CentralProcess, db_url: str) -> tuple[str, EnrolOk, dict[str, str]]:
    till_code = "W" + uuid.uuid4().hex[:6].upper()
    code = enrolment_code(db_url, till_code)
    body = f'{{"protocol": 1, "code": "{code}", "hostname": "ops", "app_version": "t"}}'
    status, raw = call(server, "/v1/enroll", body.encode(), {})
    assert status == 200, raw
    till = EnrolOk.model_validate_json(raw)
    return till_code, till, {"Authorization": f"Bearer {till.till_id}:{till.secret}"}


def batches(till: EnrolOk, till_code: str, rounds: int, sales: int) -> list[list[Event]]:
    return [
        shift_and_sales(
            till.till_id, f"ORC-{till_code}", sales=sales, first_seq=1 + n * (sales + 1)
        )
        for n in range(rounds)
    ]


def scrape(server: CentralProcess) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of ``/metrics``, parsed the way Prometheus reads it."""
    status, raw = get(server, "/metrics")
    assert status == 200, raw
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(raw.decode())
        for s in family.samples
    }


def alive(pid: int) -> bool:
    """Running, not merely waiting to be reaped by whoever adopted it."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def workers_of(parent_pid: int) -> set[int]:
    children = Path(f"/proc/{parent_pid}/task/{parent_pid}/children").read_text().split()
    return {int(pid) for pid in children}


def test_two_workers_share_the_port_count_together_and_replace_a_killed_one(
    pg_url: str, engine: Engine, tmp_path: Path
) -> None:
    log_file = tmp_path / "central.jsonl"
    with running_central(
        pg_url, tmp_path, args=["--workers", "2"], env={"SGPOS_LOG_FILE": str(log_file)}
    ) as server:
        first_workers = workers_of(server.process.pid)
        assert len(first_workers) == 2
        till_code, till, credential = enrol(server, pg_url)
        pushes = batches(till, till_code, rounds=3, sales=5)
        for n, events in enumerate([*pushes, pushes[0]]):  # the first batch once more
            status, raw = call(
                server,
                "/v1/push",
                push_body(events),
                credential | {"X-Request-ID": f"ops-test-{n}"},
            )
            assert status == 200, raw

        samples = scrape(server)

        def value(name: str, **labels: str) -> float:
            return samples.get((name, tuple(sorted(labels.items()))), 0.0)

        # Four pushes, over whichever workers the kernel chose, added up in one scrape.
        assert value("sgpos_push_events_total", outcome="applied") == 18
        assert value("sgpos_push_events_total", outcome="duplicate") == 6
        assert value("sgpos_push_events_total", outcome="quarantined") == 0
        assert value("sgpos_push_batch_events_count") == 4
        assert value("sgpos_push_batch_events_sum") == 24
        assert value("sgpos_requests_total", route="/v1/push", method="POST", status="200") == 4
        assert value("sgpos_request_duration_seconds_count", route="/v1/push") == 4
        # The till's own report, read from the database at scrape time.
        assert value("sgpos_till_backlog_events", outlet="ORC", till=till_code) == 6
        assert value("sgpos_till_oldest_unsent_seconds", outlet="ORC", till=till_code) == 0
        assert sum(value("sgpos_tills", health=h) for h in ("green", "amber", "red", "grey")) >= 1

        # A worker killed outright is replaced; the other serves meanwhile.
        victim = min(first_workers)
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + RESTART_WITHIN_S
        while victim in workers_of(server.process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)  # (a connection the kernel gave the dying worker is reset)
        for _ in range(10):  # wherever the kernel sends them now, someone answers
            assert get(server, "/healthz")[0] == 200
        while time.monotonic() < deadline:
            now = workers_of(server.process.pid)
            if len(now) == 2 and victim not in now:
                break
            time.sleep(0.3)
        replaced = workers_of(server.process.pid)
        assert len(replaced) == 2 and victim not in replaced, server.log_tail()
        # The dead worker's counts stay in the sum.
        assert scrape(server)[("sgpos_push_events_total", (("outcome", "applied"),))] == 18

        assert server.stop() == 0, server.log_tail()
        assert not any(alive(pid) for pid in replaced)

    # The parent's file, and one per worker beside it (no two processes rotate one file).
    logs = sorted(tmp_path.glob("central*.jsonl"))
    assert [p.name for p in logs] == ["central-1.jsonl", "central-2.jsonl", "central.jsonl"]
    text_of_logs = "".join(p.read_text() for p in logs)
    push_lines = [
        json.loads(line)
        for line in text_of_logs.splitlines()
        if '"route": "/v1/push"' in line or '"/v1/push"' in line
    ]
    assert {line["request_id"] for line in push_lines} == {f"ops-test-{n}" for n in range(4)}
    assert {line["till_id"] for line in push_lines} == {str(till.till_id)}
    assert till.secret not in text_of_logs


def lock_waiters(pg_url: str) -> int:
    with psycopg2.connect(pg_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = 'sgpos-central' AND wait_event_type = 'Lock'"
        )
        row = cur.fetchone()
    conn.close()
    return int(row[0]) if row else 0


def test_sigterm_during_a_push_lets_it_finish(pg_url: str, engine: Engine, tmp_path: Path):
    with running_central(pg_url, tmp_path, args=["--workers", "2"]) as server:
        till_code, till, credential = enrol(server, pg_url)
        (events,) = batches(till, till_code, rounds=1, sales=4)
        answers: list[tuple[int, bytes]] = []
        blocker = psycopg2.connect(pg_url)
        try:
            with blocker.cursor() as cur:  # the push will wait on this lock, mid-transaction
                cur.execute("LOCK TABLE sgpos.inbox IN EXCLUSIVE MODE")
            pushing = threading.Thread(
                target=lambda: answers.append(
                    call(server, "/v1/push", push_body(events), credential)
                )
            )
            pushing.start()
            deadline = time.monotonic() + HTTP_TIMEOUT_S
            while lock_waiters(pg_url) == 0 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert lock_waiters(pg_url) == 1, server.log_tail()

            server.process.send_signal(signal.SIGTERM)
            time.sleep(2.0)
            assert server.process.poll() is None  # still finishing the push in flight
            assert not answers
        finally:
            blocker.rollback()  # releases the lock
            blocker.close()
        pushing.join(HTTP_TIMEOUT_S)
        assert server.process.wait(HTTP_TIMEOUT_S) == 0, server.log_tail()

    ((status, raw),) = answers
    assert status == 200, raw
    ok = PushOk.model_validate_json(raw)
    assert [r.outcome for r in ok.results] == [EventOutcome.APPLIED] * len(events)
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT count(*) FROM sgpos.inbox WHERE till_id = :t"), {"t": till.till_id}
        ).scalar_one()
    assert stored == len(events)


def test_readyz_says_why_the_database_cannot_serve(pg_url: str, engine: Engine, tmp_path: Path):
    with running_central(pg_url, tmp_path) as server:
        assert get(server, "/readyz") == (200, b'{"status": "ready"}')
        blocker = psycopg2.connect(pg_url)
        try:
            with blocker.cursor() as cur:
                cur.execute("LOCK TABLE sgpos.alembic_version IN ACCESS EXCLUSIVE MODE")
            status, raw = get(server, "/readyz")
            alive = get(server, "/healthz")
        finally:
            blocker.rollback()
            blocker.close()
        assert status == 503
        answer = json.loads(raw)
        assert answer["status"] == "not ready"
        assert "statement timeout" in answer["reason"], answer
        assert alive == (200, b'{"status": "alive"}')
        assert get(server, "/readyz")[0] == 200


def set_cookies(server: CentralProcess, path: str) -> list[str]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=HTTP_TIMEOUT_S)
    try:
        conn.request("GET", path)
        answer = conn.getresponse()
        answer.read()
        return answer.headers.get_all("Set-Cookie") or []
    finally:
        conn.close()


@pytest.mark.parametrize(("setting", "secure"), [(None, False), ("true", True)])
def test_behind_a_tls_proxy_the_dashboards_cookies_are_secure(
    pg_url: str, engine: Engine, tmp_path: Path, setting: str | None, secure: bool
):
    """The proxy speaks TLS to browsers and plain HTTP to the server, which cannot tell."""
    env = {} if setting is None else {"SGPOS_SECURE_COOKIES": setting}
    with running_central(pg_url, tmp_path, env=env) as server:
        cookies = set_cookies(server, "/ho/login")
    assert cookies
    assert all(("; Secure" in c or "; secure" in c) is secure for c in cookies), cookies


def test_busy_answers_are_counted(pg_url: str, engine: Engine, tmp_path: Path):
    env = {"SGPOS_MAX_CONCURRENT_PUSHES": "1", "SGPOS_BUSY_WAIT_S": "0.1"}
    with running_central(pg_url, tmp_path, env=env) as server:
        till_code, till, credential = enrol(server, pg_url)
        first, second = batches(till, till_code, rounds=2, sales=2)
        answers: list[tuple[int, bytes]] = []
        blocker = psycopg2.connect(pg_url)
        try:
            with blocker.cursor() as cur:  # the first push holds the only slot
                cur.execute("LOCK TABLE sgpos.inbox IN EXCLUSIVE MODE")
            pushing = threading.Thread(
                target=lambda: answers.append(
                    call(server, "/v1/push", push_body(first), credential)
                )
            )
            pushing.start()
            deadline = time.monotonic() + HTTP_TIMEOUT_S
            while lock_waiters(pg_url) == 0 and time.monotonic() < deadline:
                time.sleep(0.1)
            shed = call(server, "/v1/push", push_body(second), credential)
        finally:
            blocker.rollback()
            blocker.close()
        pushing.join(HTTP_TIMEOUT_S)
        samples = scrape(server)

    assert shed[0] == 503 and json.loads(shed[1])["status"] == "busy", shed
    assert [status for status, _ in answers] == [200]
    assert samples[("sgpos_busy_answers_total", (("route", "/v1/push"),))] == 1
    assert (
        samples[
            ("sgpos_requests_total", (("method", "POST"), ("route", "/v1/push"), ("status", "503")))
        ]
        == 1
    )
    assert samples[("sgpos_push_events_total", (("outcome", "applied"),))] == len(first)


def test_workers_whose_parent_was_killed_stop_and_free_the_port(
    pg_url: str, engine: Engine, tmp_path: Path
):
    with running_central(pg_url, tmp_path, args=["--workers", "2"]) as server:
        workers = workers_of(server.process.pid)
        assert len(workers) == 2
        server.process.kill()  # SIGKILL: nothing of the parent runs any more
        server.process.wait(HTTP_TIMEOUT_S)
        deadline = time.monotonic() + HTTP_TIMEOUT_S
        while any(alive(pid) for pid in workers):
            assert time.monotonic() < deadline, server.log_tail()
            time.sleep(0.2)
        assert not server.healthy()
        assert "central.stopped" in server.log_tail()
