"""Central ingest end to end: a till's events pushed over real HTTP to a real ``sgpos-central
serve`` process, versus a raw COPY of the same rows into the same tables, in the same run
(DESIGN target: push ≥ 0.5× COPY, reported as ``ratio``).

Not timed: a fresh database, an enrolled demo till ringing up ``--sales`` sales (with the
shift, audit and stock events they bring), its outbox read and each push body built and
gzipped as the agent sends it, the server started.

Timed (push): one connection posting the bodies in order, each after the previous ``ok``, as
the agent does; from the first byte sent to the last answer read. Timed (COPY): the same rows
the push left in the fact tables, dumped, the tables emptied, then ``COPY … FROM STDIN`` into
each in one transaction. The ratio is COPY seconds over push seconds: 1.0 would be a push as
fast as the database's own bulk load, HTTP, validation and every check included. The CPU
seconds of the server process, of its PostgreSQL backends and of the COPY's backend say where
the time went, and hold still when a busy machine makes the wall-clock figures wander.

    python -m bench.ingest [--sales 2000] [--batch 500]
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import io
import json
import os
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.common import save_result
from bench.pg import fresh_database
from shared.protocol import (
    MAX_EVENTS_PER_PUSH,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    PushRequest,
    TillReport,
)
from sync_service.central.db import central_engine
from sync_service.central.migrate import upgrade_central
from tests.central import add_outlet, enrolled_till
from tests.e2e.central_process import running_central
from till.simulate import simulate

FACT_TABLES = (
    "inbox",
    "sale",
    "sale_line",
    "tender",
    "refund",
    "refund_line",
    "shift",
    "cash_movement",
    "stock_movement",
    "stock_on_hand",
    "audit_record",
    "quarantine",
)


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU a process on this machine has used; None when it cannot be read
    (gone, or PostgreSQL on another machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _backends(cur: Any) -> dict[int, float]:
    """CPU used so far by each PostgreSQL backend of this database but the asking one."""
    cur.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid()"
    )
    used = {pid: _cpu_seconds(pid) for (pid,) in cur.fetchall()}
    return {pid: cpu for pid, cpu in used.items() if cpu is not None}


def _push_all(base_url: str, authorization: str, bodies: list[bytes]) -> dict[str, int]:
    """Post every body in order over one connection; the outcomes the server answered."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=120)
    headers = {
        "Authorization": authorization,
        PROTOCOL_HEADER: str(PROTOCOL_VERSION),
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
    }
    outcomes: dict[str, int] = {}
    try:
        for body in bodies:
            conn.request("POST", "/v1/push", body=body, headers=headers)
            response = conn.getresponse()
            answer = json.loads(response.read())
            if response.status != 200 or answer.get("status") != "ok":
                raise RuntimeError(f"push answered HTTP {response.status}: {answer}")
            for result in answer["results"]:
                outcomes[result["outcome"]] = outcomes.get(result["outcome"], 0) + 1
    finally:
        conn.close()
    return outcomes


def run(sales: int, batch: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sgpos-bench-") as tmp, fresh_database() as url:
        upgrade_central(url)
        engine = central_engine(url)
        till = enrolled_till(engine, Path(tmp) / "till", add_outlet(engine), "T01")
        till.demo.till.shifts.open_shift(till.demo.cashier, Decimal("200.00"))
        simulate(
            till.demo.till, sales, seed=9, cashier=till.demo.cashier, manager=till.demo.manager
        )
        events = till.events()
        till.demo.till.close()
        now = datetime.now(UTC)
        report = TillReport(
            app_version="bench",
            store_revision="head",
            backlog=0,
            oldest_pending_at=None,
            sent_at=now,
        )
        bodies = [
            gzip.compress(
                PushRequest(protocol=PROTOCOL_VERSION, till=report, events=events[i : i + batch])
                .model_dump_json()
                .encode(),
                compresslevel=6,
            )
            for i in range(0, len(events), batch)
        ]
        authorization = f"Bearer {till.auth.till_id}:{till.secret}"
        watch = engine.raw_connection()
        with running_central(url, Path(tmp)) as central:
            server_before = _cpu_seconds(central.process.pid) or 0.0
            backends_before = _backends(watch.cursor())
            client_before = time.process_time()
            start = time.perf_counter()
            outcomes = _push_all(central.url, authorization, bodies)
            push_s = time.perf_counter() - start
            client_cpu = time.process_time() - client_before
            # Read before the server stops: its backends end with it.
            backends_after = _backends(watch.cursor())
            server_cpu = (_cpu_seconds(central.process.pid) or 0.0) - server_before
        watch.close()
        postgres_cpu = sum(
            cpu - backends_before.get(pid, 0.0) for pid, cpu in backends_after.items()
        )
        if outcomes != {"applied": len(events)}:
            raise RuntimeError(f"expected every event applied once, got {outcomes}")

        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            dumps: dict[str, bytes] = {}
            rows = 0
            for table in FACT_TABLES:
                buf = io.BytesIO()
                cur.copy_expert(f"COPY sgpos.{table} TO STDOUT", buf)
                dumps[table] = buf.getvalue()
                rows += dumps[table].count(b"\n")
            cur.execute("TRUNCATE " + ", ".join(f"sgpos.{t}" for t in FACT_TABLES))
            raw.commit()
            copy_backend = raw.dbapi_connection.info.backend_pid  # type: ignore[union-attr]
            copy_cpu_before = _cpu_seconds(copy_backend) or 0.0
            start = time.perf_counter()
            for table in FACT_TABLES:
                cur.copy_expert(f"COPY sgpos.{table} FROM STDIN", io.BytesIO(dumps[table]))
            raw.commit()
            copy_s = time.perf_counter() - start
            copy_cpu = (_cpu_seconds(copy_backend) or 0.0) - copy_cpu_before
        finally:
            raw.close()
        engine.dispose()
    return {
        "events": len(events),
        "pushes": len(bodies),
        "rows": rows,
        "push_seconds": round(push_s, 3),
        "copy_seconds": round(copy_s, 3),
        "push_events_per_second": round(len(events) / push_s),
        "push_rows_per_second": round(rows / push_s),
        "ratio": round(copy_s / push_s, 3),
        # Where the push's time went, in CPU seconds (PostgreSQL's only when it runs here):
        # the server process (HTTP, gzip, decoding, checks, feeding COPY), its PostgreSQL
        # backends (staging, inserts, conflict and trust checks, summaries), this client;
        # and PostgreSQL's CPU for the plain COPY of the same rows.
        "cpu_seconds": {
            "server": round(server_cpu, 2),
            "postgres": round(postgres_cpu, 2),
            "client": round(client_cpu, 2),
            "copy_postgres": round(copy_cpu, 2),
        },
        "load_average_1m": round(os.getloadavg()[0], 2),
        "targets": {"ratio_min": 0.5},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=2000)
    parser.add_argument(
        "--batch", type=int, default=MAX_EVENTS_PER_PUSH, help="events per push (agent: 200)"
    )
    args = parser.parse_args()
    save_result("ingest", {"sales": args.sales, "batch": args.batch, **run(args.sales, args.batch)})


if __name__ == "__main__":
    main()
