"""The soak's shop: one PostgreSQL database, 1–2 ``sgpos-central serve`` processes, and N
tills, each with its own store, a cashier process ringing sales into it, its ``sgpos-sync run``
agent as a separate process (as installed) and a fault proxy between the agent and head office.

Every process here is started and stopped by :class:`Fleet`; a kill is SIGKILL (no clean
shutdown), a stop at the end of a round is SIGTERM.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from sync_service.central.db import central_engine
from sync_service.central.migrate import upgrade_central
from sync_service.central.seed import seed_demo
from tests.e2e.central_process import CentralProcess, start_central
from tests.e2e.support_tills import CHILD_ENV, ROOT, AgentTill, enrolled_agent_till
from tests.faults.proxy import Fault, FaultProxy
from till.store.paths import store_file

PRODUCTS = 40
STOP_TIMEOUT_S = 20.0


def console_script(name: str, module: str) -> list[str]:
    """The installed command (``sgpos-sync`` …), or its module when the venv is not synced."""
    script = Path(sys.executable).with_name(name)
    return [str(script)] if script.exists() else [sys.executable, "-m", module]


@dataclass(eq=False)
class SoakTill:
    index: int
    data_dir: Path
    till_id: str
    till_code: str
    outlet_code: str
    proxy: FaultProxy
    server: int  # which server the till's proxy forwards to
    ringer: subprocess.Popen[bytes] | None = None
    agent: subprocess.Popen[bytes] | None = None
    # Every poison event ever added, (epoch, seq, payload hash): exactly these may be
    # quarantined.
    poison: set[tuple[int, int, str]] = field(default_factory=set)
    # Stores this till left behind (a dead machine's): what they had acknowledged must be at
    # head office; what they had not was lost with the machine, and is counted as abandoned.
    old_stores: list[Path] = field(default_factory=list)
    # Restored or replaced: head office holds sales this store never had or no longer has.
    tainted: bool = False
    # The machine died and its replacement is not installed yet: nothing runs on it, and no
    # fault that needs the till's store applies to it.
    dead: bool = False
    machines: int = 1
    rounds_started: int = 0

    @property
    def store_path(self) -> Path:
        return store_file(self.data_dir)

    def as_agent_till(self) -> AgentTill:
        return AgentTill(self.data_dir, self.till_id, self.till_code, self.outlet_code)

    def pending(self) -> int:
        """Outbox events not yet acknowledged, read straight from the store (read-only)."""
        conn = sqlite3.connect(f"file:{self.store_path}?mode=ro", uri=True, timeout=10)
        try:
            return int(
                conn.execute("SELECT count(*) FROM outbox WHERE acked_at IS NULL").fetchone()[0]
            )
        finally:
            conn.close()


class Fleet:
    def __init__(self, db_url: str, work: Path, *, tills: int, servers: int, seed: int) -> None:
        self.db_url = db_url
        self.work = work
        self.seed = seed
        self.engine: Engine = central_engine(db_url, pool_size=2)
        self.servers: list[CentralProcess | None] = []
        self.tills: list[SoakTill] = []
        self._want_tills, self._want_servers = tills, servers
        self._lock = threading.Lock()
        (work / "logs").mkdir(parents=True, exist_ok=True)

    # --- set up and tear down ---------------------------------------------------------------

    def start(self) -> None:
        upgrade_central(self.db_url)
        seed_demo(self.engine, products=PRODUCTS, variants=True)
        for _ in range(self._want_servers):
            self.servers.append(self._new_server())
        for index in range(self._want_tills):
            server = index % len(self.servers)
            proxy = FaultProxy(self.server_port(server)).start()
            enrolled = enrolled_agent_till(
                self.engine,
                proxy.url,
                self.work / f"till-{index}",
                till_code=f"S{index}{uuid.uuid4().hex[:4].upper()}",
            )
            self.tills.append(
                SoakTill(
                    index,
                    enrolled.data_dir,
                    enrolled.till_id,
                    enrolled.till_code,
                    enrolled.outlet_code,
                    proxy,
                    server,
                )
            )

    def close(self) -> None:
        for till in self.tills:
            self.kill_ringer(till)
            self.kill_agent(till)
            till.proxy.stop()
        for server in self.servers:
            if server is not None:
                server.stop()
        self.engine.dispose()

    # --- head office ------------------------------------------------------------------------

    def _new_server(self) -> CentralProcess:
        return start_central(self.db_url, self.work / "logs", env=CHILD_ENV)

    def server_port(self, index: int) -> int:
        server = self.servers[index]
        assert server is not None, f"server {index} is down"
        return server.port

    def kill_server(self, index: int) -> None:
        """SIGKILL server ``index``; its tills go to another live server if there is one (as a
        load balancer would send them), else they meet a closed port until it is back."""
        with self._lock:
            server = self.servers[index]
            if server is None:
                return
            server.process.kill()
            server.process.wait(STOP_TIMEOUT_S)
            self.servers[index] = None
            alive = [i for i, s in enumerate(self.servers) if s is not None]
            for till in self.tills:
                if till.server == index and alive:
                    till.server = alive[0]
                    till.proxy.set_upstream(self.server_port(alive[0]))

    def restart_server(self, index: int) -> None:
        """A new server in place of a dead one; the tills dealt to it return to it."""
        fresh = self._new_server()
        with self._lock:
            self.servers[index] = fresh
            for till in self.tills:
                if till.index % len(self.servers) == index:
                    till.server = index
                    till.proxy.set_upstream(fresh.port)

    # --- till processes ---------------------------------------------------------------------

    def start_ringer(self, till: SoakTill, *, pace_s: float = 0.3) -> None:
        if till.dead or (till.ringer is not None and till.ringer.poll() is None):
            return
        till.rounds_started += 1
        seed = self.seed * 1000 + till.index * 100 + till.rounds_started
        till.ringer = self._spawn(
            [sys.executable, "-m", "tests.soak.ringer", str(till.data_dir), str(seed), str(pace_s)],
            f"ringer-{till.index}.log",
        )

    def start_agent(self, till: SoakTill) -> None:
        if till.dead or (till.agent is not None and till.agent.poll() is None):
            return
        till.agent = self._spawn(
            [
                *console_script("sgpos-sync", "till.sync.cli"),
                "--data-dir",
                str(till.data_dir),
                "run",
            ],
            f"agent-{till.index}.log",
        )

    def _spawn(self, command: list[str], log_name: str) -> subprocess.Popen[bytes]:
        with (self.work / "logs" / log_name).open("ab") as log:
            return subprocess.Popen(
                command,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=os.environ | CHILD_ENV,
            )

    def kill_ringer(self, till: SoakTill, sig: int = signal.SIGKILL) -> None:
        _end(till.ringer, sig)
        till.ringer = None

    def kill_agent(self, till: SoakTill, sig: int = signal.SIGKILL) -> None:
        _end(till.agent, sig)
        till.agent = None

    def heal_network(self, till: SoakTill) -> None:
        till.proxy.set_fault(Fault())


def _end(process: subprocess.Popen[bytes] | None, sig: int) -> None:
    if process is None:
        return
    if process.poll() is None:
        process.send_signal(sig)
    try:
        process.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_TIMEOUT_S)
    return None


@contextmanager
def running_fleet(
    db_url: str, work: Path, *, tills: int, servers: int, seed: int
) -> Iterator[Fleet]:
    fleet = Fleet(db_url, work, tills=tills, servers=servers, seed=seed)
    try:
        fleet.start()
        yield fleet
    finally:
        fleet.close()
