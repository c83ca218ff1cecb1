"""A sale visible at head office: from the till's commit to the row in ``sgpos.sale``.

DESIGN §8 target with the network up: p50 ≤ 1 s, p99 ≤ 3 s, with the agent in the app or as
a service. A real ``sgpos-central serve`` process serves a demo head office; a till enrolled
over HTTP rings sales through its own services at a shop's pace (one every ``--gap`` seconds,
jittered) while an observer polls ``sgpos.sale`` for each receipt number every 20 ms.

Two ways an agent runs, each measured in the same run:

- ``service``: ``sgpos-sync run`` as its own process, as the installer sets it up. The app
  cannot nudge it; it notices new outbox rows itself (``till.sync.watch``).
- ``app``: the agent on a background thread of the till's process, nudged after every sale,
  as ``till/ui/sync_bridge.py`` runs it.

Both use the default settings (push every 5 s, pull every 60 s): what a shop runs.

    python -m bench.visible [--sales 60] [--gap 0.5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from bench.common import percentiles, save_result
from bench.pg import fresh_database
from shared.demo_catalogue import DEMO_STAFF
from shared.logs import configure_logging
from sync_service.central.db import central_engine
from sync_service.central.migrate import upgrade_central
from sync_service.central.seed import seed_demo
from sync_service.central.tills import create_enrolment_code
from tests.e2e.central_process import ROOT, running_central
from tests.e2e.support_tills import CHILD_ENV
from till.app import Till, open_till
from till.simulate import simulate
from till.sync.agent import SyncAgent
from till.sync.enrol import enrol_till
from till.sync.settings import AgentSettings

OBSERVE_EVERY_S = 0.02
GIVE_UP_S = 30.0


def enrolled(engine: Engine, central_url: str, data_dir: Path, till_code: str) -> None:
    code = create_enrolment_code(
        engine, outlet_code="ORC", till_code=till_code, created_by="bench", now=datetime.now(UTC)
    )
    enrol_till(data_dir, central_url, code, hostname="bench", app_version="bench")
    with SyncAgent(data_dir, AgentSettings()) as agent:
        assert asyncio.run(agent.sync_once()), agent.last_problem


class Observer:
    """Polls head office for receipt numbers and notes when each first appears."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.waiting: dict[str, float] = {}  # receipt -> commit time (monotonic)
        self.seen: dict[str, float] = {}  # receipt -> seconds from commit to visible
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def expect(self, receipt: str, committed: float) -> None:
        with self._lock:
            self.waiting[receipt] = committed

    def _run(self) -> None:
        with self.engine.connect() as conn:
            while not self._stop.is_set():
                with self._lock:
                    wanted = list(self.waiting)
                if wanted:
                    found = conn.execute(
                        text("SELECT receipt_no FROM sgpos.sale WHERE receipt_no = ANY(:r)"),
                        {"r": wanted},
                    ).scalars()
                    now = time.monotonic()
                    with self._lock:
                        for receipt in found:
                            self.seen[receipt] = now - self.waiting.pop(receipt)
                    conn.rollback()
                self._stop.wait(OBSERVE_EVERY_S)

    def __enter__(self) -> Observer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        deadline = time.monotonic() + GIVE_UP_S
        while self.waiting and time.monotonic() < deadline:
            time.sleep(0.05)
        self._stop.set()
        self._thread.join(5)


def ring(till: Till, observer: Observer, sales: int, gap: float, nudge: Callable[[], None]) -> None:
    cashier = till.staff.sign_in(*_demo("cashier"))
    manager = till.staff.sign_in(*_demo("manager"))
    rng = random.Random(5)
    for n in range(sales):
        summary = simulate(till, 1, seed=n, cashier=cashier, manager=manager)
        committed = time.monotonic()
        assert summary.last_receipt is not None
        observer.expect(summary.last_receipt.receipt_no, committed)
        nudge()
        time.sleep(rng.uniform(0.5, 1.5) * gap)


def _demo(role: str) -> tuple[str, str]:
    member = next(m for m in DEMO_STAFF if m.role == role)
    return member.code, member.pin


@contextmanager
def service_agent(data_dir: Path) -> Iterator[None]:
    env = {**os.environ, **CHILD_ENV}
    agent = subprocess.Popen(
        [str(Path(sys.executable).with_name("sgpos-sync")), "--data-dir", str(data_dir), "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(2)  # its first cycles (nothing to send yet)
        yield
    finally:
        agent.terminate()
        agent.wait(30)


def run_service(engine: Engine, central: str, root: Path, sales: int, gap: float) -> list[float]:
    data_dir = root / "service"
    enrolled(engine, central, data_dir, "T21")
    till = open_till(data_dir)
    try:
        with service_agent(data_dir), Observer(engine) as observer:
            ring(till, observer, sales, gap, nudge=lambda: None)
    finally:
        till.close()
    return list(observer.seen.values())


def run_app(engine: Engine, central: str, root: Path, sales: int, gap: float) -> list[float]:
    data_dir = root / "app"
    enrolled(engine, central, data_dir, "T22")
    till = open_till(data_dir)
    handle = SyncAgent(data_dir, AgentSettings()).start_in_thread(lambda _status: None)
    try:
        time.sleep(2)
        with Observer(engine) as observer:
            ring(till, observer, sales, gap, nudge=handle.nudge)
    finally:
        handle.stop(timeout=30)
        till.close()
    return list(observer.seen.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.visible")
    parser.add_argument("--sales", type=int, default=60)
    parser.add_argument("--gap", type=float, default=0.5, help="mean seconds between sales")
    args = parser.parse_args(argv)
    configure_logging(log_file=None, console=False, level="WARNING")
    result: dict[str, Any] = {"sales_per_mode": args.sales, "mean_gap_s": args.gap}
    with fresh_database() as url, tempfile.TemporaryDirectory() as tmp:
        upgrade_central(url)
        engine = central_engine(url, pool_size=2)
        seed_demo(engine, products=200)
        root = Path(tmp)
        (root / "central").mkdir()
        with running_central(url, root / "central", env=CHILD_ENV) as server:
            for mode, run in (("service", run_service), ("app", run_app)):
                seen = run(engine, server.url, root, args.sales, args.gap)
                missing = args.sales - len(seen)
                result[mode] = {**percentiles(seen), "never_seen": missing}
        engine.dispose()
    save_result("visible", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
