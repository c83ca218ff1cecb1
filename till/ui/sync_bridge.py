"""The till's sync news, brought to the GUI thread as a Qt signal.

``till.app`` starts the sync (``till.sync.in_app``) and hands it :meth:`SyncBridge.post`. The
agent runs on a thread of its own (or in a separate service process) and never touches Qt; it
calls ``post`` from its thread, and the bridge re-emits the typed, immutable
:class:`~till.sync.status.SyncStatus` on the GUI thread through a queued connection (electrum's
``QtEventListener`` idea). Nothing here waits for the network.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal

from till.sync.in_app import Syncing
from till.sync.status import STAND_ALONE, Mode, SyncStatus


class SyncBridge(QObject):
    status_changed = Signal(SyncStatus)
    # Emitted from any thread; connected queued, so the slot always runs on the GUI thread.
    _arrived = Signal(SyncStatus)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.syncing: Syncing | None = None
        self._latest: SyncStatus | None = None
        self._arrived.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def mode(self) -> Mode:
        return self.syncing.mode if self.syncing is not None else STAND_ALONE

    @property
    def problem(self) -> str | None:
        """Why the till runs stand-alone when it should not."""
        return self.syncing.problem if self.syncing is not None else None

    def latest(self) -> SyncStatus | None:
        return self._latest

    def post(self, status: SyncStatus) -> None:
        """Hand over a status from any thread (the sync's ``on_status``)."""
        if self._latest is None:
            # The first one is posted on the GUI thread while the app starts: latest at once,
            # so a window built right after never shows "not known yet"; the news still follows.
            self._latest = status
        self._arrived.emit(status)

    def stop(self) -> None:
        if self.syncing is not None:
            self.syncing.stop()

    def _deliver(self, status: SyncStatus) -> None:
        self._latest = status
        self.status_changed.emit(status)
