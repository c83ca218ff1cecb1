"""Pausing Python's cycle collector while one bulk step builds many short-lived objects.

A pull page is 5,000 changes: parsing, building and applying one creates tens of thousands of
dicts and models that live until the page is done. The collector counts them as survivors and
runs full collections over the whole process heap (the app's modules, SQLAlchemy, pydantic,
~100,000 objects) every page or two: measured at 1.5-2 s of a 100,000-product initial load,
on the till and on head office alike. Nothing the step creates forms a cycle that needs the
collector (reference counting frees it all once the page is dropped), so collection simply
waits until the step ends; collection is then enabled again and catches up on its own.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Collection off for the block, then back on. Process-wide, so only short bulk steps use
    it. Safe across threads: only the block that found collection on turns it back on, and a
    block that found it off (another thread's block, or a caller who disabled it) leaves it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
