"""Central ingest: a till's events through the push path versus a raw COPY of the same rows
into the same tables, in the same run (DESIGN target: push ≥ 0.5× COPY).

    python -m bench.ingest [--sales 2000] [--batch 500]
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.common import save_result
from bench.pg import fresh_database
from shared.protocol import PROTOCOL_VERSION, PushRequest, TillReport
from sync_service.central.db import central_engine
from sync_service.central.ingest import apply_push
from sync_service.central.migrate import upgrade_central
from tests.central import add_outlet, enrolled_till
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
        requests = [
            PushRequest(protocol=PROTOCOL_VERSION, till=report, events=events[i : i + batch])
            for i in range(0, len(events), batch)
        ]
        start = time.perf_counter()
        for request in requests:
            apply_push(engine, till.auth, request, now=now)
        push_s = time.perf_counter() - start

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
            start = time.perf_counter()
            for table in FACT_TABLES:
                cur.copy_expert(f"COPY sgpos.{table} FROM STDIN", io.BytesIO(dumps[table]))
            raw.commit()
            copy_s = time.perf_counter() - start
        finally:
            raw.close()
        engine.dispose()
    return {
        "events": len(events),
        "rows": rows,
        "push_seconds": round(push_s, 3),
        "copy_seconds": round(copy_s, 3),
        "push_events_per_second": round(len(events) / push_s),
        "ratio_push_vs_copy_throughput": round(copy_s / push_s, 3),
        "targets": {"ratio_min": 0.5},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    save_result("ingest", {"sales": args.sales, "batch": args.batch, **run(args.sales, args.batch)})


if __name__ == "__main__":
    main()
