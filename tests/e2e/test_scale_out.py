"""Head office scaled out: two ``serve`` processes on one database, one of them with
``--workers 2``, tills spread over both, and the workers of one killed outright while every
till's push is in flight (DESIGN.md §7: every event stored exactly once).

The pushes are held in flight by a lock on the inbox, so the kill lands mid-transaction in
every push the killed workers were serving; the other server's pushes finish once the lock
goes. The supervising parent starts new workers on the same port, and each till's agent, run
again, sends what was not acknowledged.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import psycopg2
import pytest
from sqlalchemy import text

from sync_service.central.db import central_engine
from sync_service.central.migrate import upgrade_central
from sync_service.central.seed import seed_demo
from tests.e2e.central_process import running_central
from tests.e2e.support_tills import (
    CHILD_ENV,
    enrolled_agent_till,
    finished,
    sgpos_sync,
    start_sgpos_sync,
    stop_process,
)
from tests.e2e.test_running_head_office import lock_waiters, workers_of
from tests.invariants import check_invariants

pytestmark = pytest.mark.postgres

PRODUCTS = 30
WAIT_S = 90.0


def test_killing_a_servers_workers_mid_push_loses_and_doubles_nothing(
    pg_url: str, tmp_path: Path
) -> None:
    upgrade_central(pg_url)
    engine = central_engine(pg_url, pool_size=2)
    try:
        seed_demo(engine, products=PRODUCTS, variants=True)
        with (
            running_central(pg_url, tmp_path, env=CHILD_ENV, args=["--workers", "2"]) as pair,
            running_central(pg_url, tmp_path, env=CHILD_ENV) as single,
        ):
            homes = [pair, pair, single, single]
            tills = [
                enrolled_agent_till(engine, home.url, tmp_path / f"till{n}")
                for n, home in enumerate(homes)
            ]
            rung = [till.ring(6, seed=60 + n) for n, till in enumerate(tills)]
            doomed = workers_of(pair.process.pid)

            blocker = psycopg2.connect(pg_url)
            try:
                with blocker.cursor() as cur:
                    cur.execute("LOCK TABLE sgpos.inbox IN EXCLUSIVE MODE")
                syncs = [
                    start_sgpos_sync(
                        till.data_dir,
                        "once",
                        output=tmp_path / f"{till.till_code}-1.out",
                        # Held pushes wait until every till's is in flight, however slow the
                        # machine is to start four agents.
                        env={"SGPOS_REQUEST_TIMEOUT_S": str(int(WAIT_S) * 2)},
                    )
                    for till in tills
                ]
                deadline = time.monotonic() + WAIT_S
                while lock_waiters(pg_url) < len(tills) and time.monotonic() < deadline:
                    time.sleep(0.1)
                assert lock_waiters(pg_url) == len(tills)  # every till's push is in flight
                for pid in doomed:
                    os.kill(pid, signal.SIGKILL)
                # Their database sessions wait on, unaware (PostgreSQL finds the client gone
                # only when it next talks to it): their transactions never see a COMMIT.
            finally:
                blocker.rollback()
                blocker.close()
            first = []
            for till, sync in zip(tills, syncs, strict=True):
                try:
                    first.append(finished(sync, tmp_path / f"{till.till_code}-1.out"))
                finally:
                    stop_process(sync)
            # The other server's tills were answered; the killed workers' tills were cut off.
            assert [code for code, _ in first[2:]] == [0, 0], first[2:]
            assert all(code != 0 for code, _ in first[:2]), first[:2]
            assert all(till.pending() > 0 for till in tills[:2])

            deadline = time.monotonic() + WAIT_S
            while time.monotonic() < deadline:
                now = workers_of(pair.process.pid)
                if len(now) == 2 and not now & doomed and pair.healthy():
                    break
                time.sleep(0.2)
            assert pair.healthy(), pair.log_tail()
            for till in tills:  # again, as the agent's next cycle would
                again = sgpos_sync(till.data_dir, "once")
                assert again.returncode == 0, again.stdout + again.stderr
                assert till.pending() == 0
            assert pair.stop() == 0 and single.stop() == 0

        for till, summary in zip(tills, rung, strict=True):
            with till.store() as store:
                check_invariants(engine, store, till.till_id)  # each event once; totals agree
            with engine.connect() as conn:
                sales = conn.execute(
                    text("SELECT count(*) FROM sgpos.sale WHERE till_id = :t"),
                    {"t": till.till_id},
                ).scalar_one()
            assert sales == summary.sales
    finally:
        engine.dispose()
