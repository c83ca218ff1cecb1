"""The sync agent: sends the till's outbox up to head office and brings master data down.

One cycle of each is :meth:`SyncAgent.push_once` and :meth:`SyncAgent.pull_once`;
:meth:`SyncAgent.run` repeats them on a schedule (``till.sync.scheduling``). What head
office answers decides what happens next:

- ``ok``: the answered events are acknowledged locally and the high-water mark moves past them
  (``bookkeeping``), then the next batch goes, until the outbox is empty;
- ``busy``: wait the ``retry_after`` it asked for (a stop request cuts the wait short), retry,
  for at most ``busy_patience_s`` per cycle; then the cycle ends with the reason recorded;
- ``failed`` (HTTP 500): head office's own fault; the attempt is counted on each event of the
  batch, the reason recorded, and the scheduler backs off;
- ``unauthorized``, ``upgrade_required``, ``rejected``: nothing is marked; the agent stops
  talking to head office and records a message a person can act on (re-enrol, upgrade, call
  support). A refused credential is tried again only once the credential changes
  (re-enrolment); the others wait for a restart;
- head office unreachable (:class:`~till.sync.client.Offline`): the attempt is
  counted on each event of the batch, the reason recorded, and the scheduler backs off.

Sales never wait on any of this: the agent only reads the outbox and writes acknowledgements,
in short transactions of its own, on one store thread of its own.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar

import aiohttp

from shared.logs import get_logger
from shared.protocol import (
    MAX_PULL_PAGE,
    PROTOCOL_VERSION,
    Busy,
    Failed,
    MemberPoints,
    MemberPointsRequest,
    PullPage,
    PushOk,
    PushRequest,
    Rejected,
    Unauthorized,
    UpgradeRequired,
)
from till.store.db import Store, StoreError
from till.store.master import MasterDataError
from till.store.migrate import current_revision, upgrade_store
from till.sync.backoff import Backoff
from till.sync.bookkeeping import CursorMoved, NotEnrolled, SyncBook, Target
from till.sync.client import CentralClient, Offline, TooLarge, app_version, http_session
from till.sync.credentials import Credential
from till.sync.lock import AgentLock
from till.sync.outcomes import (
    Outcome,
    PullResult,
    PushResult,
    refused_credential,
    rejected_pull,
    rejected_push,
    upgrade_needed,
)
from till.sync.paths import backup_dir, store_file
from till.sync.prefetch import Asked, drop
from till.sync.settings import AgentSettings
from till.sync.status import SyncStatus, sync_status

if TYPE_CHECKING:
    from till.sync.scheduling import AgentThread, StatusCallback

Clock = Callable[[], datetime]
Direction = Literal["push", "pull"]
# How often a wait (a 'busy' answer) looks at the stop flag.
STOP_POLL_S = 0.2

_T = TypeVar("_T")

log = get_logger("sgpos.sync")


def utc_now() -> datetime:
    return datetime.now(UTC)


class AgentError(RuntimeError):
    """The agent cannot start; the message says why and what to do."""


@dataclass(frozen=True)
class _Blocked:
    """Why a cycle cannot talk to head office at all."""

    outcome: Outcome
    problem: str


@dataclass(frozen=True)
class _Halt:
    problem: str
    # A refused credential: lifted as soon as the till has another one (it was re-enrolled).
    # None: lifted by a restart only (an upgrade, or support looking at a refused batch).
    credential: Credential | None


class SyncAgent:
    """The one sync agent of a till's data folder (its lock is held until :meth:`close`).

    ``location`` is the till's data folder or its ``till.sqlite``. In the till app the agent is
    given the app's own ``store`` (``till.app`` wires one store for everything) and leaves it
    open when it closes. Run on its own (``sgpos-sync``, the installer) it opens the store
    itself, bringing it to the current schema first exactly as the till app does at start-up
    (a backup, then the upgrade), and closes it with itself.
    """

    def __init__(
        self,
        location: Path,
        settings: AgentSettings,
        *,
        store: Store | None = None,
        clock: Clock = utc_now,
        rng: random.Random | None = None,
    ) -> None:
        self.data_dir, self.store_path = _locate(location)
        if not self.store_path.is_file():  # before the lock, which would create a file there
            raise AgentError(
                f"there is no till store at {self.store_path}: check --data-dir, or install "
                "the till first"
            )
        self.settings = settings
        self.clock = clock
        self._lock = AgentLock.acquire(self.data_dir)
        self._owns_store = store is None
        try:
            self.store = _open_store(self.data_dir, self.store_path) if store is None else store
        except BaseException:
            self._lock.release()
            raise
        self.book = SyncBook(self.store, self.data_dir, clock)
        self._store_revision = current_revision(self.store_path) or "unknown"
        self._app_version = app_version()
        # One thread for every store call: the event loop stays free to answer stop() while a
        # large master-data page is written, and the agent's own writes never queue on each
        # other's busy timeout.
        self._store_thread = ThreadPoolExecutor(1, thread_name_prefix="sgpos-sync-store")
        rng = rng or random.Random()  # noqa: S311  (jitter, not cryptography)
        self.backoff: dict[Direction, Backoff] = {
            d: Backoff(settings.backoff_base_s, settings.backoff_max_s, rng)
            for d in ("push", "pull")
        }
        self._halts: dict[Direction, _Halt] = {}
        # Head office answered nothing at the last attempt (the network, not a refusal): the
        # scheduler then probes /v1/health to end its backoff as soon as the link is back.
        self.offline = False
        # Successful answers (a push acknowledged, a page pulled) since start: the scheduler
        # resets every backoff when this moves.
        self.answers = 0
        self._stopping = threading.Event()
        self._on_stop: list[Callable[[], None]] = []
        self.last_problem: str | None = None
        self._closed = False

    # --- life cycle ---------------------------------------------------------------------

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop, let the store thread finish its transaction, close the store, drop the lock."""
        if self._closed:
            return
        self._closed = True
        self.stop()
        self._store_thread.shutdown(wait=True)
        if self._owns_store:
            self.store.close()
        self._lock.release()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def stop(self) -> None:
        """Ask the agent to stop; safe from any thread and from a signal handler."""
        self._stopping.set()
        for wake in list(self._on_stop):
            wake()

    def on_stop(self, wake: Callable[[], None]) -> None:
        """Call ``wake`` when :meth:`stop` is called (the scheduler's way to wake its loop)."""
        self._on_stop.append(wake)

    def check_enrolled(self) -> Target:
        """Who and where this till syncs with; NotEnrolled says what is missing."""
        return self.book.target(self.settings.central_url)

    def run(self) -> None:
        """Push and pull on a schedule until SIGTERM, SIGINT or :meth:`stop` (blocking)."""
        from till.sync.scheduling import run_agent

        run_agent(self)

    def start_in_thread(self, on_status: StatusCallback) -> AgentThread:
        """Run the agent on a background thread of the caller (the till app); ``on_status``
        gets :meth:`status` after every cycle, on that thread. The handle's ``stop()`` stops
        the agent and closes it."""
        from till.sync.scheduling import AgentThread

        return AgentThread.start(self, on_status)

    # --- what the till shows ------------------------------------------------------------

    def status(self) -> SyncStatus:
        """The till's sync state (see ``status.sync_status``), plus what this agent has stopped
        doing and why."""
        status = sync_status(self.store, self.data_dir, now=self.clock())
        # A copy first: the event loop's thread may lift a halt while this reads.
        return status.but(halted={d: h.problem for d, h in dict(self._halts).items()})

    async def current_status(self) -> SyncStatus:
        """:meth:`status`, read on the agent's store thread."""
        return await self._db(self.status)

    # --- one cycle ----------------------------------------------------------------------

    async def sync_once(self) -> bool:
        """Push until the outbox is empty, then pull to head office's head. True only if both
        got there; otherwise :attr:`last_problem` says why."""
        async with self._http() as http:
            push = await self.push_once(http)
            pull = await self.pull_once(http)  # at once STOPPED if the push was stopped
            if pull.outcome is Outcome.DONE:
                await self.points_once(http)
        done = push.outcome is Outcome.DONE and pull.outcome is Outcome.DONE
        self.last_problem = None if done else push.problem or pull.problem or "stopped part-way"
        return done

    async def push_once(self, http: aiohttp.ClientSession | None = None) -> PushResult:
        """Send pending events in (epoch, seq) order, batch after batch, until none is left."""
        async with self._http(http) as session:
            try:
                result = await self._push(session)
            except StoreError as exc:
                result = PushResult(Outcome.RETRY, problem=f"the till's store: {exc}")
                log.warning("push.store_error", error=str(exc))
        self.last_problem = result.problem
        return result

    async def pull_once(self, http: aiohttp.ClientSession | None = None) -> PullResult:
        """Fetch and apply master-data pages from the stored cursor until head office has no
        more."""
        async with self._http(http) as session:
            try:
                result = await self._pull(session)
            except StoreError as exc:
                result = PullResult(Outcome.RETRY, problem=f"the till's store: {exc}")
                log.warning("pull.store_error", error=str(exc))
        self.last_problem = result.problem
        return result

    async def points_once(self, http: aiohttp.ClientSession | None = None) -> int:
        """Ask head office for the balances of the members this till knows and keep them for
        when it is offline (``till.services.loyalty.balance``); how many were updated. A
        failure here is logged and waits for the next cycle: sales never depend on it."""
        async with self._http(http) as session:
            try:
                target = await self._db(self.check_enrolled)
                members = await self._db(self.book.members)
                if not members:
                    return 0
                client = CentralClient(session, target.url)
                updated = 0
                for start in range(0, len(members), MAX_PULL_PAGE):
                    chunk = [uuid.UUID(m) for m in members[start : start + MAX_PULL_PAGE]]
                    answer = await client.points(
                        target.credential, MemberPointsRequest(customer_ids=chunk)
                    )
                    if not isinstance(answer, MemberPoints):
                        log.warning("points.not_answered", answer=type(answer).__name__)
                        return updated
                    updated += await self._db(self.book.remember_points, answer)
                return updated
            except (NotEnrolled, Offline, TooLarge, StoreError) as exc:
                log.warning("points.failed", error=str(exc))
                return 0

    async def probe(self, http: aiohttp.ClientSession) -> bool:
        """Does head office answer again? A cheap ``/v1/health``, asked while offline."""
        try:
            target = await self._db(self.check_enrolled)
            await CentralClient(http, target.url).health()
        except (NotEnrolled, Offline, StoreError):
            return False
        self.offline = False
        return True

    async def _push(self, http: aiohttp.ClientSession) -> PushResult:
        acknowledged = quarantined = 0
        limit = self.settings.push_batch
        patience = _Patience(self.settings.busy_patience_s)

        def result(outcome: Outcome, problem: str | None = None) -> PushResult:
            return PushResult(outcome, acknowledged, quarantined, problem)

        while not self.stopping:
            target = await self._target("push")
            if isinstance(target, _Blocked):
                return result(target.outcome, target.problem)
            till_id = target.credential.till_id
            batch = await self._db(
                self.book.next_batch,
                till_id,
                limit,
                app_version=self._app_version,
                store_revision=self._store_revision,
            )
            if batch is None:
                return result(Outcome.DONE)
            (epoch_from, seq_from), (epoch_to, seq_to) = batch.keys[0], batch.keys[-1]
            ctx = {"till_id": till_id, "epoch_from": epoch_from, "seq_from": seq_from}
            ctx.update(epoch_to=epoch_to, seq_to=seq_to)
            request = PushRequest(protocol=PROTOCOL_VERSION, till=batch.report, events=batch.events)
            try:
                answer = await CentralClient(http, target.url).push(target.credential, request)
            except Offline as exc:
                self.offline = True
                await self._db(self.book.record_send_failure, batch, exc.reason)
                log.warning("push.offline", reason=exc.reason, events=len(batch.keys), **ctx)
                return result(Outcome.RETRY, exc.reason)
            except TooLarge as exc:
                if len(batch.keys) > 1:
                    limit = max(1, len(batch.keys) // 2)
                    log.info("push.batch_too_large", next_batch=limit, **ctx)
                    continue
                problem = (
                    f"head office refused {batch.describe()} as too large ({exc}) and "
                    "stored nothing; the queue cannot move past it — call support"
                )
                return result(await self._halt(("push",), problem, None, **ctx), problem)
            self.offline = False
            match answer:
                case PushOk():
                    self.answers += 1
                    patience.reset()
                    done = await self._db(self.book.acknowledge, batch, answer)
                    if done.last is None:
                        problem = f"head office answered for none of {batch.describe()}"
                        await self._db(self.book.record_problem, problem)
                        log.warning("push.nothing_acknowledged", **ctx)
                        return result(Outcome.RETRY, problem)
                    acknowledged += done.total
                    quarantined += len(done.quarantined)
                    log.info(
                        "push.acknowledged",
                        **ctx,
                        acked_to=list(done.last),
                        **{f"n_{k.value}": v for k, v in done.counts.items()},
                    )
                    for (epoch, seq), event_id, reason in done.quarantined:
                        log.warning(
                            "push.quarantined",
                            till_id=till_id,
                            epoch=epoch,
                            seq=seq,
                            event_id=event_id,
                            reason=reason,
                        )
                case Busy(retry_after=wait):
                    log.info("push.busy", retry_after_s=wait, **ctx)
                    if not patience.allows(wait):
                        problem = patience.exhausted(f"sending {batch.describe()}")
                        await self._db(self.book.record_problem, problem)
                        return result(Outcome.RETRY, problem)
                    await self._pause(wait)
                case Failed(message=message):
                    problem = f"head office failed on {batch.describe()}: {message}"
                    await self._db(self.book.record_send_failure, batch, problem)
                    log.warning("push.failed_at_head_office", message=message, **ctx)
                    return result(Outcome.RETRY, problem)
                case Unauthorized() | UpgradeRequired():
                    return result(*await self._refused(answer, target, **ctx))
                case Rejected():
                    problem = rejected_push(batch.describe(), answer)
                    return result(await self._halt(("push",), problem, None, **ctx), problem)
        return result(Outcome.STOPPED)

    async def _pull(self, http: aiohttp.ClientSession) -> PullResult:
        pages = changes = 0
        patience = _Patience(self.settings.busy_patience_s)
        # The next page, asked for while this one is applied (see ``agent.prefetch``).
        ahead: Asked | None = None

        def result(outcome: Outcome, problem: str | None = None) -> PullResult:
            return PullResult(outcome, pages, changes, problem)

        try:
            while not self.stopping:
                target = await self._target("pull")
                if isinstance(target, _Blocked):
                    return result(target.outcome, target.problem)
                till_id = target.credential.till_id
                cursor = await self._db(self.book.cursor)
                if ahead is None or not ahead.serves(target, cursor):
                    drop(ahead)
                    ahead = self._ask(http, target, cursor)
                asked, ahead = ahead, None
                try:
                    answer = await asked.answer
                except (Offline, TooLarge) as exc:
                    self.offline = isinstance(exc, Offline)
                    problem = exc.reason if isinstance(exc, Offline) else str(exc)
                    await self._db(self.book.record_problem, problem)
                    log.warning("pull.offline", till_id=till_id, cursor=cursor, reason=problem)
                    return result(Outcome.RETRY, problem)
                self.offline = False
                match answer:
                    case PullPage():
                        self.answers += 1
                        patience.reset()
                        if answer.cursor != cursor or (
                            answer.has_more and answer.next_cursor == cursor
                        ):
                            problem = (
                                f"head office's answer to a pull from cursor {cursor!r} does not "
                                f"follow on from it (cursor {answer.cursor!r}, next "
                                f"{answer.next_cursor!r}); nothing was applied"
                            )
                            await self._db(self.book.record_problem, problem)
                            log.error("pull.bad_page", till_id=till_id, cursor=cursor)
                            return result(Outcome.RETRY, problem)
                        if answer.has_more:
                            ahead = self._ask(http, target, answer.next_cursor)
                        try:
                            counts = await self._db(
                                self.book.apply_page, cursor, answer, asked_at=asked.asked_at
                            )
                        except MasterDataError as exc:
                            problem = (
                                f"{exc}. The till keeps the catalogue it had and will try again; "
                                "head office must correct that record"
                            )
                            await self._db(self.book.record_problem, problem)
                            # An alarm: head office sent data the till cannot hold.
                            log.error("pull.alarm", till_id=till_id, cursor=cursor, error=str(exc))
                            return result(Outcome.RETRY, problem)
                        except CursorMoved as exc:
                            log.warning("pull.cursor_moved", till_id=till_id, error=str(exc))
                            return result(Outcome.RETRY, str(exc))
                        pages += 1
                        changes += counts.total
                        log.info(
                            "pull.applied",
                            till_id=till_id,
                            cursor=cursor,
                            next_cursor=answer.next_cursor,
                            changes=counts.total,
                            has_more=answer.has_more,
                        )
                        if not answer.has_more:
                            return result(Outcome.DONE)
                    case Busy(retry_after=wait):
                        log.info("pull.busy", till_id=till_id, retry_after_s=wait)
                        if not patience.allows(wait):
                            problem = patience.exhausted("bringing master data down")
                            await self._db(self.book.record_problem, problem)
                            return result(Outcome.RETRY, problem)
                        await self._pause(wait)
                    case Failed(message=message):
                        problem = f"head office failed to send master data: {message}"
                        await self._db(self.book.record_problem, problem)
                        log.warning("pull.failed_at_head_office", till_id=till_id, message=message)
                        return result(Outcome.RETRY, problem)
                    case Unauthorized() | UpgradeRequired():
                        return result(*await self._refused(answer, target, till_id=till_id))
                    case Rejected():
                        problem = rejected_pull(cursor, answer)
                        halted = await self._halt(("pull",), problem, None, till_id=till_id)
                        return result(halted, problem)
            return result(Outcome.STOPPED)
        finally:
            drop(ahead)

    # --- helpers ------------------------------------------------------------------------

    async def _target(self, direction: Direction) -> Target | _Blocked:
        """Who and where to sync with this cycle, or why not."""
        try:
            target = await self._db(self.check_enrolled)
        except NotEnrolled as exc:
            await self._db(self.book.record_problem, str(exc))
            return _Blocked(Outcome.RETRY, str(exc))
        halt = self._halts.get(direction)
        if halt is not None and halt.credential not in (None, target.credential):
            log.info("sync.resumed", direction=direction, reason="the till has a new credential")
            del self._halts[direction]
            halt = None
        if halt is not None:
            return _Blocked(Outcome.HALTED, halt.problem)
        return target

    async def _refused(
        self, answer: Unauthorized | UpgradeRequired, target: Target, **ctx: Any
    ) -> tuple[Outcome, str]:
        """Head office will not talk to this till as it is: stop both ways and say why."""
        if isinstance(answer, Unauthorized):
            problem = refused_credential(answer)
            return await self._halt(("push", "pull"), problem, target.credential, **ctx), problem
        problem = upgrade_needed(answer)
        return await self._halt(("push", "pull"), problem, None, **ctx), problem

    async def _halt(
        self,
        directions: tuple[Direction, ...],
        problem: str,
        credential: Credential | None,
        **ctx: Any,
    ) -> Outcome:
        for direction in directions:
            self._halts[direction] = _Halt(problem, credential)
        await self._db(self.book.record_problem, problem)
        log.error("sync.halted", directions=list(directions), problem=problem, **ctx)
        return Outcome.HALTED

    async def _pause(self, seconds: float) -> None:
        """Wait ``seconds``, or less if asked to stop meanwhile."""
        deadline = time.monotonic() + seconds
        while not self.stopping and (left := deadline - time.monotonic()) > 0:
            await asyncio.sleep(min(STOP_POLL_S, left))

    def _ask(self, http: aiohttp.ClientSession, target: Target, cursor: str) -> Asked:
        """Send a pull for the page after ``cursor``; its answer is awaited later."""
        request = CentralClient(http, target.url).pull(target.credential, cursor, MAX_PULL_PAGE)
        return Asked(target, cursor, self.clock(), asyncio.ensure_future(request))

    async def _db(self, fn: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._store_thread, partial(fn, *args, **kwargs))

    @asynccontextmanager
    async def _http(
        self, given: aiohttp.ClientSession | None = None
    ) -> AsyncIterator[aiohttp.ClientSession]:
        if given is not None:
            yield given
            return
        async with http_session(timeout_s=self.settings.request_timeout_s) as session:
            yield session


class _Patience:
    """How long one cycle keeps waiting out 'busy' answers before it gives up for now."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline: float | None = None

    def reset(self) -> None:
        self.deadline = None

    def allows(self, wait: float) -> bool:
        now = time.monotonic()
        if self.deadline is None:
            self.deadline = now + self.seconds
        return now + wait <= self.deadline

    def exhausted(self, doing: str) -> str:
        return (
            f"head office stayed busy for {self.seconds:g} s while {doing}; the till keeps "
            "everything and tries again shortly"
        )


def _locate(location: Path) -> tuple[Path, Path]:
    if location.suffix == ".sqlite":
        return location.parent, location
    return location, store_file(location)


def _open_store(data_dir: Path, path: Path) -> Store:
    try:
        upgrade_store(path, backup_dir=backup_dir(data_dir))
    except StoreError as exc:
        raise AgentError(str(exc)) from exc
    return Store.open(path)
