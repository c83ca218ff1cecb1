"""What whoever runs head office's server watches: liveness, readiness, metrics, request ids.

- ``GET /healthz``: the process answers (no database); for a supervisor's "restart it?".
- ``GET /readyz``: the database answers a short statement in time; 503 with the reason when
  not, for a load balancer's "send it traffic?". ``/v1/health`` (what tills and the installer
  call) is unchanged.
- ``GET /metrics``: Prometheus text (``sync_service.server.metrics``). Not for the internet:
  the reverse proxy in docs/operations.md forwards only ``/v1/`` and ``/ho/``.
- Every request gets an id (the proxy's ``X-Request-ID`` when it sent a sane one), bound to
  every log line of that request and echoed in the response's ``X-Request-ID``.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from shared.logs import get_logger
from sync_service.central.db import database_error
from sync_service.server import metrics

log = get_logger("sgpos.server")

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = web.RequestKey("sgpos_request_id", str)
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
READY_TIMEOUT_S = 2.0
READY_STATEMENT_TIMEOUT_MS = 1000
_OPS_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})


def request_id(request: web.Request) -> str:
    """This request's id: the proxy's, when it sent a sane one, else a new one."""
    if _REQUEST_ID in request:
        return request[_REQUEST_ID]
    given = request.headers.get(REQUEST_ID_HEADER, "")
    rid = given if _SANE_ID.fullmatch(given) else uuid.uuid4().hex
    request[_REQUEST_ID] = rid
    return rid


@web.middleware
async def observe(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Counts and times every request (outside the typed-answer middleware, so it sees the
    final status) and echoes its id."""
    started = time.perf_counter()
    rid = request_id(request)
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # a redirect, raised through the typed answers
        _count(request, exc, started)
        exc.headers[REQUEST_ID_HEADER] = rid
        raise
    _count(request, response, started)
    if not response.prepared:
        response.headers[REQUEST_ID_HEADER] = rid
    return response


def _count(request: web.Request, response: web.StreamResponse, started: float) -> None:
    route = _route(request)
    if route not in _OPS_ROUTES:
        metrics.observe_request(
            route,
            request.method,
            response.status,
            time.perf_counter() - started,
            busy=response.status in (429, 503) and "Retry-After" in response.headers,
        )


def _route(request: web.Request) -> str:
    """The matched route; one label for everything unmatched (no label per scanned path)."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "(unmatched)"


class Operations:
    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine, self.clock = engine, clock
        # Its own threads: a queue of pushes must not make a live server look dead or unready.
        self.pool = ThreadPoolExecutor(2, thread_name_prefix="sgpos-ops")

    async def healthz(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def readyz(self, _request: web.Request) -> web.Response:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(READY_TIMEOUT_S):
                await loop.run_in_executor(self.pool, self._check_database)
        except TimeoutError:
            return self._not_ready(f"the database did not answer within {READY_TIMEOUT_S:g} s")
        except (SQLAlchemyError, OSError) as exc:
            return self._not_ready(f"the database cannot be used: {database_error(exc)}")
        return web.json_response({"status": "ready"})

    def _not_ready(self, reason: str) -> web.Response:
        log.warning("readyz.not_ready", reason=reason)
        return web.json_response({"status": "not ready", "reason": reason}, status=503)

    def _check_database(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(f"SET LOCAL statement_timeout = {READY_STATEMENT_TIMEOUT_MS}"))
            # The schema, not just the server: a database restored without it is not ready.
            conn.execute(text("SELECT 1 FROM sgpos.alembic_version"))

    async def metrics(self, _request: web.Request) -> web.Response:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(READY_TIMEOUT_S * 2):
                body = await loop.run_in_executor(
                    self.pool, metrics.exposition, self.engine, self.clock()
                )
        except (TimeoutError, SQLAlchemyError, OSError) as exc:
            reason = "timed out" if isinstance(exc, TimeoutError) else database_error(exc)
            log.warning("metrics.unavailable", reason=reason)
            return web.Response(status=503, text=f"metrics unavailable: {reason}\n")
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def close(self, _app: web.Application) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def add_operations(app: web.Application, engine: Engine, clock: Callable[[], datetime]) -> None:
    ops = Operations(engine, clock)
    app.router.add_get("/healthz", ops.healthz, allow_head=False)
    app.router.add_get("/readyz", ops.readyz, allow_head=False)
    app.router.add_get("/metrics", ops.metrics, allow_head=False)
    app.on_cleanup.append(ops.close)
