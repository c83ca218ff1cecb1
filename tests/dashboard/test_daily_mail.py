"""The end-of-day summary e-mail of each outlet, sent through a real SMTP server (aiosmtpd on
a loopback port): once per outlet and day, after the hour set, with the day's figures as the
database holds them; a mail server that is away sends nothing and records nothing."""

from __future__ import annotations

import email
import re
import socket
from collections.abc import Iterator
from datetime import datetime, time
from decimal import Decimal
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler
from sqlalchemy import text

from shared.gst import SINGAPORE
from sync_service.central.db import CentralSettings
from sync_service.server.daily_mail import MailSettings, send_due_summaries
from tests.dashboard.conftest import Shop

pytestmark = pytest.mark.postgres


class Inbox(MessageHandler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Message] = []

    def handle_message(self, message: Message) -> None:
        self.messages.append(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def _mail(port: int, at: str = "22:30") -> MailSettings:
    settings = CentralSettings.load(
        smtp_host="127.0.0.1",
        smtp_port=port,
        mail_from="head-office@example.com",
        daily_summary_to=["owner@example.com", "finance@example.com"],
        daily_summary_at=at,
    )
    mail = MailSettings.from_settings(settings)
    assert mail is not None
    return mail


def _forget(shop: Shop, day: str) -> None:
    with shop.engine.begin() as conn:
        conn.execute(
            text("DELETE FROM sgpos.ho_audit WHERE table_name = 'daily_summary' AND key LIKE :k"),
            {"k": f"%:{day}"},
        )


def _html(message: Message) -> str:
    parsed = email.message_from_bytes(message.as_bytes())
    for part in parsed.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode("utf-8")
    raise AssertionError("no HTML part")


def _figure(html: str, name: str) -> Decimal:
    found = re.search(rf'data-figure="{name}">(?:<strong>)?([^<]+)<', html)
    assert found, name
    return Decimal(found.group(1).replace(",", ""))


def test_each_outlet_gets_its_day_once_after_the_hour(shop: Shop, inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    mail = _mail(port)
    day = shop.day_a.date()
    _forget(shop, day.isoformat())
    evening = datetime.combine(day, time(22, 31), tzinfo=SINGAPORE)
    try:
        assert send_due_summaries(shop.engine, mail, evening.replace(hour=21)) == []
        sent = send_due_summaries(shop.engine, mail, evening)
        assert f"{shop.outlet_a.code}:{day}" in sent
        mine = [
            m for m in handler.messages if m["Subject"].startswith(f"{shop.outlet_a.code} {day}")
        ]
        assert len(mine) == 1
        message = mine[0]
        assert message["To"] == "owner@example.com, finance@example.com"
        assert message["From"] == "head-office@example.com"
        html = _html(message)
        with shop.engine.connect() as conn:
            sales, count = conn.execute(
                text(
                    "SELECT sum(total), count(*) FROM sgpos.sale WHERE outlet_id = :o "
                    "AND business_date = :d"
                ),
                {"o": shop.outlet_a.outlet_id, "d": day},
            ).one()
            (refunds,) = conn.execute(
                text(
                    "SELECT coalesce(sum(total), 0) FROM sgpos.refund WHERE outlet_id = :o "
                    "AND business_date = :d"
                ),
                {"o": shop.outlet_a.outlet_id, "d": day},
            ).one()
        assert _figure(html, "sales") == sales > 0
        assert _figure(html, "transactions") == count
        assert _figure(html, "refunds") == refunds
        assert _figure(html, "net") == sales - refunds
        assert 'data-part="tenders"' in html and 'data-part="low-stock"' in html
        # Again a minute later: nothing more is sent.
        again = send_due_summaries(shop.engine, mail, evening.replace(minute=32))
        assert again == []
        assert len(handler.messages) == len(sent)
    finally:
        _forget(shop, day.isoformat())


def test_a_mail_server_that_is_away_sends_nothing_and_the_next_run_retries(
    shop: Shop, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    day = shop.day_b.date()
    _forget(shop, day.isoformat())
    evening = datetime.combine(day, time(23, 0), tzinfo=SINGAPORE)
    try:
        with pytest.raises(ConnectionRefusedError):
            send_due_summaries(shop.engine, _mail(_free_port()), evening)  # nobody listens
        with shop.engine.connect() as conn:
            recorded = conn.execute(
                text(
                    "SELECT count(*) FROM sgpos.ho_audit WHERE table_name = 'daily_summary' "
                    "AND key LIKE :k"
                ),
                {"k": f"%:{day}"},
            ).scalar_one()
        assert recorded == 0
        sent = send_due_summaries(shop.engine, _mail(port), evening)
        assert f"{shop.outlet_b.code}:{day}" in sent and len(handler.messages) == len(sent)
    finally:
        _forget(shop, day.isoformat())


def test_settings_are_checked_and_mail_is_off_until_set() -> None:
    assert MailSettings.from_settings(CentralSettings.load()) is None
    with pytest.raises(ValueError, match="write it as HH:MM"):
        MailSettings.from_settings(
            CentralSettings.load(
                smtp_host="mail", daily_summary_to=["a@example.com"], daily_summary_at="late"
            )
        )
    with pytest.raises(ValueError, match="not an e-mail address"):
        MailSettings.from_settings(
            CentralSettings.load(smtp_host="mail", daily_summary_to=["owner"])
        )
