"""How the till app syncs, chosen once at start-up (``till.app`` asks for it):

- ``agent``: enrolled, and this app runs the agent on a background thread;
- ``service``: enrolled, but another agent (the installed headless service) holds the lock; a
  small thread reads the status from the store every few seconds, and when woken;
- ``stand-alone``: not enrolled (the demo, a shop without head office), or the agent could not
  start: no sync at all; the status is still read from the store, so the backlog shown stays
  true.

Whichever it is, ``on_status`` receives a typed :class:`SyncStatus` (its ``mode`` set) from
whatever thread has news; the first one is delivered before :func:`start_syncing` returns and
before the agent's own news. Nothing here waits for the network.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from shared.logs import get_logger
from till.store.db import Store
from till.sync.agent import AgentError, SyncAgent
from till.sync.bookkeeping import NotEnrolled
from till.sync.lock import AgentAlreadyRunning
from till.sync.scheduling import AgentThread
from till.sync.settings import AgentSettings
from till.sync.status import AGENT, SERVICE, STAND_ALONE, Mode, SyncStatus, sync_status

log = get_logger("sgpos.till.sync")

WATCH_EVERY_S = 3.0
STOP_WAIT_S = 10.0  # a cycle in flight may take a request timeout; quitting should not

OnStatus = Callable[[SyncStatus], None]
Clock = Callable[[], datetime]


class Syncing:
    """The app's handle on its sync, whichever way it was chosen."""

    def __init__(
        self,
        mode: Mode,
        problem: str | None = None,
        *,
        agent: AgentThread | None = None,
        watcher: _StatusWatcher | None = None,
    ) -> None:
        self.mode = mode
        # Why an enrolled till runs stand-alone when it should not (shown in Diagnostics).
        self.problem = problem
        self._agent = agent
        self._watcher = watcher

    def nudge(self) -> None:
        """Ask for a push now, and a fresh status (after every write with events); returns at
        once."""
        if self._agent is not None:
            self._agent.nudge()
        elif self._watcher is not None:
            self._watcher.wake()  # the service pushes on its own (or nobody does): show the backlog

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


def start_syncing(
    data_dir: Path,
    store: Store,
    settings: AgentSettings,
    on_status: OnStatus,
    *,
    clock: Clock,
    watch_every_s: float = WATCH_EVERY_S,
) -> Syncing:
    """Start syncing the way this till is set up, on the app's own ``store``."""
    first = sync_status(store, data_dir, now=clock())

    def watching(mode: Mode, problem: str | None = None) -> Syncing:
        # Nobody in this process syncs: read the backlog from the store to show it.
        extra = {} if problem is None else {"last_error": problem}
        on_status(first.but(mode=mode, **extra))
        watcher = _StatusWatcher(
            lambda s: on_status(s.but(mode=mode, **extra)), store, data_dir, clock, watch_every_s
        )
        watcher.start()
        return Syncing(mode, problem, watcher=watcher)

    def stand_alone(problem: str) -> Syncing:
        log.warning("sync.not_started", problem=problem)
        return watching(STAND_ALONE, problem)

    if not first.enrolled:
        return watching(STAND_ALONE)
    try:
        agent = SyncAgent(data_dir, settings, store=store, clock=clock)
    except AgentAlreadyRunning:
        log.info("sync.watching_service", data_dir=str(data_dir))
        return watching(SERVICE)
    except AgentError as exc:
        return stand_alone(str(exc))
    on_status(first.but(mode=AGENT))  # before the agent's own news, never after it
    try:
        thread = agent.start_in_thread(lambda s: on_status(s.but(mode=AGENT)))
    except NotEnrolled as exc:
        agent.close()
        return stand_alone(str(exc))
    return Syncing(AGENT, agent=thread)


class _StatusWatcher:
    """Reads the sync status from the store every few seconds (and when woken) while another
    process syncs, or nobody does."""

    def __init__(
        self, post: OnStatus, store: Store, data_dir: Path, clock: Clock, every_s: float
    ) -> None:
        self.post, self.store, self.data_dir, self.clock = post, store, data_dir, clock
        self.every_s = every_s
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
                status = sync_status(self.store, self.data_dir, now=self.clock())
            except Exception:  # a busy or closing store: try again at the next turn
                log.exception("sync.status_read_failed")
            else:
                self.post(status)
            self._wake.wait(self.every_s)
            self._wake.clear()
