"""The new till's first pull: head office's outlet settings, staff and catalogue, with progress.

The same pages, cursor and bookkeeping as the sync agent (``SyncBook.apply_page``: a page and
its cursor commit together), driven here page by page so the technician sees it move. A cut
half-way resumes at the next page when the installer (or the agent) runs again.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from installer.report import Advance
from installer.steps import StepFailed
from shared.protocol import (
    MAX_PULL_PAGE,
    Busy,
    Failed,
    PullPage,
    Rejected,
    Unauthorized,
    UpgradeRequired,
)
from till.store.master import MasterDataError
from till.store.models import Outlet, Product, Staff
from till.sync.agent import SyncAgent
from till.sync.bookkeeping import CursorMoved, NotEnrolled
from till.sync.client import CentralClient, Offline, TooLarge, http_session
from till.sync.lock import AgentAlreadyRunning
from till.sync.settings import AgentSettings

BUSY_RETRIES = 5


@dataclass(frozen=True)
class Loaded:
    changes: int
    products: int
    staff: int
    outlet: str


def initial_load(data_dir: Path, settings: AgentSettings, advance: Advance) -> Loaded:
    try:
        agent = SyncAgent(data_dir, settings)
    except AgentAlreadyRunning:
        # The service (installed by an earlier run) is already doing exactly this.
        raise StepFailed(
            "the sync agent service is already running and loading the catalogue",
            "wait a minute and run 'sgpos-install doctor', or stop the service and run again",
        ) from None
    with agent:
        changes = asyncio.run(_pull_all(agent, advance))
        with agent.store.read() as s:
            products = s.scalar(select(func.count()).select_from(Product)) or 0
            staff = s.scalar(select(func.count()).select_from(Staff)) or 0
            outlet = s.scalars(select(Outlet.code)).first()
    if outlet is None:
        raise StepFailed(
            "head office sent no outlet settings for this till, so it cannot sell yet",
            "ask head office to check the till's outlet, then run the same command again",
        )
    return Loaded(changes, products, staff, outlet)


async def _pull_all(agent: SyncAgent, advance: Advance) -> int:
    try:
        target = agent.check_enrolled()
    except NotEnrolled as exc:
        raise StepFailed(str(exc)) from None
    changes, busy = 0, 0
    async with http_session(timeout_s=agent.settings.request_timeout_s) as http:
        client = CentralClient(http, target.url)
        while True:
            cursor = agent.book.cursor()
            asked_at = datetime.now(UTC)
            try:
                answer = await client.pull(target.credential, cursor, MAX_PULL_PAGE)
            except (Offline, TooLarge) as exc:
                raise StepFailed(
                    f"the catalogue stopped loading: {exc}",
                    "check the network and run the same command again; it carries on where it "
                    "stopped and needs no new code",
                ) from None
            match answer:
                case PullPage():
                    try:
                        agent.book.apply_page(cursor, answer, asked_at=asked_at)
                    except (MasterDataError, CursorMoved) as exc:
                        raise StepFailed(
                            f"a page of head office's data could not be stored: {exc}",
                            "run the same command again; if it repeats, call support",
                        ) from None
                    changes += len(answer.changes)
                    advance(len(answer.changes))
                    if not answer.has_more:
                        return changes
                case Busy(retry_after=wait) if busy < BUSY_RETRIES:
                    busy += 1
                    await asyncio.sleep(wait)
                case Busy():
                    raise StepFailed(
                        "head office stayed busy", "run the same command again in a few minutes"
                    )
                case Failed(message=message):
                    raise StepFailed(
                        f"head office failed while sending the catalogue: {message}",
                        "run the same command again in a minute; it carries on where it stopped",
                    )
                case Unauthorized(message=message) | UpgradeRequired(message=message):
                    raise StepFailed(f"head office refused the load: {message}")
                case Rejected(message=message):
                    raise StepFailed(f"head office refused the load: {message}", "call support")
