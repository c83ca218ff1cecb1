"""The sync agent's news, brought to the GUI thread as a Qt signal.

The agent runs on a thread of its own (or in a separate service process) and never touches Qt;
it calls :meth:`SyncBridge.post` from its thread, and the bridge re-emits the status on the GUI
thread through a queued connection (electrum's ``QtEventListener`` idea). Nothing here waits
for the network: starting, nudging and reading the status return at once.

Three ways a till can be, chosen once at start-up and shown as ``status["mode"]``:

- ``agent``: enrolled, and this app runs the agent on a background thread;
- ``service``: enrolled, but another agent (the installed headless service) holds the lock;
  the bridge reads the status from the store every few seconds on a small thread of its own;
- ``stand-alone``: not enrolled (the demo, a shop without head office): no sync at all; the
  bridge still reads the status from the store, so the backlog shown stays true.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from shared.logs import get_logger
from till.services.context import Clock, utc_now
from till.store.db import Store
from till.sync.agent import AgentError, SyncAgent
from till.sync.bookkeeping import NotEnrolled
from till.sync.lock import AgentAlreadyRunning
from till.sync.scheduling import AgentThread
from till.sync.settings import AgentSettings
from till.sync.status import read_status

log = get_logger("sgpos.till.sync")

AGENT, SERVICE, STAND_ALONE = "agent", "service", "stand-alone"
WATCH_EVERY_S = 3.0
STOP_WAIT_S = 10.0  # a cycle in flight may take a request timeout; quitting should not


class SyncBridge(QObject):
    status_changed = Signal(dict)
    # Emitted from any thread; connected queued, so the slot always runs on the GUI thread.
    _arrived = Signal(dict)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.mode = STAND_ALONE
        self.problem: str | None = None  # why the till runs stand-alone when it should not
        self._latest: dict[str, Any] | None = None
        self._agent: AgentThread | None = None
        self._watcher: _StatusWatcher | None = None
        self._arrived.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    # --- what screens use ---------------------------------------------------------------

    def latest(self) -> dict[str, Any] | None:
        return self._latest

    def nudge(self) -> None:
        """Ask for a push now (after a sale); returns at once."""
        if self._agent is not None:
            self._agent.nudge()
        elif self._watcher is not None:
            self._watcher.wake()  # the service pushes on its own (or nobody does): show the backlog

    def post(self, status: dict[str, Any]) -> None:
        """Hand over a status from any thread (the agent's ``on_status`` callback)."""
        self._arrived.emit({**status, "mode": self.mode})

    # --- life cycle ---------------------------------------------------------------------

    def start(
        self,
        data_dir: Path,
        store: Store,
        settings: AgentSettings,
        *,
        clock: Clock = utc_now,
        watch_every_s: float = WATCH_EVERY_S,
    ) -> str:
        """Start syncing the way this till is set up; returns the mode chosen."""
        first = read_status(store, data_dir, now=clock())

        def watch(**extra: Any) -> None:
            # Nobody in this process syncs: read the backlog from the store to show it.
            self._watcher = _StatusWatcher(self, store, data_dir, clock, watch_every_s, extra)
            self._watcher.start()

        if not first["enrolled"]:
            self.mode = STAND_ALONE
            self._first({**first, "halted": {}})
            watch()
            return self.mode
        try:
            agent = SyncAgent(data_dir, settings, clock=clock)
        except AgentAlreadyRunning:
            self.mode = SERVICE
            self._first({**first, "halted": {}})
            watch()
            log.info("sync.watching_service", data_dir=str(data_dir))
            return self.mode
        except AgentError as exc:
            self._stand_alone(first, str(exc))
            watch(last_error=str(exc))
            return self.mode
        self.mode = AGENT
        self._first({**first, "halted": {}})  # before the agent's own news, never after it
        try:
            self._agent = agent.start_in_thread(self.post)
        except NotEnrolled as exc:
            agent.close()
            self._stand_alone(first, str(exc))
            watch(last_error=str(exc))
        return self.mode

    def stop(self) -> None:
        """Stop the agent (letting a cycle in flight finish briefly) or the status watcher."""
        if self._agent is not None:
            agent, self._agent = self._agent, None
            agent.stop(timeout=STOP_WAIT_S)
            if agent.is_alive():
                log.warning("sync.agent_still_stopping", waited_s=STOP_WAIT_S)
        if self._watcher is not None:
            watcher, self._watcher = self._watcher, None
            watcher.stop()

    def _stand_alone(self, first: dict[str, Any], problem: str) -> None:
        log.warning("sync.not_started", problem=problem)
        self.mode, self.problem = STAND_ALONE, problem
        self._first({**first, "halted": {}, "last_error": problem})

    def _first(self, status: dict[str, Any]) -> None:
        # start() runs on the GUI thread: the status read there is the latest at once, so a
        # window built right after it never shows "not known yet"; the news still follows.
        self._latest = {**status, "mode": self.mode}
        self.post(status)

    def _deliver(self, status: dict[str, Any]) -> None:
        self._latest = status
        self.status_changed.emit(status)


class _StatusWatcher:
    """Reads the sync status from the store every few seconds (and when woken) while another
    process syncs, or nobody does (stand-alone); ``extra`` is added to every status posted."""

    def __init__(
        self,
        bridge: SyncBridge,
        store: Store,
        data_dir: Path,
        clock: Clock,
        every_s: float,
        extra: dict[str, Any],
    ) -> None:
        self.bridge, self.store, self.data_dir, self.clock = bridge, store, data_dir, clock
        self.every_s, self.extra = every_s, extra
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sgpos-sync-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join(STOP_WAIT_S)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                status = read_status(self.store, self.data_dir, now=self.clock())
            except Exception:  # a busy or closing store: try again at the next turn
                log.exception("sync.status_read_failed")
            else:
                self.bridge.post({**status, "halted": {}, **self.extra})
            self._wake.wait(self.every_s)
            self._wake.clear()
