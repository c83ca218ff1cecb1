"""Work that falls due while nobody is looking, done by the server every minute.

- Scheduled prices: on start-up every product is looked at (a server that was down over a
  price change catches up); after that each run looks only at prices that started since the
  previous run, less a margin. Applying a price is idempotent (see ``apply_due_prices``), so
  several servers may run this at once.
- Audit chains behind their head (all of them right after the upgrade to revision 0003) are
  re-hashed a batch at a time (``audit_chains.catch_up``) until each is verified to its head or
  stops at a broken link, so an audit page view never has a year to re-hash.
- The end-of-day summary e-mails (``sync_service.server.daily_mail``), when configured.
"""

from __future__ import annotations

import asyncio
import contextlib
import smtplib
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from datetime import date, datetime, timedelta
from functools import partial

from aiohttp import web
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from shared.logs import get_logger
from sync_service.central.admin.prices import apply_due_prices, schedule_margin
from sync_service.central.audit_chains import catch_up
from sync_service.central.points import business_today, expire_points

log = get_logger("sgpos.dashboard.housekeeping")
EVERY = timedelta(minutes=1)  # a price set for 09:00 is on the tills by about 09:01 + their pull


async def run_housekeeping(
    engine: Engine,
    clock: Callable[[], datetime],
    pool: Executor,
    every: timedelta = EVERY,
    daily: Callable[[datetime], object] | None = None,
) -> None:
    """Apply due prices and catch audit chains up, now and then every ``every``, until
    cancelled. Chain catch-up stops for the run after half of ``every`` so prices stay on time;
    each batch is its own call into ``pool``, so pages are served in between."""
    loop = asyncio.get_running_loop()
    since: datetime | None = None
    expired_for: date | None = None
    while True:
        now = clock()
        try:
            await loop.run_in_executor(pool, partial(apply_due_prices, engine, now, since=since))
            today = business_today(now)
            if expired_for != today:  # once a Singapore day: lapsed points (idempotent anyway)
                await loop.run_in_executor(pool, expire_points, engine, today, now)
                expired_for = today
            since = now - schedule_margin(every)
            stop_at = time.monotonic() + every.total_seconds() / 2
            while await loop.run_in_executor(pool, catch_up, engine):
                if time.monotonic() > stop_at:
                    break
            if daily is not None:  # the end-of-day e-mails, once the hour has come
                await loop.run_in_executor(pool, daily, now)
        except (SQLAlchemyError, OSError, smtplib.SMTPException) as exc:
            # The database may be briefly away; the next run catches up (since stays put).
            log.warning("housekeeping.failed", error=type(exc).__name__)
        except Exception:
            # Anything else is a bug, but dead housekeeping would silently stop every price
            # change: log it loudly and keep going.
            log.exception("housekeeping.crashed")
        await asyncio.sleep(every.total_seconds())


def add_housekeeping(
    app: web.Application,
    engine: Engine,
    clock: Callable[[], datetime],
    pool: Executor,
    every: timedelta = EVERY,
    daily: Callable[[datetime], object] | None = None,
) -> None:
    """Run housekeeping for as long as ``app`` runs."""

    async def running(_app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(run_housekeeping(engine, clock, pool, every, daily))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.cleanup_ctx.append(running)
