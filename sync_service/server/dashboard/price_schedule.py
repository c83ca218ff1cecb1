"""Scheduled prices fall due while nobody is looking: the server applies them every minute.

On start-up it looks at every product (a server that was down over a price change catches up);
after that each run looks only at prices that started since the previous run, less a margin.
Several servers may run it at once: applying a price is idempotent (see ``apply_due_prices``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from datetime import datetime, timedelta
from functools import partial

from aiohttp import web
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from shared.logs import get_logger
from sync_service.central.admin.prices import apply_due_prices, schedule_margin

log = get_logger("sgpos.dashboard.prices")
EVERY = timedelta(minutes=1)  # a price set for 09:00 is on the tills by about 09:01 + their pull


async def run_price_schedule(
    engine: Engine, clock: Callable[[], datetime], pool: Executor, every: timedelta = EVERY
) -> None:
    """Apply due prices now and then every ``every`` until cancelled."""
    loop = asyncio.get_running_loop()
    since: datetime | None = None
    while True:
        now = clock()
        try:
            await loop.run_in_executor(pool, partial(apply_due_prices, engine, now, since=since))
            since = now - schedule_margin(every)
        except (SQLAlchemyError, OSError) as exc:
            # The database may be briefly away; the next run catches up (since stays put).
            log.warning("price_schedule.failed", error=type(exc).__name__)
        except Exception:
            # Anything else is a bug, but a dead schedule would silently stop every price
            # change: log it loudly and keep going.
            log.exception("price_schedule.crashed")
        await asyncio.sleep(every.total_seconds())


def add_price_schedule(
    app: web.Application,
    engine: Engine,
    clock: Callable[[], datetime],
    pool: Executor,
    every: timedelta = EVERY,
) -> None:
    """Run the schedule for as long as ``app`` runs."""

    async def running(_app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(run_price_schedule(engine, clock, pool, every))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.cleanup_ctx.append(running)
