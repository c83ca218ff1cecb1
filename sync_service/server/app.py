"""The central sync server: enrolment, push, pull and health over HTTP (DESIGN.md §5, §6).

Handlers turn JSON into calls of ``sync_service.central`` and typed answers back; they keep no
state that matters between requests, so any number of instances can serve one database.
Database calls are blocking and run on a thread pool the size of the connection pool, never on
the event loop. Pushes are load-shed: past ``max_concurrent_pushes`` a push waits at most
``busy_wait_s`` for a slot, then gets a typed ``busy`` with a jittered ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import contextvars
import signal
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

import psycopg2
from aiohttp import web
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from structlog.contextvars import bind_contextvars, clear_contextvars, get_contextvars

from shared.logs import get_logger
from shared.protocol import (
    ACCEPTED_VERSIONS,
    MAX_BODY_BYTES,
    MAX_PULL_PAGE,
    PROTOCOL_VERSION,
    EnrolRequest,
    EventOutcome,
    Health,
    MasterEntity,
    MemberPointsRequest,
    PushOk,
    PushRequest,
    Rejected,
)
from shared.text import whole_number
from sync_service.central.db import CentralSettings, central_engine, database_error
from sync_service.central.decode import push_request
from sync_service.central.ingest import apply_push
from sync_service.central.points import member_points
from sync_service.central.pull import ON_REQUEST, BadCursor, pull_page
from sync_service.central.tills import (
    EnrolmentError,
    TillAuth,
    authenticate,
    enrol,
    mark_seen,
    retire_till,
    till_state,
)
from sync_service.server import metrics
from sync_service.server.dashboard import add_dashboard
from sync_service.server.guards import (
    body_protocol,
    parse,
    protocol_version,
    read_body,
    till_credential,
)
from sync_service.server.ops import add_operations, observe, request_id
from sync_service.server.replies import Refusal, hide_server_version, reply
from sync_service.server.throttle import FailureThrottle
from sync_service.server.workers import stop_if_orphaned

T = TypeVar("T")
Clock = Callable[[], datetime]

log = get_logger("sgpos.server")

ENROL_FAILURES_PER_MINUTE = 10
DEFAULT_PULL_PAGE = 1000
HEALTH_TIMEOUT_S = 2.0
MAX_ENROL_BODY = 16 * 1024
MAX_POINTS_BODY = 256 * 1024  # 5,000 member ids as JSON, with room


def utc_now() -> datetime:
    return datetime.now(UTC)


class SyncApi:
    """The four endpoints, sharing one engine, one thread pool and one push gate."""

    def __init__(
        self,
        settings: CentralSettings,
        engine: Engine,
        clock: Clock,
        enrol_failures_per_minute: int,
    ) -> None:
        self.settings, self.engine, self.clock = settings, engine, clock
        self.db = ThreadPoolExecutor(settings.db_pool_size, thread_name_prefix="sgpos-db")
        # Health has its own thread so a queue of pushes cannot make a healthy server look dead.
        self.health_db = ThreadPoolExecutor(1, thread_name_prefix="sgpos-health")
        self.push_slots = asyncio.Semaphore(settings.max_concurrent_pushes)
        self.enrol_failures = FailureThrottle(enrol_failures_per_minute)

    async def _db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        # In this request's logging context: what the database work logs names the request.
        context = contextvars.copy_context()
        return await loop.run_in_executor(self.db, partial(context.run, fn, *args, **kwargs))

    async def _till(self, request: web.Request) -> TillAuth:
        till_id, secret = till_credential(request)
        till = await self._db(authenticate, self.engine, till_id, secret)
        if till is None:
            raise Refusal.unauthorized()
        bind_contextvars(till_id=str(till.till_id))
        return till

    # --- POST /v1/enroll ------------------------------------------------------------------

    async def enroll(self, request: web.Request) -> web.Response:
        version = protocol_version(request)
        address = request.remote or "unknown"
        wait = self.enrol_failures.wait_s(address)
        if wait > 0:
            raise Refusal.busy(
                "too many failed enrolment attempts from this address; check the code and "
                "try again in a minute",
                status=429,
                retry_after=int(wait) + 1,
            )
        asked = parse(EnrolRequest, await read_body(request, MAX_ENROL_BODY))
        body_protocol(asked.protocol, version)
        try:
            ok = await self._db(enrol, self.engine, code=asked.code, now=self.clock())
        except EnrolmentError as exc:
            self.enrol_failures.record_failure(address)
            raise Refusal.rejected(400, str(exc)) from None
        bind_contextvars(till_id=str(ok.till_id))
        log.info(
            "till.enrolled",
            till_id=str(ok.till_id),
            outlet_code=ok.outlet_code,
            till_code=ok.till_code,
            hostname=asked.hostname,
            app_version=asked.app_version,
        )
        return reply(ok)

    # --- POST /v1/push --------------------------------------------------------------------

    async def push(self, request: web.Request) -> web.Response:
        version = protocol_version(request)
        till_credential(request)  # a malformed header is refused without touching the DB
        # The slot comes first: a push shed as 'busy' costs no database round trip at all,
        # and 'busy' tells an unauthenticated caller nothing.
        return await self._gated(partial(self._push_in_slot, request, version))

    async def _push_in_slot(self, request: web.Request, version: int) -> web.Response:
        till = await self._till(request)
        body = await read_body(request)
        # Decoding 500 events takes milliseconds: not on the loop, which keeps answering.
        batch = await self._db(push_body, body)
        body_protocol(batch.protocol, version)
        bind_contextvars(events=len(batch.events))
        result = await self._db(apply_push, self.engine, till, batch, now=self.clock())
        if isinstance(result, Rejected):
            raise Refusal(403, result)
        self._alarm(till, result)
        metrics.observe_push(result)
        return reply(result)

    async def _gated(self, work: Callable[[], Awaitable[T]]) -> T:
        try:
            async with asyncio.timeout(self.settings.busy_wait_s):
                await self.push_slots.acquire()
        except TimeoutError:
            raise Refusal.busy() from None
        try:
            return await work()
        finally:
            self.push_slots.release()

    def _alarm(self, till: TillAuth, result: PushOk) -> None:
        quarantined = [r for r in result.results if r.outcome is EventOutcome.QUARANTINED]
        if quarantined:
            log.warning(
                "push.alarm",
                till_id=str(till.till_id),
                quarantined=len(quarantined),
                conflicts=sum(1 for r in quarantined if (r.reason or "").startswith("conflict")),
                event_ids=[str(r.event_id) for r in quarantined[:10]],
            )

    # --- GET /v1/pull ---------------------------------------------------------------------

    async def pull(self, request: web.Request) -> web.Response:
        protocol_version(request)
        till = await self._till(request)
        cursor, limit = pull_query(request.query)
        extras = pull_extras(request.query)
        try:
            page = await self._db(pull_page, self.engine, till, cursor, limit, extras)
        except BadCursor as exc:
            raise Refusal.rejected(400, str(exc)) from None
        await self._db(mark_seen, self.engine, till.till_id, self.clock())
        bind_contextvars(changes=len(page.changes))
        return reply(page)

    # --- GET /v1/till/state, POST /v1/till/retire (the installer) ---------------------------

    async def till_state(self, request: web.Request) -> web.Response:
        """What head office holds from this till (a restore moves past it)."""
        protocol_version(request)
        till = await self._till(request)
        return reply(await self._db(till_state, self.engine, till, now=self.clock()))

    async def points(self, request: web.Request) -> web.Response:
        """Members' points as head office holds them, less the asking till's own entries (the
        till adds its own ledger): tills ask after each sync, and show that while offline."""
        protocol_version(request)
        till = await self._till(request)
        asked = parse(MemberPointsRequest, await read_body(request, MAX_POINTS_BODY))
        answer = await self._db(member_points, self.engine, till, asked.customer_ids, self.clock())
        return reply(answer)

    async def retire(self, request: web.Request) -> web.Response:
        """The till is being decommissioned: revoke it; its credential is refused from now."""
        protocol_version(request)
        till = await self._till(request)
        retired = await self._db(retire_till, self.engine, till.till_id, now=self.clock())
        log.info("till.retired", till_id=str(till.till_id), till_code=till.till_code)
        return reply(retired)

    # --- GET /v1/health -------------------------------------------------------------------

    async def health(self, request: web.Request) -> web.Response:
        """No credential and no protocol header: load balancers and monitors call this."""
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT_S):
                await loop.run_in_executor(self.health_db, self._ping)
            database_ok = True
        except (TimeoutError, SQLAlchemyError, OSError) as exc:
            log.warning("health.database_unreachable", error=database_error(exc))
            database_ok = False
        body = Health(
            status="ok" if database_ok else "degraded",
            protocol=PROTOCOL_VERSION,
            accepted_versions=sorted(ACCEPTED_VERSIONS),
            server_time=self.clock(),
            database="ok" if database_ok else "unreachable",
        )
        return reply(body, 200 if database_ok else 503)

    def _ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    async def close(self, _app: web.Application) -> None:
        self.db.shutdown(wait=True, cancel_futures=True)
        self.health_db.shutdown(wait=False, cancel_futures=True)


def push_body(body: bytes) -> PushRequest:
    return push_request(body) or parse(PushRequest, body)


def pull_query(query: Mapping[str, str]) -> tuple[str, int]:
    """``cursor`` (required, opaque) and ``limit`` (1..MAX_PULL_PAGE) from the query string."""
    unknown = sorted(set(query) - {"cursor", "limit", "with"})
    if unknown:
        raise Refusal.rejected(400, f"unknown query parameter {unknown[0][:40]!r}")
    cursor = query.get("cursor")
    if cursor is None or not cursor or len(cursor) > 100:
        raise Refusal.rejected(400, "cursor is required (at most 100 characters); start with 0")
    limit = whole_number(query.get("limit", str(DEFAULT_PULL_PAGE)))
    if limit is None or not 1 <= limit <= MAX_PULL_PAGE:
        raise Refusal.rejected(400, f"limit must be a whole number from 1 to {MAX_PULL_PAGE}")
    return cursor, limit


def pull_extras(query: Mapping[str, str]) -> frozenset[MasterEntity]:
    """``with``: entities a till asks for beyond those every till gets (comma-separated)."""
    asked = [w for w in query.get("with", "").split(",") if w]
    known = {e.value: e for e in ON_REQUEST}
    for word in asked:
        if word not in known:
            raise Refusal.rejected(400, f"with: {word[:40]!r} is not an entity sent on request")
    return frozenset(known[w] for w in asked)


@web.middleware
async def answer_typed(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Every outcome as a typed body, and one structured log line per request.

    Handlers bind what the line should carry (till, events) with structlog's context
    variables; aiohttp runs each request in its own task, so one request never sees another's.
    """
    started = time.perf_counter()
    clear_contextvars()
    bind_contextvars(request_id=request_id(request))
    try:
        response = await handler(request)
    except Refusal as refusal:
        response = refusal.response()
    except web.HTTPException as exc:  # the router's 404 and 405
        if exc.status < 400:
            raise
        unrouted = Refusal.rejected(exc.status, f"{request.method} {request.path}: {exc.reason}")
        unrouted.headers.update({k: v for k, v in exc.headers.items() if k == "Allow"})
        response = unrouted.response()
    except (OperationalError, PoolTimeout, psycopg2.OperationalError) as exc:
        log.warning("database.unavailable", path=request.path, error=database_error(exc))
        response = Refusal.busy("the central database is not answering; retry later").response()
    # A typed answer, with the traceback in the log, beats aiohttp's HTML page for a 500.
    except Exception:
        log.exception("request.failed", method=request.method, path=request.path)
        response = Refusal.failed(
            "head office failed on this request and stored nothing; it has logged why. The "
            "till keeps its events and tries again later"
        ).response()
    log.info(
        "request",
        method=request.method,
        route=_route(request),
        status=response.status,
        duration_ms=round((time.perf_counter() - started) * 1000, 1),
        client=request.remote,
        **get_contextvars(),
    )
    clear_contextvars()
    return response


def _route(request: web.Request) -> str:
    """The matched route, or the (shortened) path of a request that matched none."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else request.path[:100]


def make_app(
    settings: CentralSettings,
    engine: Engine,
    *,
    clock: Clock = utc_now,
    enrol_failures_per_minute: int = ENROL_FAILURES_PER_MINUTE,
) -> web.Application:
    """The server's routes over ``engine``. Serve it with :func:`make_runner` (see there)."""
    api = SyncApi(settings, engine, clock, enrol_failures_per_minute)
    app = web.Application(middlewares=[observe, answer_typed], client_max_size=MAX_BODY_BYTES)
    app.router.add_post("/v1/enroll", api.enroll)
    app.router.add_post("/v1/push", api.push)
    app.router.add_get("/v1/pull", api.pull, allow_head=False)
    app.router.add_get("/v1/health", api.health, allow_head=False)
    app.router.add_get("/v1/till/state", api.till_state, allow_head=False)
    app.router.add_post("/v1/till/retire", api.retire)
    app.router.add_post("/v1/points", api.points)
    app.on_cleanup.append(api.close)
    hide_server_version()
    add_dashboard(app, settings, engine, clock=clock)
    add_operations(app, engine, clock)
    return app


class ServerConfigError(ValueError):
    """Settings the server cannot start with; the message says which and what to do."""


def make_runner(app: web.Application) -> web.AppRunner:
    """The one way to serve the app: aiohttp's own request decompression is off because
    ``guards.read_body`` gunzips with a cap (older aiohttp inflated a gzip bomb whole), and
    aiohttp's access log is off because ``answer_typed`` logs every request once."""
    return web.AppRunner(app, auto_decompress=False, access_log=None, shutdown_timeout=15.0)


def ssl_context(settings: CentralSettings) -> ssl.SSLContext | None:
    """TLS when both a certificate and its key are configured; neither means plain HTTP."""
    if settings.tls_cert is None and settings.tls_key is None:
        return None
    if settings.tls_cert is None or settings.tls_key is None:
        raise ServerConfigError("set both tls_cert and tls_key for TLS, or neither for plain HTTP")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(settings.tls_cert, settings.tls_key)
    except (OSError, ssl.SSLError) as exc:
        raise ServerConfigError(
            f"cannot load the TLS certificate {settings.tls_cert} with key {settings.tls_key}: "
            f"{exc}; check both files exist, are readable and belong together"
        ) from None
    return context


def run(settings: CentralSettings, *, worker_of: int | None = None) -> None:
    """Serve until SIGTERM or SIGINT, then finish requests in flight and close the database.
    ``worker_of``: the pid of the ``serve --workers`` parent this process is one worker of."""
    asyncio.run(serve(settings, worker_of=worker_of))


async def serve(settings: CentralSettings, *, worker_of: int | None = None) -> None:
    tls = ssl_context(settings)
    engine = central_engine(
        settings.central_db_url.get_secret_value(), pool_size=settings.db_pool_size
    )
    runner = make_runner(make_app(settings, engine))
    try:
        await runner.setup()
        # Workers share the port (SO_REUSEPORT); a lone server keeps "address in use".
        site = web.TCPSite(
            runner,
            settings.host,
            settings.port,
            ssl_context=tls,
            reuse_port=True if worker_of is not None else None,
        )
        await site.start()
        log.info(
            "central.listening",
            host=settings.host,
            port=settings.port,
            tls=tls is not None,
            settings=settings.for_logging(),
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        # A worker whose parent is gone stops too (asyncio.run cancels the watch at the end).
        watch = None if worker_of is None else loop.create_task(stop_if_orphaned(worker_of, stop))
        await stop.wait()
        del watch
        log.info("central.stopping")
    finally:
        await runner.cleanup()
        engine.dispose()
        log.info("central.stopped")
