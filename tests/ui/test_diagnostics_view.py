"""The technician's diagnostics view: what it shows and the support bundle it exports."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Iterator
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from tests.ui.backoffice import Shop, keys, open_shop, press, sell, show
from till.store.migrate import head_revision
from till.store.models import OutboxEvent, QuarantineOutcome, SyncState
from till.store.outbox import sync_state
from till.store.uow import UnitOfWork
from till.sync.credentials import write_secret
from till.sync.in_app import Syncing
from till.sync.status import AGENT, STAND_ALONE, sync_status
from till.ui.diagnostics_view import DiagnosticsView
from till.ui.status_bar import SyncStatusBar
from till.ui.sync_bridge import SyncBridge

D = Decimal
SECRET = "never-in-a-bundle-9f8e7d6c5b4a"


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    s = open_shop(tmp_path / "till")
    s.till.shifts.open_shift(s.demo.cashier, D("100.00"))
    sell(s, 2)
    write_secret(s.till.data_dir, SECRET)
    yield s
    s.till.close()


@pytest.fixture
def view(qtbot: QtBot, shop: Shop) -> DiagnosticsView:
    v = DiagnosticsView(shop.ctx, SyncBridge())
    show(qtbot, v)
    v.refresh()
    return v


def label(view: DiagnosticsView, key: str) -> str:
    widget = view.findChild(QLabel, f"diag_{key}")
    assert widget is not None, key
    return widget.text()


def unacknowledged(shop: Shop) -> int:
    """Outbox rows after head office's acknowledged mark, counted here by (epoch, seq)."""
    with shop.till.store.read() as s:
        state = s.get(SyncState, 1)
        mark = (state.acked_epoch, state.acked_seq) if state else (0, 0)
        keys = s.execute(select(OutboxEvent.epoch, OutboxEvent.seq)).all()
    return sum(1 for key in keys if tuple(key) > mark)


def test_shows_versions_store_and_outbox(shop: Shop, view: DiagnosticsView) -> None:
    waiting = unacknowledged(shop)
    assert waiting > 0
    assert f"{waiting} events waiting" in label(view, "outbox")
    assert "acknowledged up to epoch 0 seq 0" in label(view, "outbox")
    assert "SG-POS 0.1.0" in label(view, "versions") and "Python 3." in label(view, "versions")
    assert f"store schema {head_revision()} " in label(view, "versions")
    assert label(view, "store").endswith("till.sqlite")
    assert label(view, "sync") == (
        "stand-alone: this till does not sync (no head office is configured)"
    )
    assert label(view, "till").startswith("T01 · epoch 1 · not enrolled")
    assert "Quarantined events: 0" in view.details.toPlainText()


def test_quarantined_events_and_logged_problems_are_listed(
    qtbot: QtBot, shop: Shop, view: DiagnosticsView
) -> None:
    with UnitOfWork(shop.till.store) as uow:
        first = uow.session.scalars(select(OutboxEvent).order_by(OutboxEvent.seq)).first()
        assert first is not None
        first.outcome, first.outcome_reason = "quarantined", "unknown product in sale line 2"
        uow.commit()
    logs = shop.till.data_dir / "logs"
    logs.mkdir()
    (logs / "till.log").write_text(
        json.dumps({"timestamp": "2025-03-01T02:00:00Z", "level": "info", "event": "ok"})
        + "\n"
        + json.dumps(
            {
                "timestamp": "2025-03-01T02:05:00Z",
                "level": "error",
                "event": "ui.unhandled_exception",
                "error": "KeyError: 'x'",
            }
        )
        + "\n"
    )
    press(qtbot, view.destination, Qt.Key.Key_F5)  # read again
    details = view.details.toPlainText()
    assert "Quarantined events: 1" in details
    assert f"{first.kind} epoch 1 seq {first.seq}: unknown product in sale line 2" in details
    assert "Recent problems in the logs: 1" in details
    assert "01-03-2025 10:05:00 ERROR ui.unhandled_exception: KeyError: 'x'" in details


def test_sync_news_from_the_bridge_is_shown_coalesced(qtbot: QtBot, shop: Shop) -> None:
    bridge = SyncBridge()
    bridge.syncing = Syncing(AGENT)  # as if enrolled, with the agent on its thread
    view = DiagnosticsView(shop.ctx, bridge)
    show(qtbot, view)
    view.refresh()
    assert view.shown is not None
    base = view.shown.status
    redraws: list[int] = []
    view._redraw_soon.timeout.connect(lambda: redraws.append(1))
    halted = {"push": "head office refused this till: enrol it again"}
    for n in range(5):  # a burst, as a busy agent reports
        bridge.post(
            base.but(
                pending=100 + n,
                online=True,
                central_url="https://hq.example",
                halted=halted if n == 4 else {},
            )
        )
    qtbot.waitUntil(lambda: "104 events waiting" in label(view, "outbox"))
    assert label(view, "sync") == "online · synced in this app · https://hq.example"
    assert len(redraws) == 1  # five reports, one redraw
    assert "Sync halted:\n  push: head office refused this till" in view.details.toPlainText()


def test_outbox_and_status_line_count_the_same_events(qtbot: QtBot, shop: Shop) -> None:
    """The status line and the diagnostics' outbox say the same number: the events head office
    has not acknowledged, from one reading. Head office acknowledged the first three; a sale
    rung since (nobody nudged the sync) is counted on both as soon as the view is read."""
    with UnitOfWork(shop.till.store) as uow:
        third = uow.session.scalars(select(OutboxEvent).order_by(OutboxEvent.seq)).all()[2]
        state = sync_state(uow.session)
        state.acked_epoch, state.acked_seq = third.epoch, third.seq
        uow.commit()
    bridge = SyncBridge()
    # What a stand-alone till's sync posts first when it starts: the status line's first figure.
    first = sync_status(shop.till.store, shop.till.data_dir, now=shop.till.clock())
    bridge.post(first.but(mode=STAND_ALONE))
    line = SyncStatusBar(bridge)
    show(qtbot, line)
    before = unacknowledged(shop)
    assert line.parts["pending"].text() == f"{before} waiting to send"
    sell(shop, 1)  # more events, acknowledged by nobody yet
    waiting = unacknowledged(shop)
    assert waiting > before

    view = DiagnosticsView(shop.ctx, bridge)
    show(qtbot, view)
    view.refresh()  # as the window does when Ctrl+Shift+D opens it
    assert f"{waiting} events waiting" in label(view, "outbox")
    assert f"acknowledged up to epoch {third.epoch} seq {third.seq}" in label(view, "outbox")
    qtbot.waitUntil(lambda: line.parts["pending"].text() == f"{waiting} waiting to send")

    sell(shop, 1)
    press(qtbot, view.destination, Qt.Key.Key_F5)  # read again: both move together
    waiting = unacknowledged(shop)
    assert f"{waiting} events waiting" in label(view, "outbox")
    qtbot.waitUntil(lambda: line.parts["pending"].text() == f"{waiting} waiting to send")


def test_export_support_bundle(
    qtbot: QtBot, shop: Shop, view: DiagnosticsView, tmp_path: Path
) -> None:
    usb = tmp_path / "usb stick"
    usb.mkdir()
    view.destination.clear()
    keys(qtbot, view.destination, str(usb))
    press(qtbot, view.destination, Qt.Key.Key_F2)
    bundles = list(usb.glob("*.zip"))
    assert len(bundles) == 1
    assert label(view, "message") == f"Support bundle saved: {bundles[0]}"
    with zipfile.ZipFile(bundles[0]) as z:
        names = set(z.namelist())
        assert names == {"till.sqlite", "status.json"}  # no logs folder yet
        assert all(SECRET.encode() not in z.read(n) for n in names)
        status = json.loads(z.read("status.json"))
        (tmp_path / "copy.sqlite").write_bytes(z.read("till.sqlite"))
    assert status["pending"] == unacknowledged(shop)
    with closing(sqlite3.connect(tmp_path / "copy.sqlite")) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("SELECT count(*) FROM sale").fetchone() == (1,)


def test_export_to_a_missing_folder_says_so(
    qtbot: QtBot, view: DiagnosticsView, tmp_path: Path
) -> None:
    view.destination.setText(str(tmp_path / "no such stick" / "bundle.zip"))
    press(qtbot, view.destination, Qt.Key.Key_F2)
    box = view.findChild(QMessageBox, "problem")
    assert box is not None and "does not exist; choose an existing folder" in box.text()
    assert label(view, "message") == ""


def test_head_office_decisions_are_shown_beside_each_quarantined_event(
    qtbot: QtBot, shop: Shop, view: DiagnosticsView
) -> None:
    """Two events set aside: one head office accepted under a new number (as the pull stores
    it), one still awaiting a decision; F5 reads them again."""
    with UnitOfWork(shop.till.store) as uow:
        first, second = uow.session.scalars(select(OutboxEvent).order_by(OutboxEvent.seq)).all()[:2]
        for event in (first, second):
            event.outcome, event.outcome_reason = "quarantined", "conflict: receipt reused"
        uow.session.add(
            QuarantineOutcome(
                event_id=first.event_id,
                epoch=first.epoch,
                seq=first.seq,
                outcome="accepted",
                reason="accepted as receipt ORC-T01-000001-R1",
                receipt_no="ORC-T01-000001-R1",
                decided_at="2025-03-01T02:00:00+00:00",
            )
        )
        uow.commit()
    press(qtbot, view.destination, Qt.Key.Key_F5)
    details = view.details.toPlainText()
    assert "Quarantined events: 2 (1 awaiting head office)" in details
    assert "→ accepted by head office as receipt ORC-T01-000001-R1" in details
    assert "→ awaiting a decision at head office" in details
