"""The till's status line: online or offline, what is waiting to be sent, the last sync and
how fresh the prices are.

It is fed only by the sync bridge: its latest status when the line is built, then its signal.
News marks the line stale and a short single-shot timer redraws it once (electrum's "needs
update" pattern), so a burst of agent cycles costs one redraw, and nothing here ever reads
the store or waits for the network.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from shared.gst import SINGAPORE
from till.sync.status import STAND_ALONE, SyncStatus
from till.ui.language import tr
from till.ui.look import set_role
from till.ui.sync_bridge import SyncBridge

REDRAW_AFTER_MS = 200
AGE_TICK_MS = 30_000  # the "oldest waiting" age moves on even when no news arrives


def waiting_age(seconds: float) -> str:
    s = int(seconds)
    if s < 60:
        return tr("under a minute")
    if s < 3600:
        return tr("{m} min").format(m=s // 60)
    if s < 48 * 3600:
        return tr("{h} h {m} min").format(h=s // 3600, m=s % 3600 // 60)
    return tr("{d} days").format(d=s // 86400)


def shop_time(moment: datetime | None, *, with_date: bool = False) -> str:
    if moment is None:
        return tr("never")
    return moment.astimezone(SINGAPORE).strftime("%d-%m %H:%M" if with_date else "%H:%M")


def describe(status: SyncStatus | None, now: datetime) -> dict[str, str]:
    """The words of each part of the status line."""
    if status is None:
        return {
            "connection": tr("Sync status not known yet"),
            "pending": "",
            "last": "",
            "prices": "",
        }
    pending = status.pending
    if status.mode == STAND_ALONE:
        # Not enrolled is no fault (the demo, a shop without head office); an enrolled till
        # whose agent could not start is, and the tooltip says why.
        return {
            "connection": (
                tr("Sync not started: see Diagnostics (Ctrl+Shift+D)")
                if status.enrolled
                else tr("Stand-alone (not connected to head office)")
            ),
            "pending": tr("{count} waiting to send").format(count=pending),
            "last": "",
            "prices": "",
        }
    if pending:
        oldest = status.oldest_pending_at
        age = (now - oldest).total_seconds() if oldest else 0.0
        waiting = tr("{count} waiting to send (oldest {age})").format(
            count=pending, age=waiting_age(max(0.0, age))
        )
    else:
        waiting = tr("Everything sent")
    connection = tr("Online") if status.online else tr("Offline")
    if status.halted:
        connection = tr("Sync stopped: see Diagnostics (Ctrl+Shift+D)")
    return {
        "connection": connection,
        "pending": waiting,
        "last": tr("Last sync {time}").format(time=shop_time(status.last_contact)),
        "prices": tr("Prices as of {time}").format(
            time=shop_time(status.prices_as_of, with_date=True)
        ),
    }


class SyncStatusBar(QStatusBar):
    def __init__(self, bridge: SyncBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("status_bar")
        self.setSizeGripEnabled(False)
        self.parts: dict[str, QLabel] = {}
        for name in ("connection", "pending", "last", "prices"):
            label = QLabel()
            label.setObjectName(f"status_{name}")
            label.setContentsMargins(8, 0, 8, 0)  # the parts are read as separate facts
            self.parts[name] = label
            self.addPermanentWidget(label)
        self._status: SyncStatus | None = bridge.latest()
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(REDRAW_AFTER_MS)
        self._redraw_timer.timeout.connect(self.redraw)
        self._age_timer = QTimer(self)
        self._age_timer.setInterval(AGE_TICK_MS)
        self._age_timer.timeout.connect(self.redraw)
        self._age_timer.start()
        bridge.status_changed.connect(self._news)
        self.redraw()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange and hasattr(self, "parts"):
            self.redraw()
        super().changeEvent(event)

    def _news(self, status: SyncStatus) -> None:
        self._status = status
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()

    def redraw(self) -> None:
        words = describe(self._status, datetime.now(UTC))
        for name, label in self.parts.items():
            label.setText(words[name])
            label.setVisible(bool(words[name]))
        status = self._status
        if status is not None and status.online:
            role: str | None = "ok"
        elif status is not None and status.enrolled:
            role = "error"  # enrolled, but not reaching head office
        else:
            role = None  # stand-alone or not known yet: nothing is wrong
        set_role(self.parts["connection"], role)
        problem = status.last_error if status is not None else None
        self.parts["connection"].setToolTip(problem or "")

    def text(self) -> str:
        """Everything the line says, as one string (for people reading logs and for tests)."""
        return "  ·  ".join(label.text() for label in self.parts.values() if label.text())
