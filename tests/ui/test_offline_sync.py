"""Selling while head office cannot be reached: the sale completes at once and the status line
says offline with what is waiting. Also the stand-alone and separate-service cases."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from tests.tills import DemoTill
from tests.ui.offline_helpers import closed_port
from tests.ui.selling import Till, press, running_till, sign_in, type_in
from till.store.models import OutboxEvent, Sale, TillIdentity
from till.store.uow import UnitOfWork
from till.sync.credentials import write_secret
from till.sync.lock import AgentLock
from till.sync.settings import AgentSettings
from till.sync.status import AGENT, SERVICE, STAND_ALONE
from till.ui.sync_bridge import SyncBridge

# Quick cycles so the test sees the agent's answers soon; no timing is asserted.
FAST = AgentSettings(
    push_interval_s=0.2,
    pull_interval_s=0.5,
    request_timeout_s=2,
    backoff_base_s=0.1,
    backoff_max_s=0.3,
)


def closed_port_url() -> str:
    return f"http://127.0.0.1:{closed_port()}"


def enrol_offline(demo: DemoTill, url: str) -> None:
    """What a successful enrolment leaves behind, pointing at ``url``."""
    write_secret(demo.till.data_dir, f"test-secret-{uuid.uuid4().hex}")
    with UnitOfWork(demo.till.store) as uow:
        uow.session.execute(
            update(TillIdentity).values(central_url=url, enrolled_at=datetime.now(UTC))
        )
        uow.commit()


def ring_cash_sale(qtbot: QtBot, till: Till) -> None:
    sign_in(qtbot, till)
    sell = till.window.sell
    for code in till.barcodes(3):
        type_in(qtbot, sell.entry, code)
    press(qtbot, sell.entry, Qt.Key.Key_F10)
    type_in(qtbot, till.window.payment.entry, "")  # exact cash


def test_offline_sale_completes_and_status_says_offline_with_pending(
    qtbot: QtBot, tmp_path: Path
) -> None:
    def start(bridge: SyncBridge, demo: DemoTill) -> None:
        enrol_offline(demo, closed_port_url())
        bridge.syncing = demo.till.start_sync(FAST, bridge.post)

    with running_till(qtbot, tmp_path / "till", start_sync=start) as till:
        assert till.bridge.mode == AGENT
        ring_cash_sale(qtbot, till)
        # Committed by the time Enter returned: nothing waited for head office.
        assert till.count(Sale) == 1
        assert "done" in till.window.sell.message.text()

        waiting = till.count(OutboxEvent)
        status = till.window.status
        qtbot.waitUntil(lambda: f"{waiting} waiting to send" in status.text(), timeout=15_000)
        assert status.parts["connection"].text() == "Offline"
        assert "127.0.0.1" in status.parts["connection"].toolTip()  # why, for a technician
        latest = till.bridge.latest()
        assert latest is not None and latest.pending == waiting and not latest.online

        # And the next sale is just as quick.
        type_in(qtbot, till.window.sell.entry, till.barcodes(1)[0])
        press(qtbot, till.window.sell.entry, Qt.Key.Key_F10)
        type_in(qtbot, till.window.payment.entry, "")
        assert till.count(Sale) == 2


def test_a_till_that_is_not_enrolled_runs_stand_alone(qtbot: QtBot, tmp_path: Path) -> None:
    def start(bridge: SyncBridge, demo: DemoTill) -> None:
        bridge.syncing = demo.till.start_sync(FAST, bridge.post)

    with running_till(qtbot, tmp_path / "till", start_sync=start) as till:
        assert till.bridge.mode == STAND_ALONE
        status = till.window.status
        # Known from the first look, in calm words and without the alarm colour.
        before = till.count(OutboxEvent)
        assert status.text() == (
            f"Stand-alone (not connected to head office)  ·  {before} waiting to send"
        )
        assert "#b00020" not in status.parts["connection"].styleSheet()
        ring_cash_sale(qtbot, till)
        assert till.count(Sale) == 1
        # What the sale queued is counted too, though nothing will send it.
        after = till.count(OutboxEvent)
        assert after > before
        qtbot.waitUntil(lambda: f"  ·  {after} waiting to send" in status.text())


def test_with_the_agent_service_running_the_till_watches_the_store(
    qtbot: QtBot, tmp_path: Path
) -> None:
    service_lock: list[AgentLock] = []

    def start(bridge: SyncBridge, demo: DemoTill) -> None:
        enrol_offline(demo, closed_port_url())
        # The installed headless agent holds the lock: the app must not start a second one.
        service_lock.append(AgentLock.acquire(demo.till.data_dir))
        bridge.syncing = demo.till.start_sync(FAST, bridge.post, watch_every_s=0.2)

    try:
        with running_till(qtbot, tmp_path / "till", start_sync=start) as till:
            assert till.bridge.mode == SERVICE
            ring_cash_sale(qtbot, till)
            waiting = till.count(OutboxEvent)
            status = till.window.status
            qtbot.waitUntil(lambda: f"{waiting} waiting to send" in status.text())
            assert status.parts["connection"].text() == "Offline"
    finally:
        for lock in service_lock:
            lock.release()
