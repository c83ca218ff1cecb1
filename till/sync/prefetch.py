"""Asking head office for the next pull page while the till applies the current one.

An initial load is ~40 pages; fetched and applied one after the other, the till's store waited
for head office's query, the transfer and the parse, and head office waited for the till's
write. Asking for page N+1 as soon as page N has arrived overlaps the two. Nothing about
applying changes: pages are still applied one at a time, in order, each with its cursor in one
transaction. A page fetched ahead is used only if the stored cursor is the one it was asked
from (so page N was applied) and the till still talks to the same head office with the same
credential; otherwise it is dropped unread.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from shared.protocol import PullPage
from till.sync.bookkeeping import Target
from till.sync.client import ErrorAnswer

PullRequest = asyncio.Future[PullPage | ErrorAnswer]


@dataclass(frozen=True)
class Asked:
    """A pull on its way: who asked, from which cursor, when (the page's "as of" time)."""

    target: Target
    cursor: str
    asked_at: datetime
    answer: PullRequest

    def serves(self, target: Target, cursor: str) -> bool:
        return self.target == target and self.cursor == cursor


def drop(asked: Asked | None) -> None:
    """Abandon a request nobody will read: cancel it, and retrieve whatever it ended with so
    a failure (head office gone offline meanwhile) is not reported as never retrieved."""
    if asked is None:
        return
    if asked.answer.done():
        _retrieve(asked.answer)  # now: the event loop may be closing, its callbacks unrun
        return
    asked.answer.cancel()
    asked.answer.add_done_callback(_retrieve)


def _retrieve(answer: PullRequest) -> None:
    if not answer.cancelled():
        answer.exception()
