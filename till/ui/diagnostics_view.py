"""The technician's view: versions, where the store is, the outbox and sync state, quarantined
events and recent problems, and the support bundle export.

Sync news arrives through the bridge's signal on the GUI thread; bursts are coalesced into one
redraw (a busy agent may report many times a second), and nothing here waits on the network.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QTimer, Signal, qVersion
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from shared.gst import SINGAPORE
from till.services.support import Diagnostics, diagnostics, export_support_bundle
from till.sync.status import AGENT, STAND_ALONE, SyncStatus
from till.ui.actions import problems_shown
from till.ui.context import UiContext
from till.ui.keys import action_button, paper_font
from till.ui.language import tr
from till.ui.look import set_role
from till.ui.sync_bridge import SyncBridge

REDRAW_AFTER_MS = 250


def short_path(path: Path | str) -> str:
    """A path with the home folder written as ~, as technicians read it."""
    text, home = str(path), str(Path.home())
    if home == "/" or not (text == home or text.startswith(home + "/")):
        return text
    return "~" + text[len(home) :]


def age(seconds: float | None) -> str:
    if seconds is None:
        return tr("none waiting")
    s = int(seconds)
    if s < 60:
        return tr("{s} s").format(s=s)
    if s < 3600:
        return tr("{m} min {s} s").format(m=s // 60, s=s % 60)
    return tr("{h} h {m} min").format(h=s // 3600, m=s % 3600 // 60)


def local_time(moment: datetime | str | None) -> str:
    """A moment (or an ISO text from a log line) in shop time, as a technician reads it."""
    if not moment:
        return tr("never")
    if isinstance(moment, str):
        try:
            return local_time(datetime.fromisoformat(moment))
        except ValueError:
            return moment
    return moment.astimezone(SINGAPORE).strftime("%d-%m-%Y %H:%M:%S")


class DiagnosticsView(QWidget):
    done = Signal()

    def __init__(self, ctx: UiContext, bridge: SyncBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.bridge = ctx, bridge
        self.setObjectName("diagnostics_view")
        self.shown: Diagnostics | None = None
        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, label in [
            ("till", tr("Till:")),
            ("versions", tr("Versions:")),
            ("store", tr("Store:")),
            ("sync", tr("Sync:")),
            ("contact", tr("Last contact:")),
            ("prices", tr("Prices as of:")),
            ("outbox", tr("Outbox:")),
            ("last_error", tr("Last sync error:")),
        ]:
            value = QLabel()
            value.setObjectName(f"diag_{key}")
            value.setWordWrap(True)
            form.addRow(label, value)
            self.fields[key] = value
        self.details = QPlainTextEdit()
        self.details.setObjectName("diag_details")
        self.details.setReadOnly(True)
        self.details.setFont(paper_font(10))
        self.destination = QLineEdit(short_path(Path.home()))
        self.destination.setObjectName("bundle_folder")
        self.destination.setToolTip(tr("A folder (e.g. a USB stick) or the zip file's full name"))
        self.message = QLabel()
        self.message.setObjectName("diag_message")
        self.message.setWordWrap(True)
        export = QHBoxLayout()
        export.addWidget(QLabel(tr("Save to:")))
        export.addWidget(self.destination, 1)
        export.addWidget(
            action_button(tr("Export support bundle"), "F2", self, self.export, "export_bundle")
        )
        buttons = QHBoxLayout()
        buttons.addWidget(action_button(tr("Read again"), "F5", self, self.refresh, "diag_refresh"))
        buttons.addStretch(1)
        buttons.addWidget(action_button(tr("Back to selling"), "Esc", self, self.done.emit, "back"))
        title = QLabel(tr("Diagnostics"))
        set_role(title, "heading")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(QLabel(tr("Quarantined events and recent problems:")))
        layout.addWidget(self.details, 1)
        layout.addLayout(export)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._redraw_soon = QTimer(self)
        self._redraw_soon.setSingleShot(True)
        self._redraw_soon.setInterval(REDRAW_AFTER_MS)
        self._redraw_soon.timeout.connect(self._redraw)
        bridge.status_changed.connect(self._sync_news)

    def refresh(self) -> None:
        """Read everything again from the store (called when the view is shown)."""
        with problems_shown(self):
            fresh = diagnostics(
                self.ctx.till.data_dir, self.ctx.till.store, now=self.ctx.till.clock()
            )
            # The store knows the outbox; only the running agent knows why it may be halted.
            latest = self.bridge.latest()
            self.shown = replace(
                fresh,
                status=fresh.status.but(
                    mode=latest.mode if latest and latest.mode else self.bridge.mode,
                    halted=latest.halted if latest else {},
                ),
            )
            self._redraw()
            # The status line shows the bridge's last reading, which may predate what was
            # written since (a refund, a stock document, a count started): hand it this one,
            # so the line's "waiting to send" and the outbox here are one figure, not two
            # readings seconds apart (a screenshot once showed 15 against 16).
            self.bridge.post(self.shown.status)
        self.destination.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)  # keys work only while the focus is inside this screen
        self.destination.setFocus()

    def _sync_news(self, status: SyncStatus) -> None:
        # Keep what only a fresh read knows (versions, problems) and take the agent's news.
        if self.shown is None:
            return  # never shown yet: refresh() reads everything when it is
        self.shown = replace(self.shown, status=status)
        if not self._redraw_soon.isActive():
            self._redraw_soon.start()

    def _redraw(self) -> None:
        if self.shown is None:
            return
        d, s = self.shown, self.shown.status
        v = d.versions
        self.fields["versions"].setText(
            f"SG-POS {v.get('app') or '?'} · store schema {v.get('store_revision') or '?'} · "
            f"Qt {qVersion()} (PySide6 {v.get('pyside6') or '?'}) · Python {v.get('python')}"
        )
        self.fields["store"].setText(short_path(d.store_path))
        enrolled = tr("enrolled with head office") if s.enrolled else tr("not enrolled")
        self.fields["till"].setText(
            tr("{till} · epoch {epoch} · {enrolled} · id {id}").format(
                till=s.till_code or "?",
                epoch=s.epoch or "?",
                enrolled=enrolled,
                id=s.till_id or "?",
            )
        )
        self.fields["sync"].setText(self._sync_words(s))
        self.fields["contact"].setText(
            tr("push {push} · pull {pull}").format(
                push=local_time(s.last_push_at), pull=local_time(s.last_pull_at)
            )
        )
        self.fields["prices"].setText(local_time(s.prices_as_of))
        self.fields["outbox"].setText(
            tr(
                "{count} events waiting · oldest {age} · acknowledged up to epoch {epoch} seq {seq}"
            ).format(
                count=s.pending,
                age=age(s.oldest_pending_age_s),
                epoch=s.acked_epoch,
                seq=s.acked_seq,
            )
        )
        self.fields["last_error"].setText(
            f"{s.last_error} ({local_time(s.last_error_at)})" if s.last_error else tr("none")
        )
        self.details.setPlainText("\n".join(self._detail_lines(d)))

    def _sync_words(self, s: SyncStatus) -> str:
        mode = s.mode or self.bridge.mode
        if mode == STAND_ALONE:
            why = self.bridge.problem or tr("no head office is configured")
            return tr("stand-alone: this till does not sync ({why})").format(why=why)
        state = tr("online") if s.online else tr("offline")
        how = tr("synced in this app") if mode == AGENT else tr("synced by the sync service")
        return f"{state} · {how} · {s.central_url or '?'}"

    @staticmethod
    def _detail_lines(d: Diagnostics) -> list[str]:
        s = d.status
        lines = [
            f"Quarantined events: {s.quarantined_count}"
            + (f" ({s.undecided_count} awaiting head office)" if s.quarantined_count else "")
        ]
        for q in s.quarantined:
            lines.append(f"  {q.kind} epoch {q.epoch} seq {q.seq}: {q.reason or '?'}")
            lines.append(f"    → {q.decision or 'awaiting a decision at head office'}")
        if s.halted:
            lines += ["", "Sync halted:"] + [f"  {k}: {v}" for k, v in s.halted.items()]
        problems = d.recent_problems
        lines += ["", f"Recent problems in the logs: {len(problems) or 'none'}"]
        lines += [
            f"  {local_time(p.get('at'))} {str(p.get('level')).upper()} {p.get('event')}"
            + (f": {p['error']}" if p.get("error") else "")
            for p in problems
        ]
        return lines

    def export(self) -> None:
        destination = Path(self.destination.text().strip() or "~").expanduser()
        self.message.clear()
        with problems_shown(self):
            bundle = export_support_bundle(
                self.ctx.till.data_dir, destination, now=self.ctx.till.clock()
            )
            self.message.setText(tr("Support bundle saved: {path}").format(path=short_path(bundle)))
