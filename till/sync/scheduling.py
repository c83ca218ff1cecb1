"""Running the agent on a schedule: a push job and a pull job under APScheduler 3.x.

Why ``AsyncIOScheduler`` and not ``BackgroundScheduler``: the client is aiohttp, so a cycle is
a coroutine, and the agent lives on one event loop of its own — in the main thread of
``sgpos-sync run``, or in one background thread of the till app (:class:`AgentThread`). A
``BackgroundScheduler`` would add a scheduler thread and a worker pool only to hand each
coroutine back to a loop. Store work still leaves the loop, for the agent's single store
thread, so the loop keeps answering ``stop()`` while a large master-data page is written.

Each job: ``max_instances=1`` (one push and one pull at a time; a long drain simply runs on),
``coalesce=True`` (ticks missed meanwhile become one run, not a burst), and
``misfire_grace_time`` of one interval (a run later than that is dropped: the next tick is
due anyway). After a failed cycle the job skips its ticks until the backoff delay has passed.

Healing within a minute (DESIGN.md §8): the backoff is capped (``MAX_BACKOFF_S``); any
successful answer, in either direction, resets both directions' backoff and runs the other
direction at once (a pull that gets through wakes the waiting pusher); and while the last
attempt found head office unreachable, a third job probes ``/v1/health`` every
``probe_interval_s`` and ends every wait as soon as it answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Self

from apscheduler.jobstores.base import JobLookupError  # type: ignore[import-untyped]
from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]

from shared.logs import get_logger
from till.sync.agent import Direction, SyncAgent
from till.sync.client import http_session
from till.sync.outcomes import Outcome, PullResult, PushResult
from till.sync.status import SyncStatus
from till.sync.watch import OutboxWatch

StatusCallback = Callable[[SyncStatus], None]

log = get_logger("sgpos.sync")


class Runner:
    """The agent's scheduled life on one event loop."""

    def __init__(self, agent: SyncAgent, on_status: StatusCallback | None = None) -> None:
        self.agent = agent
        self.on_status = on_status
        self._not_before: dict[Direction, float] = {"push": 0.0, "pull": 0.0}
        self._active: set[asyncio.Task[Any]] = set()
        # Directions asked to run while a cycle of theirs was already running: they go round
        # once more as soon as it ends, rather than waiting for the next tick.
        self._again: set[Direction] = set()
        self._watch: OutboxWatch | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._scheduler: Any = None
        self._http: Any = None

    async def serve(self, *, handle_signals: bool) -> None:
        agent, settings = self.agent, self.agent.settings
        loop = self._loop = asyncio.get_running_loop()
        stopped = asyncio.Event()
        agent.on_stop(lambda: _call_soon(loop, stopped.set))
        if agent.stopping:
            return
        signals = (signal.SIGTERM, signal.SIGINT) if handle_signals else ()
        for sig in signals:
            loop.add_signal_handler(sig, agent.stop)
        scheduler = AsyncIOScheduler(timezone=UTC, logger=_scheduler_log())
        try:
            async with http_session(timeout_s=settings.request_timeout_s) as self._http:
                for direction, every in (
                    ("push", settings.push_interval_s),
                    ("pull", settings.pull_interval_s),
                ):
                    scheduler.add_job(
                        self._tick,
                        "interval",
                        args=[direction],
                        id=direction,
                        seconds=every,
                        max_instances=1,
                        coalesce=True,
                        misfire_grace_time=max(1, math.ceil(every)),
                        next_run_time=datetime.now(UTC),
                    )
                scheduler.add_job(
                    self._probe,
                    "interval",
                    id="probe",
                    seconds=settings.probe_interval_s,
                    max_instances=1,
                    coalesce=True,
                    misfire_grace_time=max(1, math.ceil(settings.probe_interval_s)),
                )
                self._watch = OutboxWatch(agent.store_path)
                scheduler.add_job(
                    self._look_for_new_events,
                    "interval",
                    id="watch",
                    seconds=settings.outbox_poll_s,
                    max_instances=1,
                    coalesce=True,
                    misfire_grace_time=1,
                )
                scheduler.start()
                self._scheduler = scheduler
                log.info(
                    "sync.started", data_dir=str(agent.data_dir), settings=settings.for_logging()
                )
                await stopped.wait()
                scheduler.pause()
                await self._finish_running_cycles()
        finally:
            self._scheduler = None
            if self._watch is not None:
                self._watch.close()
            if scheduler.running:
                scheduler.shutdown(wait=False)
                await asyncio.sleep(0)  # AsyncIOScheduler shuts down on the loop's next turn
            for sig in signals:
                loop.remove_signal_handler(sig)
            log.info("sync.stopped")

    def nudge(self) -> None:
        """Push now rather than at the next tick (the till calls this after every write with
        events); safe from any thread. While a push is running, it or the next tick takes the
        new event."""
        if self._loop is not None:
            _call_soon(self._loop, self._push_now)

    def _push_now(self) -> None:
        if self._not_before["push"] > time.monotonic() and self._scheduler is not None:
            # Waiting out a backoff (head office away), the push does not go now; what waits
            # is still read again, so the till's status line counts the write that nudged.
            self._scheduler.add_job(self._report, id="report", replace_existing=True)
        self._run_now("push")

    def _run_now(self, direction: Direction) -> None:
        self._again.add(direction)
        if self._scheduler is not None:
            with contextlib.suppress(JobLookupError):  # shutting down
                self._scheduler.modify_job(direction, next_run_time=datetime.now(UTC))

    def _heard_from_head_office(self) -> None:
        """Head office answers again: a direction waiting out a backoff goes at once."""
        now = time.monotonic()
        for direction in ("push", "pull"):
            self.agent.backoff[direction].reset()
            if self._not_before[direction] > now:
                self._not_before[direction] = 0.0
                self._run_now(direction)

    def _look_for_new_events(self) -> None:
        backing_off = self._not_before["push"] > time.monotonic()
        if self._watch is not None and self._watch.changed() and not backing_off:
            self._run_now("push")

    async def _probe(self) -> None:
        agent = self.agent
        waiting = any(t > time.monotonic() for t in self._not_before.values())
        if agent.stopping or not agent.offline or not waiting:
            return
        if await agent.probe(self._http):
            log.info("sync.head_office_back")
            self._heard_from_head_office()

    async def _tick(self, direction: Direction) -> None:
        agent = self.agent
        if agent.stopping:
            return
        while time.monotonic() >= self._not_before[direction] and not agent.stopping:
            self._again.discard(direction)
            answers = agent.answers
            result = await self._cycle(direction)
            backoff = agent.backoff[direction]
            if agent.answers > answers:
                self._heard_from_head_office()
            if result is None or result.outcome is Outcome.RETRY:
                delay = backoff.next_delay()
                self._not_before[direction] = time.monotonic() + delay
                log.info(
                    "sync.backing_off",
                    direction=direction,
                    delay_s=round(delay, 2),
                    failures=backoff.failures,
                )
            elif result.outcome is Outcome.DONE:
                backoff.reset()
            await self._report()
            if direction not in self._again:
                break

    async def _cycle(self, direction: Direction) -> PushResult | PullResult | None:
        task = asyncio.current_task()
        assert task is not None
        self._active.add(task)
        try:
            if direction == "push":
                return await self.agent.push_once(self._http)
            pulled = await self.agent.pull_once(self._http)
            if pulled.outcome is Outcome.DONE:
                # Members' balances from head office, for when the till is offline next.
                await self.agent.points_once(self._http)
            return pulled
        except asyncio.CancelledError:
            # Only at shutdown, after the grace period: whatever head office applied is
            # acknowledged again (as a duplicate) next time, so nothing is lost by stopping here.
            log.info("sync.cycle_cancelled", direction=direction)
            return None
        except Exception:  # a bug must not end the agent; the scheduler will try again
            log.exception("sync.cycle_failed", direction=direction)
            return None
        finally:
            self._active.discard(task)

    async def _report(self) -> None:
        if self.on_status is None or self.agent.stopping:
            return
        try:
            self.on_status(await self.agent.current_status())
        except Exception:  # the screen's problem must not stop the sync
            log.exception("sync.status_callback_failed")

    async def _finish_running_cycles(self) -> None:
        if not self._active:
            return
        # A cycle in flight is bounded by the request timeout; give it that, then cancel.
        grace = self.agent.settings.request_timeout_s + 5
        _, late = await asyncio.wait(set(self._active), timeout=grace)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late, timeout=5)


def run_agent(agent: SyncAgent) -> None:
    """``sgpos-sync run``: serve in this thread until SIGTERM, SIGINT or ``agent.stop()``."""
    agent.check_enrolled()  # fail now, with the reason, rather than retry for ever
    in_main = threading.current_thread() is threading.main_thread()
    asyncio.run(Runner(agent).serve(handle_signals=in_main))


class AgentThread:
    """The agent on a background thread of the till app. ``on_status`` is called on that
    thread after every cycle; the UI re-emits it as a Qt signal (the agent never touches Qt)."""

    def __init__(self, agent: SyncAgent, on_status: StatusCallback) -> None:
        self.agent = agent
        self.runner = Runner(agent, on_status)
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="sgpos-sync-agent", daemon=True)

    @classmethod
    def start(cls, agent: SyncAgent, on_status: StatusCallback) -> Self:
        agent.check_enrolled()  # raise in the caller's thread, where it can be shown
        handle = cls(agent, on_status)
        handle._thread.start()
        return handle

    def stop(self, timeout: float | None = None) -> None:
        """Stop the agent, wait for its thread (at most ``timeout`` s) and close it."""
        self.agent.stop()
        self._thread.join(timeout)

    def nudge(self) -> None:
        self.runner.nudge()

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def _main(self) -> None:
        try:
            asyncio.run(self.runner.serve(handle_signals=False))
        except Exception as exc:
            self.error = exc
            log.exception("sync.thread_failed")
        finally:
            self.agent.close()


def _scheduler_log() -> logging.Logger:
    # APScheduler warns at every tick skipped because the previous run is still going, and at
    # every coalesced misfire: both are this design working as intended, so only its errors
    # are worth a line in the till's log.
    logger = logging.getLogger("sgpos.sync.scheduler")
    logger.setLevel(logging.ERROR)
    # Its executors log two lines per job run (every few seconds) on a logger of their own.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    return logger


def _call_soon(loop: asyncio.AbstractEventLoop, fn: Callable[[], None]) -> None:
    # RuntimeError: the loop has already closed, so there is nothing left to wake.
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(fn)
