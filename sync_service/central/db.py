"""Settings and database engine of the central server."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import psycopg2
from pydantic import Field, SecretStr
from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import DBAPIError

from shared.config import SgposSettings


class CentralSettings(SgposSettings):
    """``SGPOS_CENTRAL_DB_URL`` etc.; a TOML file may hold the same keys."""

    central_db_url: SecretStr = SecretStr("postgresql://postgres@127.0.0.1:5432/sgpos")
    host: str = "127.0.0.1"
    port: int = 8700
    tls_cert: Path | None = None
    tls_key: Path | None = None
    # Pushes applied at once per process; more wait briefly, then get a typed 'busy'. A till
    # told 'busy' quickly retries later; one held for seconds only adds to everyone's latency.
    max_concurrent_pushes: int = 4
    busy_wait_s: float = 0.25
    db_pool_size: int = 10
    # Mark the dashboard's cookies Secure: None does so exactly when a request came over TLS
    # to this process; set true when a reverse proxy terminates TLS in front of it.
    secure_cookies: bool | None = None
    log_file: Path | None = None
    log_level: str = "INFO"
    # The daily sales journal's accounts in the books (docs/head-office.md, "Accounting"):
    # journal account -> Xero account code (laid over the defaults), the Xero tax rate every
    # line takes, and journal account -> QuickBooks Online account name (default: the same).
    xero_account_codes: dict[str, str] = Field(default_factory=dict)
    xero_tax_rate: str = "No GST"
    qbo_account_names: dict[str, str] = Field(default_factory=dict)
    # The end-of-day summary per outlet by e-mail (docs/head-office.md, "Daily summary"):
    # off until an SMTP host and at least one address are set.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    mail_from: str = "sg-pos@localhost"
    daily_summary_to: list[str] = Field(default_factory=list)
    daily_summary_at: str = "22:30"  # Singapore time, after the outlets close
    low_stock_at: Decimal = Decimal(5)


def central_engine(url: str, *, pool_size: int = 10) -> Engine:
    """A psycopg2 engine; every table is schema-qualified, so search_path does not matter."""
    return create_engine(
        url,
        # Batches of rows in few round trips: psycopg2's own executemany sends one per row.
        executemany_mode="values_plus_batch",
        insertmanyvalues_page_size=5000,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        # An error's text must not carry the statement's values into a log: they are tills'
        # payloads, emails, password hashes and session tokens.
        hide_parameters=True,
        connect_args={"application_name": "sgpos-central"},
    )


def _driver_error(exc: BaseException) -> BaseException:
    # Ingest may use SQLAlchemy (which wraps driver errors) or the driver directly.
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return exc.orig
    return exc


def sqlstate(exc: BaseException) -> str | None:
    code = getattr(_driver_error(exc), "pgcode", None)
    return code if isinstance(code, str) else None


def failed_table(exc: BaseException) -> str | None:
    """The table a constraint violation happened on, as PostgreSQL reports it."""
    cause = _driver_error(exc)
    diag = getattr(cause, "diag", None) if isinstance(cause, psycopg2.Error) else None
    name = getattr(diag, "table_name", None)
    return name if isinstance(name, str) else None


def database_error(exc: BaseException) -> str:
    """The driver's first line: SQLAlchemy's own text repeats the statement and its parameters,
    which for a push are the till's payloads."""
    cause = _driver_error(exc)
    first = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {first[0][:300] if first else ''}"
