"""Noticing a new sale in the till's store from another process, within a fifth of a second.

The till app nudges its own agent after every write with events; an agent running as its own
process (the installed service) hears nothing from the app. Instead it asks SQLite: ``PRAGMA
data_version`` on a connection of its own changes whenever any other connection has committed
to the store since it last asked (https://sqlite.org/pragma.html#pragma_data_version). The
question reads the WAL index only: no lock, no wait behind a writer, microseconds.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


class OutboxWatch:
    def __init__(self, store_path: Path) -> None:
        # Never creates the file, never changes its journal mode.
        self._db = sqlite3.connect(f"{store_path.resolve().as_uri()}?mode=rw", uri=True)
        self._seen = self._version()

    def _version(self) -> int:
        return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        """Whether anything was committed to the store since the last call."""
        try:
            now = self._version()
        except sqlite3.Error:
            return True  # cannot tell: looking costs one cheap push cycle
        changed, self._seen = now != self._seen, now
        return changed

    def close(self) -> None:
        self._db.close()
