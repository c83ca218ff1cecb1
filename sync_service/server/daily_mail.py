"""The end-of-day summary of each outlet by e-mail: HTML (with a plain-text part), sent through
the server's SMTP settings once per outlet and day, by the housekeeping loop once Singapore
time passes ``daily_summary_at``.

Each (outlet, day) is sent inside one database transaction that holds an advisory lock on it
and records the sending in the head-office audit trail (``daily_summary``, key
``<outlet code>:<day>``): several servers never send the same summary twice, and a failed
send (the mail server away) records nothing, so the next minute tries again.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

import jinja2
from sqlalchemy import Engine, func, select, text

from shared.gst import SINGAPORE
from shared.logs import get_logger
from sync_service.central.admin.edits import record_edit
from sync_service.central.db import CentralSettings
from sync_service.central.reports.daily import DailySummary, daily_summary
from sync_service.server.dashboard import formats

log = get_logger("sgpos.daily_mail")
TEMPLATES = Path(__file__).resolve().parent / "mail_templates"
ACTOR = "daily summary"
SMTP_TIMEOUT_S = 30


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    user: str | None
    password: str | None
    starttls: bool
    sender: str
    to: tuple[str, ...]
    at: time
    low_stock_at: Decimal

    @classmethod
    def from_settings(cls, settings: CentralSettings) -> MailSettings | None:
        """None when no SMTP host or no address is set (no e-mail is sent); ValueError naming
        the setting when one is wrong."""
        if not settings.smtp_host or not settings.daily_summary_to:
            return None
        try:
            at = time.fromisoformat(settings.daily_summary_at)
        except ValueError:
            raise ValueError(
                f"daily_summary_at {settings.daily_summary_at!r} is not a time of day: "
                "write it as HH:MM, Singapore time (for example 22:30)"
            ) from None
        bad = [a for a in settings.daily_summary_to if "@" not in a or any(c in a for c in "\r\n")]
        if bad:
            raise ValueError(f"daily_summary_to holds what is not an e-mail address: {bad}")
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            user=settings.smtp_user,
            password=password,
            starttls=settings.smtp_starttls,
            sender=settings.mail_from,
            to=tuple(settings.daily_summary_to),
            at=at,
            low_stock_at=settings.low_stock_at,
        )


def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    formats.install(env)
    return env


def message(summary: DailySummary, mail: MailSettings) -> EmailMessage:
    """The e-mail: an HTML part and a plain-text one with the headline figures."""
    f = summary.figures
    subject = (
        f"{summary.outlet.code} {summary.day}: sales {formats.money(f.sales)}, "
        f"{f.transactions} transactions, variance {formats.money(summary.variance)}"
    )
    html = (
        _templates()
        .get_template("daily_summary.html")
        .render(s=summary, subject=subject, low_stock_at=mail.low_stock_at, link=None)
    )
    plain = "\n".join(
        [
            f"{summary.outlet.code} {summary.outlet.name}, {summary.day}",
            f"Sales (GST incl.): {formats.money(f.sales)}",
            f"Transactions: {f.transactions}",
            f"Refunds: {formats.money(f.refunds)}",
            f"Net sales: {formats.money(f.net_sales)}",
            f"GST: {formats.money(f.gst)}",
            f"Cash drawer variance: {formats.money(summary.variance)}",
            f"Products running low: {len(summary.low_stock)}",
        ]
    )
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = mail.sender
    msg["To"] = ", ".join(mail.to)
    msg.set_content(plain)
    msg.add_alternative(html, subtype="html")
    return msg


def _send(mail: MailSettings, msg: EmailMessage) -> None:
    with smtplib.SMTP(mail.host, mail.port, timeout=SMTP_TIMEOUT_S) as smtp:
        if mail.starttls:
            smtp.starttls()
        if mail.user:
            smtp.login(mail.user, mail.password or "")
        smtp.send_message(msg)


def send_due_summaries(engine: Engine, mail: MailSettings, now: datetime) -> list[str]:
    """Send today's summary of every outlet not sent yet, once Singapore time has passed
    ``mail.at``; returns the keys sent (``<outlet code>:<day>``)."""
    local = now.astimezone(SINGAPORE)
    if local.time() < mail.at:
        return []
    day = local.date()
    with engine.connect() as conn:
        outlets = conn.execute(text("SELECT outlet_id, code FROM sgpos.outlet ORDER BY code")).all()
    sent = []
    for outlet_id, code in outlets:
        key = f"{code}:{day.isoformat()}"
        with engine.begin() as conn:
            conn.execute(select(func.set_config("sgpos.actor", ACTOR, True)))
            conn.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"daily_summary {key}"))))
            done = conn.scalar(
                text(
                    "SELECT 1 FROM sgpos.ho_audit WHERE table_name = 'daily_summary' AND key = :k"
                ),
                {"k": key},
            )
            if done:
                continue
            summary = daily_summary(conn, outlet_id, day, low_stock_at=mail.low_stock_at)
            _send(mail, message(summary, mail))
            record_edit(
                conn,
                table="daily_summary",
                key=key,
                op="insert",
                before=None,
                after={"to": list(mail.to), "sales": str(summary.figures.sales)},
            )
        log.info("daily_summary.sent", outlet=code, day=day.isoformat(), to=len(mail.to))
        sent.append(key)
    return sent
