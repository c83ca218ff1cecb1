"""Enrolled tills driven by real ``sgpos-sync`` processes, for end-to-end and fault tests.

A till here is what a technician installs: a data folder enrolled with head office through
``POST /v1/enroll`` (identity in the store, secret in ``till-secret``), its catalogue and staff
loaded by a first pull, sales rung through the till's own services with the PINs head office
sent down. The initial pull runs in-process (the same ``SyncAgent`` code, over real HTTP) to
spare each test a process start; every sync under test runs as its own ``sgpos-sync`` process.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text

from shared.demo_catalogue import DEMO_STAFF
from sync_service.central.tills import create_enrolment_code
from tests.tills import FakeClock
from till.app import Till, open_till
from till.services.refunds import CompletedRefund
from till.services.staff import SignedIn
from till.simulate import Summary, simulate
from till.store.db import Store
from till.store.models import Sale, SaleLine
from till.store.paths import store_file
from till.sync.agent import SyncAgent
from till.sync.enrol import enrol_till
from till.sync.settings import AgentSettings
from till.sync.status import read_status

ROOT = Path(__file__).resolve().parents[2]
SYNC_TIMEOUT_S = 90.0  # one `sgpos-sync once` of a few dozen events takes a few seconds
# Child processes may cache their bytecode, outside the checkout: with PYTHONDONTWRITEBYTECODE
# set, every `sgpos-sync` and server process compiled all its imports again (~2 s each).
CHILD_ENV = {
    "PYTHONDONTWRITEBYTECODE": "",
    "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir()) / "sgpos-test-pycache"),
}
# Short enough that a stalled request fails fast, long enough for a loaded CI box.
AGENT_ENV = {**CHILD_ENV, "SGPOS_REQUEST_TIMEOUT_S": "15"}


def sgpos_sync(
    data_dir: Path, *args: str, env: dict[str, str] | None = None, timeout: float = SYNC_TIMEOUT_S
) -> subprocess.CompletedProcess[str]:
    """``sgpos-sync --data-dir DIR ARGS`` as its own process, waited for (bounded)."""
    return subprocess.run(
        _command(data_dir, *args),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=os.environ | AGENT_ENV | (env or {}),
    )


def start_sgpos_sync(
    data_dir: Path, *args: str, output: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """``sgpos-sync`` started in the background, its stdout and stderr going to ``output``;
    wait for it with :func:`finished` or stop it with :func:`stop_process`."""
    with output.open("w") as sink:
        return subprocess.Popen(
            _command(data_dir, *args),
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
            env=os.environ | AGENT_ENV | (env or {}),
        )


def _command(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "till.sync.cli", "--data-dir", str(data_dir), *args]


def stop_process(process: subprocess.Popen[str], *, sig: int = signal.SIGKILL) -> None:
    """Signal ``process`` (if it still runs) and reap it; bounded."""
    if process.poll() is None:
        process.send_signal(sig)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(20)


def finished(
    process: subprocess.Popen[str], output: Path, timeout: float = SYNC_TIMEOUT_S
) -> tuple[int, str]:
    """Wait for a background ``sgpos-sync`` (bounded); its exit code and output."""
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        stop_process(process)
        raise AssertionError(
            f"sgpos-sync did not finish within {timeout:g} s: {output.read_text()}"
        ) from None
    return process.returncode, output.read_text()


def sync_status(data_dir: Path) -> dict[str, Any]:
    done = sgpos_sync(data_dir, "status")
    assert done.returncode == 0, done.stderr
    status: dict[str, Any] = json.loads(done.stdout)
    return status


def wait_for(what: str, check: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll ``check`` every 50 ms until it holds; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.05)


def inbox_count(engine: Engine, till_id: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM sgpos.inbox WHERE till_id = :t"), {"t": till_id}
            ).scalar_one()
        )


@dataclass
class AgentTill:
    """An enrolled till's data folder and who it is."""

    data_dir: Path
    till_id: str
    till_code: str
    outlet_code: str
    clock: FakeClock = field(default_factory=FakeClock)

    @contextmanager
    def opened(self) -> Iterator[Till]:
        till = open_till(self.data_dir, clock=self.clock)
        try:
            yield till
        finally:
            till.close()

    @contextmanager
    def store(self) -> Iterator[Store]:
        store = Store.open(store_file(self.data_dir))
        try:
            yield store
        finally:
            store.close()

    def ring(self, sales: int, *, seed: int, stock: bool = False) -> Summary:
        """Sign in the demo cashier and manager (PINs from head office) and ring ``sales``
        (with the day's stock documents too, if ``stock``)."""
        with self.opened() as till:
            cashier, manager = _sign_in(till, "cashier"), _sign_in(till, "manager")
            summary = simulate(
                till, sales, seed=seed, cashier=cashier, manager=manager, stock=stock
            )
        assert summary.sales > 0, "the simulator rang no sales"
        return summary

    def refund_latest_sale(self) -> CompletedRefund:
        """The customer brings back the first item of the latest sale that still has goods to
        give back (the simulator refunds some sales itself): refunded in cash."""
        with self.opened() as till:
            cashier = _sign_in(till, "cashier")
            with till.store.read() as s:
                sales = s.scalars(
                    select(Sale)
                    .where(~Sale.lines.any(SaleLine.voucher_serial.is_not(None)))
                    .order_by(Sale.sold_at.desc())
                ).all()
                receipts = [sale.receipt_no for sale in sales]
            for receipt in receipts:
                sale = till.refunds().lookup(receipt)
                line = next((x for x in sale.lines if x.left > 0), None)
                if line is not None:
                    wanted = {line.line_id: line.left}
                    return till.refunds().refund(cashier, receipt, wanted, reason="changed mind")
            raise AssertionError("every sale the simulator rang is already refunded")

    def pending(self) -> int:
        return int(self.status_field("pending"))

    def status_field(self, name: str) -> Any:
        with self.store() as store:
            return read_status(store, self.data_dir, now=datetime.now(UTC))[name]


def _sign_in(till: Till, role: str) -> SignedIn:
    member = next(m for m in DEMO_STAFF if m.role == role)
    return till.staff.sign_in(member.code, member.pin)


def enrolled_agent_till(
    engine: Engine,
    central_url: str,
    data_dir: Path,
    *,
    outlet_code: str = "ORC",
    till_code: str | None = None,
    clock: FakeClock | None = None,
) -> AgentTill:
    """A fresh data folder enrolled with a one-time code over HTTP, its catalogue loaded."""
    till_code = till_code or "F" + uuid.uuid4().hex[:5].upper()
    code = create_enrolment_code(
        engine,
        outlet_code=outlet_code,
        till_code=till_code,
        created_by="head office",
        now=datetime.now(UTC),
    )
    ok = enrol_till(data_dir, central_url, code, hostname="shop-pc", app_version="test")
    with SyncAgent(data_dir, AgentSettings.load()) as agent:
        loaded = asyncio.run(agent.sync_once())
        assert loaded, f"the initial load did not finish: {agent.last_problem}"
    return AgentTill(data_dir, str(ok.till_id), till_code, outlet_code, clock or FakeClock())
